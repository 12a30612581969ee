#include "src/image_sequence_files.h"

#include "engine/core/paths.h"
#include "engine/io/image_sequence.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

namespace engine::io::sequence {
namespace fs = std::filesystem;

namespace {

Error path_error(ErrorCode code, const std::string& detail, const fs::path& path) {
    Error e(code, detail);
    e.with("path", path_string(path));
    return e;
}

// [begin, end) of the last digit run in `s`, or {npos, npos}.
std::pair<std::size_t, std::size_t> last_digits(const std::string& s) {
    std::size_t end = s.size();
    while (end > 0 && !std::isdigit(static_cast<unsigned char>(s[end - 1]))) {
        --end;
    }
    if (end == 0) {
        return {std::string::npos, std::string::npos};
    }
    std::size_t begin = end;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(s[begin - 1]))) {
        --begin;
    }
    return {begin, end};
}

bool is_hidden(const std::string& name) {
    return !name.empty() && name[0] == '.';
}

// Same format family for the mixed-format rule.
std::string format_label(image::ImageFormat format) {
    return std::string(image::codec_name(format));
}

Result<InputListing> finish_listing(std::vector<fs::path> files, const fs::path& where) {
    if (files.empty()) {
        return path_error(ErrorCode::ZeroFrames, "no image files in the sequence", where);
    }
    InputListing listing;
    std::set<std::string> formats;
    for (const auto& f : files) {
        formats.insert(format_label(*image::format_from_extension(f)));
    }
    if (formats.size() > 1) {
        std::string joined;
        for (const auto& f : formats) {
            joined += (joined.empty() ? "" : ",") + f;
        }
        Error e = path_error(ErrorCode::UnsupportedFormat,
                             "image sequence mixes formats (" + joined + ")", where);
        e.with("reason", "mixed_formats").with("formats", joined);
        return e;
    }
    listing.format = *image::format_from_extension(files.front());
    listing.files = std::move(files);
    return listing;
}

}  // namespace

std::string NamePattern::format(std::int64_t index) const {
    std::string digits = std::to_string(index);
    if (static_cast<int>(digits.size()) < width) {
        digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    }
    return prefix + digits + suffix;
}

