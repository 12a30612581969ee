#include "engine/core/error.h"

namespace engine {

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::Ok:
            return "ok";
        case ErrorCode::InvalidArgument:
            return "invalid_argument";
        case ErrorCode::Internal:
            return "internal";
        case ErrorCode::Cancelled:
            return "cancelled";
        case ErrorCode::FileNotFound:
            return "file_not_found";
        case ErrorCode::FileEmpty:
            return "file_empty";
        case ErrorCode::FileTruncated:
            return "file_truncated";
        case ErrorCode::FileCorrupt:
            return "file_corrupt";
        case ErrorCode::FileUnreadable:
            return "file_unreadable";
        case ErrorCode::UnsupportedFormat:
            return "unsupported_format";
        case ErrorCode::UnsupportedPixelFormat:
            return "unsupported_pixel_format";
        case ErrorCode::NoVideoStream:
            return "no_video_stream";
        case ErrorCode::ZeroFrames:
            return "zero_frames";
        case ErrorCode::InputChanged:
            return "input_changed";
        case ErrorCode::OutputNotWritable:
            return "output_not_writable";
        case ErrorCode::DiskFull:
            return "disk_full";
        case ErrorCode::OutputExists:
            return "output_exists";
        case ErrorCode::EncoderUnavailable:
            return "encoder_unavailable";
        case ErrorCode::StreamNotSupported:
            return "stream_not_supported";
        case ErrorCode::OutputVerificationFailed:
            return "output_verification_failed";
        case ErrorCode::EncodeFailed:
            return "encode_failed";
        case ErrorCode::ModelFileMissing:
            return "model_file_missing";
        case ErrorCode::ModelWrongFile:
            return "model_wrong_file";
        case ErrorCode::ModelWrongVersion:
            return "model_wrong_version";
        case ErrorCode::ModelDamaged:
            return "model_damaged";
        case ErrorCode::CheckpointUnsupported:
            return "checkpoint_unsupported";
        case ErrorCode::ModelKeysMismatch:
            return "model_keys_mismatch";
        case ErrorCode::ModelShapeMismatch:
            return "model_shape_mismatch";
        case ErrorCode::DeviceUnavailable:
            return "device_unavailable";
        case ErrorCode::OutOfMemory:
            return "out_of_memory";
        case ErrorCode::DeviceLost:
            return "device_lost";
        case ErrorCode::PrecisionUnsupported:
            return "precision_unsupported";
        case ErrorCode::CheckpointMismatch:
            return "checkpoint_mismatch";
        case ErrorCode::ManifestCorrupt:
            return "manifest_corrupt";
    }
    return "unknown";
}

std::string Error::get(std::string_view key) const {
    for (const auto& [k, v] : context) {
        if (k == key) {
            return v;
        }
    }
    return {};
}

std::string Error::to_string() const {
    std::string out(error_code_name(code));
    if (!detail.empty()) {
        out += ": ";
        out += detail;
    }
    if (!context.empty()) {
        out += " (";
        bool first = true;
        for (const auto& [k, v] : context) {
            if (!first) {
                out += ", ";
            }
            first = false;
            out += k;
            out += '=';
            out += v;
        }
        out += ')';
    }
    return out;
}

void throw_error(ErrorCode code,
                 std::string detail,
                 std::vector<std::pair<std::string, std::string>> context) {
    Error e(code, std::move(detail));
    e.context = std::move(context);
    throw EngineException(std::move(e));
}

}  // namespace engine
