#include "engine/jobs/manifest.h"

#include "engine/core/paths.h"
#include "json_number.h"
#include "json_values.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

namespace engine::jobs {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "flashvsr-studio-job-manifest";

const char* sample_type_name(SampleType t) {
    switch (t) {
        case SampleType::U8:
            return "u8";
        case SampleType::U16:
            return "u16";
        case SampleType::F32:
            return "f32";
    }
    return "u8";
}

SampleType parse_sample_type(const std::string& name) {
    if (name == "u8") {
        return SampleType::U8;
    }
    if (name == "u16") {
        return SampleType::U16;
    }
    if (name == "f32") {
        return SampleType::F32;
    }
    throw std::runtime_error("unknown sample type '" + name + "'");
}

json rational(Rational r) {
    return json::array({r.num, r.den});
}
Rational rational_from(const json& j) {
    return Rational{json_number<int>(j.at(0)), json_number<int>(j.at(1))};
}

std::string utc_now() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace

bool Manifest::is_finished(int segment_index) const {
    return std::any_of(finished.begin(), finished.end(),
                       [&](const SegmentRecord& r) { return r.index == segment_index; });
}

void Manifest::add_finished(SegmentRecord record) {
    auto it = std::find_if(finished.begin(), finished.end(),
                           [&](const SegmentRecord& r) { return r.index >= record.index; });
    if (it != finished.end() && it->index == record.index) {
        *it = std::move(record);
    } else {
        finished.insert(it, std::move(record));
    }
}

std::int64_t Manifest::finished_frames() const {
    std::int64_t n = 0;
    for (const auto& r : finished) {
        n += r.end - r.first;
    }
    return n;
}

std::string to_json(const Manifest& m) {
    json j;
    j["format"] = kFormat;
    j["version"] = m.version;
    j["job_id"] = m.job_id;
    j["updated_at"] = m.updated_at;
    j["settings_fingerprint"] = m.settings_fingerprint;
    j["spec"] = job_spec_to_value(m.spec);

    json model;
    model["kind"] = m.model.kind;
    model["folder"] = m.model.folder;
    model["files"] = json::array();
    for (const auto& f : m.model.files) {
        model["files"].push_back({{"name", f.name},
                                  {"size", f.size_bytes},
                                  {"mtime_ns", f.mtime_ns},
                                  {"sha256", f.sha256}});
    }
    j["model"] = model;

    j["input"] = {{"path", m.input.path},
                  {"size", m.input.size_bytes},
                  {"mtime_ns", m.input.mtime_ns},
                  {"head_tail_hash", m.input.head_tail_hash},
                  {"frame_count", m.input.frame_count},
                  {"width", m.input.width},
                  {"height", m.input.height}};

    json plan;
    plan["first"] = m.plan.first;
    plan["end"] = m.plan.end;
    plan["max_segment_frames"] = m.plan.max_segment_frames;
    plan["overlap"] = m.plan.overlap;
    plan["scene_cuts"] = m.plan.scene_cuts;
    plan["segments"] = json::array();
    for (const auto& s : m.plan.segments) {
        plan["segments"].push_back({{"index", s.index},
                                    {"first", s.first},
                                    {"end", s.end},
                                    {"input_first", s.input_first},
                                    {"input_end", s.input_end}});
    }
    j["plan"] = plan;

    const IntermediateFormat& f = m.intermediate;
    j["intermediate"] = {{"width", f.width},
                         {"height", f.height},
                         {"sample_type", sample_type_name(f.type)},
                         {"bit_depth", f.bit_depth},
                         {"time_base", rational(f.time_base)},
                         {"frame_rate", rational(f.frame_rate)}};
    j["hdr_l_max"] = m.hdr_l_max ? json(*m.hdr_l_max) : json(nullptr);
    j["tiles"] = m.tiles ? tile_choice_to_value(*m.tiles) : json(nullptr);

    j["finished"] = json::array();
    for (const auto& r : m.finished) {
        json files = json::array();
        for (const auto& file : r.files) {
            files.push_back({{"name", file.name}, {"size", file.size_bytes}, {"hash", file.hash}});
        }
        j["finished"].push_back(
            {{"index", r.index},
             {"first", r.first},
             {"end", r.end},
             {"files", files},
             {"pts", r.pts},
             {"tiles", r.tiles ? tile_choice_to_value(*r.tiles) : json(nullptr)}});
    }
    return j.dump(1);
}

Result<Manifest> manifest_from_json(std::string_view text, std::string_view path_for_errors) {
    auto corrupt = [&](const std::string& why) {
        Error e(ErrorCode::ManifestCorrupt, "resume manifest is unusable: " + why);
        if (!path_for_errors.empty()) {
            e.with("path", std::string(path_for_errors));
        }
        return e;
    };
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return corrupt("not valid JSON");
    }
    Manifest m;
    try {
        if (j.at("format").get<std::string>() != kFormat) {
            return corrupt("not a FlashVSR Studio job manifest");
        }
        m.version = json_number<int>(j.at("version"));
        if (m.version != kManifestVersion) {
            return corrupt("manifest version " + std::to_string(m.version) + ", expected " +
                           std::to_string(kManifestVersion));
        }
        m.job_id = j.at("job_id").get<std::string>();
        m.updated_at = j.value("updated_at", "");
        m.settings_fingerprint = j.at("settings_fingerprint").get<std::string>();
        auto spec = job_spec_from_value(j.at("spec"));
        if (!spec.ok()) {
            return corrupt("spec: " + spec.error().detail);
        }
        m.spec = std::move(spec).value();

        const json& model = j.at("model");
        m.model.kind = model.at("kind").get<std::string>();
        m.model.folder = model.at("folder").get<std::string>();
        for (const auto& f : model.at("files")) {
            m.model.files.push_back(
                {f.at("name").get<std::string>(), json_number<std::uint64_t>(f.at("size")),
                 json_number<std::int64_t>(f.at("mtime_ns")), f.at("sha256").get<std::string>()});
        }

        const json& in = j.at("input");
        m.input.path = in.at("path").get<std::string>();
        m.input.size_bytes = json_number<std::uint64_t>(in.at("size"));
        m.input.mtime_ns = json_number<std::int64_t>(in.at("mtime_ns"));
        m.input.head_tail_hash = in.at("head_tail_hash").get<std::string>();
        m.input.frame_count = json_number<std::int64_t>(in.at("frame_count"));
        m.input.width = json_number<int>(in.at("width"));
        m.input.height = json_number<int>(in.at("height"));

        const json& plan = j.at("plan");
        m.plan.first = json_number<std::int64_t>(plan.at("first"));
        m.plan.end = json_number<std::int64_t>(plan.at("end"));
        m.plan.max_segment_frames = json_number<std::int64_t>(plan.at("max_segment_frames"));
        m.plan.overlap = json_number<int>(plan.at("overlap"));
        // Absent before scene cuts existed: no cuts.
        if (auto it = plan.find("scene_cuts"); it != plan.end() && !it->is_null()) {
            m.plan.scene_cuts = json_numbers<std::int64_t>(*it);
        }
        for (const auto& s : plan.at("segments")) {
            Segment seg;
            seg.index = json_number<int>(s.at("index"));
            seg.first = json_number<std::int64_t>(s.at("first"));
            seg.end = json_number<std::int64_t>(s.at("end"));
            seg.input_first = json_number<std::int64_t>(s.at("input_first"));
            seg.input_end = json_number<std::int64_t>(s.at("input_end"));
            if (seg.index != int(m.plan.segments.size()) || seg.first >= seg.end ||
                seg.input_first > seg.first || seg.input_end < seg.end) {
                return corrupt("plan segment " + std::to_string(seg.index) + " is inconsistent");
            }
            m.plan.segments.push_back(seg);
        }

        const json& f = j.at("intermediate");
        m.intermediate.width = json_number<int>(f.at("width"));
        m.intermediate.height = json_number<int>(f.at("height"));
        m.intermediate.type = parse_sample_type(f.at("sample_type").get<std::string>());
        m.intermediate.bit_depth = json_number<int>(f.at("bit_depth"));
        m.intermediate.time_base = rational_from(f.at("time_base"));
        m.intermediate.frame_rate = rational_from(f.at("frame_rate"));
        if (!j.at("hdr_l_max").is_null()) {
            m.hdr_l_max = j.at("hdr_l_max").get<double>();
        }
        if (auto it = j.find("tiles"); it != j.end() && !it->is_null()) {
            m.tiles = tile_choice_from_value(*it);
        }

        for (const auto& r : j.at("finished")) {
            SegmentRecord rec;
            rec.index = json_number<int>(r.at("index"));
            rec.first = json_number<std::int64_t>(r.at("first"));
            rec.end = json_number<std::int64_t>(r.at("end"));
            for (const auto& file : r.at("files")) {
                rec.files.push_back({file.at("name").get<std::string>(),
                                     json_number<std::uint64_t>(file.at("size")),
                                     file.at("hash").get<std::string>()});
            }
            rec.pts = json_numbers<std::int64_t>(r.at("pts"));
            if (auto it = r.find("tiles"); it != r.end() && !it->is_null()) {
                rec.tiles = tile_choice_from_value(*it);
            }
            if (rec.index < 0 || rec.index >= int(m.plan.segments.size()) ||
                m.plan.segments[std::size_t(rec.index)].first != rec.first ||
                m.plan.segments[std::size_t(rec.index)].end != rec.end) {
                return corrupt("finished segment " + std::to_string(rec.index) +
                               " does not match the plan");
            }
            m.add_finished(std::move(rec));
        }
    } catch (const std::exception& e) {
        return corrupt(e.what());
    }
    return m;
}

std::string manifest_file_name(std::int64_t first_frame, std::int64_t end_frame) {
    return "manifest_" + std::to_string(first_frame) + "_" + std::to_string(end_frame) + ".json";
}

std::vector<fs::path> list_manifests(const fs::path& checkpoint_dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(checkpoint_dir, ec)) {
        std::string name = entry.path().filename().u8string();
        if (name.rfind("manifest_", 0) == 0 && entry.path().extension() == ".json") {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::optional<Manifest>> read_manifest(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        return std::optional<Manifest>();
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in || in.bad()) {
        return Error(ErrorCode::ManifestCorrupt, "cannot read the resume manifest")
            .with("path", path_string(path));
    }
    auto m = manifest_from_json(text.str(), path_string(path));
    if (!m.ok()) {
        return m.error();
    }
    return std::optional<Manifest>(std::move(m).value());
}

Status write_manifest(const fs::path& path, Manifest& manifest) {
    manifest.updated_at = utc_now();
    return write_file_atomically(path, to_json(manifest));
}

}  // namespace engine::jobs