std::optional<std::int64_t> NamePattern::match(const std::string& name) const {
    if (name.size() <= prefix.size() + suffix.size() ||
        name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return std::nullopt;
    }
    const std::string digits =
        name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.size() > 18 || !std::all_of(digits.begin(), digits.end(),
                                           [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::nullopt;
    }
    const std::int64_t value = std::stoll(digits);
    // Only the exact text printf would produce.
    if (format(value) != name) {
        return std::nullopt;
    }
    return value;
}

std::optional<NamePattern> parse_pattern(const std::string& file_name) {
    NamePattern pattern;
    bool found = false;
    std::string* part = &pattern.prefix;
    for (std::size_t i = 0; i < file_name.size(); ++i) {
        const char c = file_name[i];
        if (c != '%') {
            *part += c;
            continue;
        }
        if (i + 1 < file_name.size() && file_name[i + 1] == '%') {
            *part += '%';
            ++i;
            continue;
        }
        if (found) {
            return std::nullopt;
        }
        std::size_t j = i + 1;
        int width = 0;
        if (j < file_name.size() && file_name[j] == '0') {
            ++j;
            std::size_t digits_begin = j;
            while (j < file_name.size() && std::isdigit(static_cast<unsigned char>(file_name[j]))) {
                width = width * 10 + (file_name[j] - '0');
                ++j;
                if (width > 18) {
                    return std::nullopt;
                }
            }
            if (j == digits_begin) {
                return std::nullopt;
            }
        }
        if (j >= file_name.size() || file_name[j] != 'd') {
            return std::nullopt;
        }
        pattern.width = width;
        found = true;
        part = &pattern.suffix;
        i = j;
    }
    if (!found) {
        return std::nullopt;
    }
    return pattern;
}

image::ImageFormat image_format(PictureFormat format) {
    switch (format) {
        case PictureFormat::PNG:
            return image::ImageFormat::PNG;
        case PictureFormat::DPX:
            return image::ImageFormat::DPX;
        case PictureFormat::EXR:
            return image::ImageFormat::EXR;
    }
    return image::ImageFormat::PNG;
}

fs::path OutputNaming::path_for(std::int64_t index) const {
    if (single_file) {
        return *single_file;
    }
    return folder / fs::u8path(pattern.format(index));
}

std::optional<std::int64_t> OutputNaming::index_of(const std::string& file_name) const {
    if (single_file) {
        return file_name == single_file->filename().u8string() ? std::optional<std::int64_t>(0)
                                                               : std::nullopt;
    }
    return pattern.match(file_name);
}

Result<OutputNaming> output_naming(const SinkOptions& options) {
    OutputNaming naming;
    naming.format = image_format(options.picture_format);
    const std::string extension = "." + picture_format_extension(options.picture_format);
    if (options.output.empty()) {
        return Error(ErrorCode::InvalidArgument, "image sequence output path is empty");
    }
    const std::string file_name = options.output.filename().u8string();
    if (auto pattern = parse_pattern(file_name)) {
        const auto pattern_format = image::format_from_extension(fs::u8path("x" + pattern->suffix));
        if (pattern_format != naming.format) {
            Error e = path_error(ErrorCode::InvalidArgument,
                                 "output pattern extension does not match the picture format",
                                 options.output);
            e.with("expected_extension", extension);
            return e;
        }
        naming.folder = options.output.parent_path();
        naming.pattern = *pattern;
        if (naming.folder.empty()) {
            naming.folder = ".";
        }
        return naming;
    }
    if (options.name_digits < 1 || options.name_digits > 18) {
        return Error(ErrorCode::InvalidArgument, "name_digits must be between 1 and 18")
            .with("name_digits", std::to_string(options.name_digits));
    }
    if (image::format_from_extension(options.output).has_value()) {
        if (image::format_from_extension(options.output) != naming.format) {
            Error e = path_error(ErrorCode::InvalidArgument,
                                 "output file extension does not match the picture format",
                                 options.output);
            e.with("expected_extension", extension);
            return e;
        }
        naming.single_file = options.output;
        naming.folder =
            options.output.parent_path().empty() ? fs::path(".") : options.output.parent_path();
        return naming;
    }
    naming.folder = options.output;
    naming.pattern.prefix = "frame_";
    naming.pattern.width = options.name_digits;
    naming.pattern.suffix = extension;
    return naming;
}

bool sequence_name_less(const std::string& a, const std::string& b) {
    const fs::path pa = fs::u8path(a);
    const fs::path pb = fs::u8path(b);
    const std::string sa = pa.stem().u8string();
    const std::string sb = pb.stem().u8string();
    const auto [a0, a1] = last_digits(sa);
    const auto [b0, b1] = last_digits(sb);
    const bool a_has = a0 != std::string::npos;
    const bool b_has = b0 != std::string::npos;
    if (a_has != b_has) {
        return !a_has;
    }
    if (a_has) {
        std::string da = sa.substr(a0, a1 - a0);
        std::string db = sb.substr(b0, b1 - b0);
        da.erase(0, std::min(da.find_first_not_of('0'), da.size() - 1));
        db.erase(0, std::min(db.find_first_not_of('0'), db.size() - 1));
        if (da.size() != db.size()) {
            return da.size() < db.size();
        }
        if (da != db) {
            return da < db;
        }
    }
    return a < b;
}

static Result<InputListing> list_input_unguarded(const fs::path& input) {
    std::error_code ec;
    const std::string file_name = input.filename().u8string();
    if (fs::is_directory(input, ec)) {
        std::vector<fs::path> files;
        fs::directory_iterator it(input, ec);
        if (ec) {
            return path_error(ErrorCode::FileUnreadable, "cannot list folder: " + ec.message(),
                              input);
        }
        for (const auto& entry : it) {
            const std::string name = entry.path().filename().u8string();
            std::error_code type_ec;
            if (is_hidden(name) || !image::format_from_extension(entry.path()) ||
                !entry.is_regular_file(type_ec)) {
                continue;
            }
            files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end(), [](const fs::path& x, const fs::path& y) {
            return sequence_name_less(x.filename().u8string(), y.filename().u8string());
        });
        return finish_listing(std::move(files), input);
    }
    if (auto pattern = parse_pattern(file_name)) {
        fs::path folder = input.parent_path();
        if (folder.empty()) {
            folder = ".";
        }
        if (!image::format_from_extension(fs::u8path("x" + pattern->suffix))) {
            return path_error(ErrorCode::UnsupportedFormat, "pattern names no image format", input);
        }
        if (!fs::is_directory(folder, ec)) {
            return path_error(ErrorCode::FileNotFound, "folder of the pattern does not exist",
                              folder);
        }
        std::vector<std::pair<std::int64_t, fs::path>> numbered;
        fs::directory_iterator it(folder, ec);
        if (ec) {
            return path_error(ErrorCode::FileUnreadable, "cannot list folder: " + ec.message(),
                              folder);
        }
        for (const auto& entry : it) {
            std::error_code type_ec;
            if (auto n = pattern->match(entry.path().filename().u8string());
                n && entry.is_regular_file(type_ec)) {
                numbered.emplace_back(*n, entry.path());
            }
        }
        std::sort(numbered.begin(), numbered.end());
        std::vector<fs::path> files;
        for (auto& [n, p] : numbered) {
            files.push_back(std::move(p));
        }
        if (files.empty()) {
            return path_error(ErrorCode::ZeroFrames, "no file matches the pattern", input);
        }
        return finish_listing(std::move(files), input);
    }
    if (!fs::exists(input, ec)) {
        return path_error(ErrorCode::FileNotFound, "input does not exist", input);
    }
    if (!image::format_from_extension(input)) {
        return path_error(ErrorCode::UnsupportedFormat, "not an image file", input);
    }
    return finish_listing({input}, input);
}

Result<InputListing> list_input(const fs::path& input) {
    // directory_iterator's increment can still throw (a folder removed while listing).
    try {
        return list_input_unguarded(input);
    } catch (const fs::filesystem_error& e) {
        return path_error(ErrorCode::FileUnreadable, std::string("cannot list: ") + e.what(),
                          input);
    }
}

}  // namespace engine::io::sequence
