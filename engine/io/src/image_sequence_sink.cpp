#include "engine/core/paths.h"
#include "engine/io/dpx.h"
#include "engine/io/exr.h"
#include "engine/io/image_sequence.h"
#include "src/image_codec.h"
#include "src/image_sequence_files.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace engine::io {
namespace fs = std::filesystem;

namespace {

// Output-side errno mapping: a vanished folder is "not writable", not a missing input.
Error output_error(int err, std::string_view what, const fs::path& path) {
    Error e = error_from_errno(err, what, path);
    if (e.code == ErrorCode::FileNotFound) {
        e.code = ErrorCode::OutputNotWritable;
    }
    return e;
}

Error as_output_error(Error e) {
    if (e.code == ErrorCode::FileNotFound) {
        e.code = ErrorCode::OutputNotWritable;
    }
    return e;
}

bool process_alive(long pid) {
    if (pid <= 0) {
        return false;
    }
    if (pid == static_cast<long>(::getpid())) {
        // Ours: another sink of this process (a second GPU worker writing its segment's frames
        // into the same folder) may be writing it right now. A leftover of a failed write here
        // is harmless: the next write of that frame truncates and renames it.
        return true;
    }
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Removes ".<final stem>.partial-<pid><ext>" files (engine::partial_path_for) of final names of
// this naming whose writer is gone.
void remove_stale_partials(const sequence::OutputNaming& naming) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(naming.folder, ec)) {
        const std::string name = entry.path().filename().u8string();
        const std::size_t mark = name.rfind(".partial-");
        if (name.size() < 2 || name[0] != '.' || mark == std::string::npos) {
            continue;
        }
        const std::string stem = name.substr(1, mark - 1);
        std::string rest = name.substr(mark + 9);  // "<pid><ext>"
        std::size_t digits = 0;
        while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
            ++digits;
        }
        if (digits == 0 || digits > 9) {
            continue;
        }
        const std::string final_name = stem + rest.substr(digits);
        if (!naming.index_of(final_name)) {
            continue;
        }
        if (!process_alive(std::stol(rest.substr(0, digits)))) {
            std::error_code remove_ec;
            fs::remove(entry.path(), remove_ec);
        }
    }
}

class ImageSequenceSink final : public FrameSink {
  public:
    ImageSequenceSink(const SinkOptions& options,
                      sequence::OutputNaming naming,
                      ExistingFrames existing)
        : m_options(options), m_naming(std::move(naming)), m_existing(existing) {}

    Status open() {
        const int depth = m_options.picture_bit_depth;
        switch (m_options.picture_format) {
            case PictureFormat::PNG:
                if (depth != 8 && depth != 16) {
                    return bad_depth("PNG bit depth must be 8 or 16");
                }
                break;
            case PictureFormat::DPX:
                if (depth != 10 && depth != 16) {
                    return bad_depth("DPX bit depth must be 10 or 16");
                }
                break;
            case PictureFormat::EXR:
                if (depth != 16 && depth != 32) {
                    return bad_depth("EXR bit depth must be 16 (half) or 32 (float)");
                }
                break;
        }
        if (m_options.width < 0 || m_options.height < 0) {
            return Error(ErrorCode::InvalidArgument, "output size must not be negative");
        }
        std::error_code ec;
        fs::create_directories(m_naming.folder, ec);
        if (ec) {
            return output_error(ec.value(), "create output folder", m_naming.folder);
        }
        if (!fs::is_directory(m_naming.folder, ec)) {
            return output_error(ENOTDIR, "output folder", m_naming.folder);
        }
        if (Status probe = probe_writable(); !probe.ok()) {
            return probe;
        }
        remove_stale_partials(m_naming);

        // Frames already present under final names.
        std::vector<std::pair<std::int64_t, fs::path>> present;
        for (const auto& entry : fs::directory_iterator(m_naming.folder, ec)) {
            if (auto index = m_naming.index_of(entry.path().filename().u8string())) {
                present.emplace_back(*index, entry.path());
            }
        }
        if (!present.empty()) {
            switch (m_existing) {
                case ExistingFrames::Refuse: {
                    Error e(ErrorCode::OutputExists, "the output folder already holds frames");
                    e.with("path", path_string(m_naming.single_file ? *m_naming.single_file
                                                                    : m_naming.folder))
                        .with("existing_frames", std::to_string(present.size()))
                        .with("first_existing", path_string(present.front().second));
                    return e;
                }
                case ExistingFrames::Replace:
                    for (const auto& [index, path] : present) {
                        m_stale.insert(index);
                    }
                    break;
                case ExistingFrames::Resume:
                    for (const auto& [index, path] : present) {
                        if (image::file_looks_complete(m_naming.format, path, m_options.width,
                                                       m_options.height)) {
                            m_done.insert(index);
                        }
                    }
                    m_notes.push_back("resuming: " + std::to_string(m_done.size()) +
                                      " complete frames kept in " + path_string(m_naming.folder));
                    break;
            }
        }
        m_width = m_options.width;
        m_height = m_options.height;
        return {};
    }

