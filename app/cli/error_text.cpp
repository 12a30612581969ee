#include "error_text.h"

namespace cli {

using engine::ErrorCode;

std::string describe_error(const engine::Error& e) {
    const std::string path = e.get("path");
    const std::string file = path.empty() ? std::string("the file") : "'" + path + "'";
    const std::string checkpoint = e.get("checkpoint");
    std::string what;
    std::string todo;
    switch (e.code) {
        case ErrorCode::Ok:
            return "no error";
        case ErrorCode::InvalidArgument:
            what = "Invalid command line: " + e.detail + ".";
            todo = "Run 'flashvsr --help' for the accepted options.";
            break;
        case ErrorCode::Cancelled:
            what = "Stopped by the user.";
            todo = checkpoint.empty()
                       ? "Partial output was removed."
                       : "Finished segments were kept in '" + checkpoint +
                             "'. Run the same command again to resume (--clean-checkpoint starts "
                             "over).";
            break;
        case ErrorCode::FileNotFound:
            what = "Cannot find " + file + ".";
            todo = "Check the path (quote paths that contain spaces).";
            break;
        case ErrorCode::FileEmpty:
            what = file + " is empty (0 bytes).";
            todo = "Copy or download the file again.";
            break;
        case ErrorCode::FileTruncated:
            what = file + " ends early: it is incomplete.";
            todo = "Copy or download the file again; if it is a recording, remux it with ffmpeg.";
            break;
        case ErrorCode::FileCorrupt:
            what = file + " is damaged and cannot be decoded.";
            todo = "Try another copy of the file, or re-encode it with ffmpeg first.";
            break;
        case ErrorCode::FileUnreadable:
            what = "Cannot read " + file + ".";
            todo = "Check the file's permissions and the disk.";
            break;
        case ErrorCode::UnsupportedFormat:
            what = file + " is not a video or image format FlashVSR Studio can read.";
            todo = "Convert it to MKV/MP4 or a PNG/EXR/DPX sequence.";
            break;
        case ErrorCode::UnsupportedPixelFormat:
            what = file + " uses a pixel format that cannot be converted to RGB.";
            todo = "Re-encode it to a common format (for example yuv420p10le) with ffmpeg.";
            break;
        case ErrorCode::NoVideoStream:
            what = file + " contains no video stream.";
            todo = "Choose a file that contains video.";
            break;
        case ErrorCode::ZeroFrames:
            what = file + " contains no frames.";
            todo = "Choose a non-empty video or image folder.";
            break;
        case ErrorCode::InputChanged:
            what = "The input changed since this job was started (" + e.detail + ").";
            todo =
                "Start the job again from the beginning (--clean-checkpoint), or restore the "
                "original input.";
            break;
        case ErrorCode::OutputNotWritable:
            what = "Cannot write " + file + ".";
            todo = "Choose an output folder you can write to.";
            break;
        case ErrorCode::DiskFull:
            what = "The disk is full while writing " + file + ".";
            todo = "Free some space or choose another output folder; finished work was kept.";
            break;
        case ErrorCode::OutputExists:
            what = file + " already exists.";
            todo = "Choose another output name, or pass --overwrite True.";
            break;
        case ErrorCode::EncoderUnavailable:
            what = "The encoder " + e.get("encoder") + " is not available in this FFmpeg build.";
            todo = "Choose another codec with --codec (for example h264 or ffv1).";
            break;
        case ErrorCode::StreamNotSupported:
            what = "The output container cannot hold stream " + e.get("stream") + " (" +
                   e.get("codec") + ") of the source.";
            todo = "Use an .mkv output (it holds every stream), or pass --copy_streams False.";
            break;
        case ErrorCode::OutputVerificationFailed:
            what = "The finished output does not match what was expected (" + e.detail + ").";
            todo = "The output was not moved into place; run the job again and report this.";
            break;
        case ErrorCode::EncodeFailed:
            what = "Encoding failed: " + e.detail + ".";
            todo = "Try another codec or container.";
            break;
        case ErrorCode::ModelFileMissing:
            what = "The model file " + file + " is missing.";
            todo =
                "Download it (see README, 'Model files'), pass --model_dir, or use --upscaler "
                "bicubic for a classic upscale.";
            break;
        case ErrorCode::ModelWrongFile:
            what = file + " is not the FlashVSR file expected here (" + e.detail + ").";
            todo = "Put the right file in the model folder (see README, 'Model files').";
            break;
        case ErrorCode::ModelWrongVersion:
            what = file + " belongs to the other FlashVSR version.";
            todo = "Pass the matching --model_ver, or download the files of this version.";
            break;
        case ErrorCode::ModelDamaged:
            what = file + " is damaged (" + e.detail + ").";
            todo = "Download it again.";
            break;
        case ErrorCode::CheckpointUnsupported:
            what = file + " is stored in a format we do not read (" + e.detail + ").";
            todo = "Use the files as published, or re-save them with a current PyTorch.";
            break;
        case ErrorCode::ModelKeysMismatch:
        case ErrorCode::ModelShapeMismatch:
            what = file + " does not match this version of FlashVSR (" + e.detail + ").";
            todo = "Download it again or check --model_ver.";
            break;
        case ErrorCode::DeviceUnavailable:
            what = "The device " + e.get("device") + " is not available (" + e.detail + ").";
            todo = "Run 'flashvsr devices' to see what is available, or pass --device cpu.";
            break;
        case ErrorCode::OutOfMemory:
            what = "The device ran out of memory (" + e.detail + ").";
            todo =
                "Add --tiled_dit True --tile_size auto (or a smaller --tile_size), or use a GPU "
                "with more memory; finished segments were kept.";
            break;
        case ErrorCode::DeviceLost:
            what = "The GPU stopped responding (" + e.detail + ").";
            todo = "Check the driver (nvidia-smi) and run the job again; finished work was kept.";
            break;
        case ErrorCode::PrecisionUnsupported:
            what = "This precision is not supported on this device (" + e.detail + ").";
            todo = "Use --precision fp32 on CPU, bf16 or fp16 on GPU.";
            break;
        case ErrorCode::CheckpointMismatch:
            what = "This job was started with other settings or model files (" + e.detail + ").";
            todo =
                "Run it with the same options as before to resume, or add --clean-checkpoint "
                "to start over" +
                (checkpoint.empty() ? std::string(".") : " (checkpoint '" + checkpoint + "').");
            break;
        case ErrorCode::ManifestCorrupt:
            what = "The saved progress of this job cannot be read (" + e.detail + ").";
            todo = "Start the job again from the beginning (--clean-checkpoint).";
            break;
        case ErrorCode::Internal:
            what = "Internal error: " + e.detail + ".";
            todo = "Please report this with the command line you used.";
            break;
    }
    return what + "\n  " + todo;
}

}  // namespace cli
