#pragma once
// Engine error reporting. The engine never words errors for users: it returns a stable code plus
// facts (context), and an English technical detail for logs. The UI and the CLI turn code + context
// into the message a person reads (ui/bridge/error_text, app/cli/error_text).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace engine {

// Stable numeric values: the CLI uses them as exit codes, so never renumber; append only.
enum class ErrorCode : std::uint8_t {
    Ok = 0,
    InvalidArgument = 2,  // a parameter out of range or inconsistent with another
    Internal = 3,         // a bug: an invariant broke
    Cancelled = 4,        // the user stopped the job; not a failure
    // Input files (10..29)
    FileNotFound = 10,
    FileEmpty = 11,
    FileTruncated = 12,
    FileCorrupt = 13,
    FileUnreadable = 14,     // permission or I/O error on read
    UnsupportedFormat = 15,  // container/codec/image format we cannot read
    UnsupportedPixelFormat = 16,
    NoVideoStream = 17,
    ZeroFrames = 18,
    InputChanged = 19,  // the input differs from the one a checkpoint was made from
    // Output (30..49)
    OutputNotWritable = 30,
    DiskFull = 31,
    OutputExists = 32,
    EncoderUnavailable = 33,
    StreamNotSupported = 34,  // the output container cannot hold a stream of the source
    OutputVerificationFailed = 35,
    EncodeFailed = 36,
    // Models (50..69)
    ModelFileMissing = 50,
    ModelWrongFile = 51,     // a file, but not the one expected at this place
    ModelWrongVersion = 52,  // a FlashVSR file of the other version
    ModelDamaged = 53,       // right file, corrupt bytes (hash or truncation)
    CheckpointUnsupported = 54,
    ModelKeysMismatch = 55,
    ModelShapeMismatch = 56,
    // Devices (70..89)
    DeviceUnavailable = 70,
    OutOfMemory = 71,
    DeviceLost = 72,
    PrecisionUnsupported = 73,
    // Jobs and resume (90..109)
    CheckpointMismatch = 90,
    ManifestCorrupt = 91,
};

// One stable lowercase identifier per code, for logs, JSON reports and translations lookup.
std::string_view error_code_name(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Ok;
    std::string detail;  // English, technical, for the log
    // Facts, e.g. {"path", "/x.mp4"}, {"needed_bytes", "123"}. Keys are stable identifiers.
    std::vector<std::pair<std::string, std::string>> context;

    Error() = default;
    Error(ErrorCode c, std::string d) : code(c), detail(std::move(d)) {}

    Error& with(std::string key, std::string value) {
        context.emplace_back(std::move(key), std::move(value));
        return *this;
    }
    // The value of a context key, or empty.
    std::string get(std::string_view key) const;
    // "code: detail (k=v, k=v)" for logs and developer output.
    std::string to_string() const;
};

// Thrown only inside the engine; converted to Error at module boundaries (see Result).
class EngineException : public std::exception {
  public:
    explicit EngineException(Error error) : m_error(std::move(error)) {
        m_what = m_error.to_string();
    }
    const Error& error() const { return m_error; }
    const char* what() const noexcept override { return m_what.c_str(); }

  private:
    Error m_error;
    std::string m_what;
};

[[noreturn]] void throw_error(ErrorCode code,
                              std::string detail,
                              std::vector<std::pair<std::string, std::string>> context = {});

}  // namespace engine