    Status write(const Frame& frame) override {
        if (m_closed) {
            return Error(ErrorCode::Internal, "write after finish() or abort()");
        }
        if (frame.width < 1 || frame.height < 1 ||
            frame.data.size() != frame.sample_count() * bytes_per_sample(frame.type)) {
            return Error(ErrorCode::InvalidArgument, "empty or inconsistent frame");
        }
        if (m_width == 0 || m_height == 0) {
            m_width = frame.width;
            m_height = frame.height;
        }
        if (frame.width != m_width || frame.height != m_height) {
            return Error(ErrorCode::InvalidArgument, "frame size differs from the sink's")
                .with("expected_width", std::to_string(m_width))
                .with("expected_height", std::to_string(m_height))
                .with("actual_width", std::to_string(frame.width))
                .with("actual_height", std::to_string(frame.height));
        }
        if (frame.index < 0) {
            return Error(ErrorCode::InvalidArgument, "frame index must not be negative")
                .with("index", std::to_string(frame.index));
        }
        if (m_naming.single_file && !m_written.empty()) {
            Error e(ErrorCode::InvalidArgument, "single-image output takes one frame");
            e.with("path", path_string(*m_naming.single_file));
            return e;
        }
        auto bytes = encode(frame);
        if (!bytes.ok()) {
            return bytes.error();
        }
        const fs::path path = m_naming.path_for(frame.index);
        const std::string_view view(reinterpret_cast<const char*>(bytes->data()), bytes->size());
        if (Status s = write_file_atomically(path, view); !s.ok()) {
            return as_output_error(s.error());
        }
        m_written.insert(frame.index);
        m_done.insert(frame.index);
        return {};
    }

    Status finish() override {
        if (m_closed) {
            return Error(ErrorCode::Internal, "finish() called twice or after abort()");
        }
        m_closed = true;
        if (m_options.expected_frames >= 0 &&
            static_cast<std::int64_t>(m_done.size()) != m_options.expected_frames) {
            Error e(ErrorCode::OutputVerificationFailed,
                    "image sequence does not hold the expected number of frames");
            e.with("path", path_string(m_naming.folder))
                .with("expected_frames", std::to_string(m_options.expected_frames))
                .with("frames", std::to_string(m_done.size()));
            for (std::int64_t i = 0; i < m_options.expected_frames; ++i) {
                if (m_done.count(i) == 0) {
                    e.with("first_missing", path_string(m_naming.path_for(i)));
                    break;
                }
            }
            return e;
        }
        // Replace: frames of the earlier run that this run did not rewrite would otherwise mix
        // into the new sequence.
        for (std::int64_t index : m_stale) {
            if (m_written.count(index) == 0) {
                std::error_code ec;
                fs::remove(m_naming.path_for(index), ec);
                if (ec) {
                    return output_error(ec.value(), "remove frame of an earlier run",
                                        m_naming.path_for(index));
                }
            }
        }
        return {};
    }

    void abort() override {
        // Frames are renamed into place only when complete, so nothing half-written exists under
        // a final name; complete frames stay for a resume.
        m_closed = true;
    }

    const std::vector<std::string>& notes() const override { return m_notes; }

  private:
    Status bad_depth(const char* detail) {
        return Error(ErrorCode::InvalidArgument, detail)
            .with("picture_bit_depth", std::to_string(m_options.picture_bit_depth));
    }

    // Fails early with the right code instead of at the first frame.
    Status probe_writable() {
        const fs::path probe =
            m_naming.folder / (".fvsr-write-probe-" + std::to_string(::getpid()));
        const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            return output_error(errno, "create a file in the output folder", m_naming.folder);
        }
        ::close(fd);
        ::unlink(probe.c_str());
        return {};
    }

    Result<std::vector<std::uint8_t>> encode(const Frame& frame) const {
        switch (m_options.picture_format) {
            case PictureFormat::PNG:
                return image::encode_png(frame, m_options.picture_bit_depth, m_options.color);
            case PictureFormat::DPX: {
                DpxWriteOptions dpx;
                dpx.bit_depth = m_options.picture_bit_depth;
                dpx.color = m_options.color;
                dpx.frame_rate = m_options.frame_rate;
                dpx.source_name = m_naming.path_for(frame.index).filename().u8string();
                return encode_dpx(frame, dpx);
            }
            case PictureFormat::EXR: {
                ExrWriteOptions exr;
                exr.bit_depth = m_options.picture_bit_depth;
                exr.compression = m_options.exr_compression;
                exr.color = m_options.color;
                exr.frame_rate = m_options.frame_rate;
                exr.threads = static_cast<int>(std::thread::hardware_concurrency());
                return encode_exr(frame, exr);
            }
        }
        return Error(ErrorCode::Internal, "unknown picture format");
    }

    SinkOptions m_options;
    sequence::OutputNaming m_naming;
    ExistingFrames m_existing;
    int m_width = 0;
    int m_height = 0;
    std::set<std::int64_t> m_written;  // by this run
    std::set<std::int64_t> m_done;     // written by this run or kept by Resume
    std::set<std::int64_t> m_stale;    // present at open under Replace
    std::vector<std::string> m_notes;
    bool m_closed = false;
};

}  // namespace

Result<std::unique_ptr<FrameSink>> open_image_sequence_sink(const SinkOptions& options,
                                                            ExistingFrames existing) {
    auto naming = sequence::output_naming(options);
    if (!naming.ok()) {
        return naming.error();
    }
    auto sink = std::make_unique<ImageSequenceSink>(options, std::move(naming.value()), existing);
    try {
        if (Status s = sink->open(); !s.ok()) {
            return s.error();
        }
    } catch (const fs::filesystem_error& e) {
        return output_error(e.code().value(), std::string("list the output folder: ") + e.what(),
                            options.output);
    }
    return std::unique_ptr<FrameSink>(std::move(sink));
}

Result<std::unique_ptr<FrameSink>> open_image_sequence_sink(const SinkOptions& options) {
    return open_image_sequence_sink(
        options, options.overwrite ? ExistingFrames::Replace : ExistingFrames::Refuse);
}

}  // namespace engine::io
