#include "ui/bridge/error_text.h"

#include <QFileInfo>
#include <QLocale>

namespace ui {
namespace {

QString fact(const engine::Error& e, const char* key) {
    return QString::fromStdString(e.get(key));
}

QString bytesFact(const engine::Error& e, const char* key) {
    bool ok = false;
    const qulonglong bytes = fact(e, key).toULongLong(&ok);
    return ok ? QLocale().formattedDataSize(static_cast<qint64>(bytes)) : QString();
}

}  // namespace

ErrorText ErrorTextBuilder::build(const engine::Error& e) {
    using engine::ErrorCode;
    ErrorText t;
    const QString path = fact(e, "path");
    // Sentences name the file; the full path is in the details.
    const QString file =
        path.isEmpty() ? tr("the file") : tr("\"%1\"").arg(QFileInfo(path).fileName());
    const QString detail = QString::fromStdString(e.detail);
    const QString device = fact(e, "device").isEmpty() ? tr("the device") : fact(e, "device");
    switch (e.code) {
        case ErrorCode::Ok:
            t.title = tr("Done");
            t.what = tr("The operation finished without an error.");
            t.todo = tr("Nothing to do.");
            break;
        case ErrorCode::InvalidArgument:
            t.title = tr("A setting is not valid");
            t.what = fact(e, "option").isEmpty()
                         ? tr("A setting is out of range or does not fit another setting.")
                         : tr("The setting %1 has a value that cannot be used (%2).")
                               .arg(fact(e, "option"), fact(e, "value"));
            t.todo = fact(e, "accepted").isEmpty()
                         ? tr("Check the highlighted settings in the Parameters panel.")
                         : tr("Use one of: %1.").arg(fact(e, "accepted"));
            break;
        case ErrorCode::Internal:
            t.title = tr("Internal error");
            t.what = tr("FlashVSR Studio hit a state it should never reach.");
            t.todo = tr("Save the log (Log panel, Save) and report it with the details below.");
            break;
        case ErrorCode::Cancelled:
            t.title = tr("Stopped");
            t.what = tr("The work was stopped before it finished.");
            t.todo = tr("Start it again to continue; finished parts are kept.");
            break;
        case ErrorCode::FileNotFound:
            t.title = tr("File not found");
            t.what = tr("Cannot find %1.").arg(file);
            t.todo = tr("Check that the file still exists, or open it again from its new place.");
            break;
        case ErrorCode::FileEmpty:
            t.title = tr("Empty file");
            t.what = tr("%1 is empty (0 bytes).").arg(file);
            t.todo = tr("Copy or download the file again.");
            break;
        case ErrorCode::FileTruncated:
            t.title = tr("Incomplete file");
            t.what = tr("%1 ends early: it is incomplete.").arg(file);
            t.todo =
                tr("Copy or download it again; a cut-off recording can often be repaired "
                   "by remuxing it.");
            break;
        case ErrorCode::FileCorrupt:
            t.title = tr("Damaged file");
            t.what = fact(e, "frame").isEmpty()
                         ? tr("%1 is damaged and cannot be decoded.").arg(file)
                         : tr("%1 is damaged at frame %2.").arg(file, fact(e, "frame"));
            t.todo = tr("Try another copy of the file, or re-encode it first.");
            break;
        case ErrorCode::FileUnreadable:
            t.title = tr("Cannot read the file");
            t.what = tr("%1 exists but cannot be read.").arg(file);
            t.todo = tr("Check the file's permissions and that the disk is connected.");
            break;
        case ErrorCode::UnsupportedFormat:
            t.title = tr("Format not supported");
            t.what = tr("%1 is not a video or picture format FlashVSR Studio can read.").arg(file);
            t.todo = tr("Convert it to MKV or MP4, or to a PNG, EXR or DPX sequence.");
            break;
        case ErrorCode::UnsupportedPixelFormat:
            t.title = tr("Pixel format not supported");
            t.what = fact(e, "pixel_format").isEmpty()
                         ? tr("%1 stores its pictures in a way that cannot be converted to RGB.")
                               .arg(file)
                         : tr("%1 uses the pixel format %2, which cannot be converted to RGB.")
                               .arg(file, fact(e, "pixel_format"));
            t.todo = tr("Re-encode it to a common format such as 10-bit 4:2:0.");
            break;
        case ErrorCode::NoVideoStream:
            t.title = tr("No video in the file");
            t.what = tr("%1 contains no video stream.").arg(file);
            t.todo = tr("Choose a file that contains video.");
            break;
        case ErrorCode::ZeroFrames:
            t.title = tr("No frames");
            t.what = tr("%1 contains no frames.").arg(file);
            t.todo = tr("Choose a video or a folder with numbered pictures.");
            break;
        case ErrorCode::InputChanged:
            t.title = tr("The input changed");
            t.what = tr("%1 is not the same file this job was started from.").arg(file);
            t.todo = tr("Start the job again from the beginning.");
            break;
        case ErrorCode::OutputNotWritable:
            t.title = tr("Cannot write the output");
            t.what = tr("Cannot write %1.").arg(file);
            t.todo = tr("Choose an output folder you can write to.");
            break;
        case ErrorCode::DiskFull:
            t.title = tr("Disk full");
            t.what = tr("The disk filled up while writing %1.").arg(file);
            t.todo =
                tr("Free some space or choose another output folder; finished parts were "
                   "kept.");
            break;
        case ErrorCode::OutputExists:
            t.title = tr("Output already exists");
            t.what = tr("%1 already exists.").arg(file);
            t.todo = tr("Change the output name, or turn on \"Replace existing output\".");
            break;
        case ErrorCode::EncoderUnavailable:
            t.title = tr("Encoder not available");
            t.what = tr("The encoder %1 is not part of this FFmpeg build.")
                         .arg(fact(e, "encoder").isEmpty() ? fact(e, "codec") : fact(e, "encoder"));
            t.todo = tr("Choose another codec, for example H.264 or FFV1.");
            break;
        case ErrorCode::StreamNotSupported:
            t.title = tr("Stream cannot be copied");
            t.what = tr("The output format cannot hold stream %1 (%2) of the input.")
                         .arg(fact(e, "stream"), fact(e, "codec"));
            t.todo = fact(e, "suggested_container").isEmpty()
                         ? tr("Use MKV (it holds every stream), or turn off \"Copy other "
                              "streams\".")
                         : tr("Use %1, or turn off \"Copy other streams\".")
                               .arg(fact(e, "suggested_container").toUpper());
            break;
        case ErrorCode::OutputVerificationFailed:
            t.title = tr("Output check failed");
            t.what = tr("The finished output %1 does not match what was written, so it was not "
                        "moved into place.")
                         .arg(file);
            t.todo = tr("Run the job again; if it happens again, report it with the details.");
            break;
        case ErrorCode::EncodeFailed:
            t.title = tr("Encoding failed");
            t.what = tr("The encoder stopped while writing %1.").arg(file);
            t.todo = tr("Try another codec or container.");
            break;
        case ErrorCode::ModelFileMissing:
            t.title = tr("Model file missing");
            t.what = tr("The FlashVSR model file %1 is missing.").arg(file);
            t.todo =
                tr("Download the model files (see README, \"Model files\") and set the "
                   "Model folder, or use a classic upscaler.");
            break;
        case ErrorCode::ModelWrongFile:
            t.title = tr("Wrong model file");
            t.what = tr("%1 is not the FlashVSR file expected here.").arg(file);
            t.todo = tr("Put the right file in the model folder (see README, \"Model files\").");
            break;
        case ErrorCode::ModelWrongVersion:
            t.title = tr("Model version mismatch");
            t.what = tr("%1 belongs to the other FlashVSR version.").arg(file);
            t.todo =
                tr("Set Model version to match the files, or download the files of this "
                   "version.");
            break;
        case ErrorCode::ModelDamaged:
            t.title = tr("Damaged model file");
            t.what = tr("%1 is damaged (its size or checksum is wrong).").arg(file);
            t.todo = tr("Download it again.");
            break;
        case ErrorCode::CheckpointUnsupported:
            t.title = tr("Model format not supported");
            t.what = tr("%1 is stored in a format FlashVSR Studio does not read.").arg(file);
            t.todo = tr("Use the model files as published (safetensors or PyTorch .pth).");
            break;
        case ErrorCode::ModelKeysMismatch:
            t.title = tr("Model does not match");
            t.what = fact(e, "missing_count").isEmpty()
                         ? tr("%1 does not match this version of FlashVSR.").arg(file)
                         : tr("%1 does not match this version of FlashVSR (%2 weights missing, "
                              "first: %3).")
                               .arg(file, fact(e, "missing_count"), fact(e, "key"));
            t.todo = tr("Download it again, or check Model version.");
            break;
        case ErrorCode::ModelShapeMismatch:
            t.title = tr("Model does not match");
            t.what = fact(e, "key").isEmpty()
                         ? tr("A weight in %1 has the wrong shape for this FlashVSR.").arg(file)
                         : tr("The weight %2 in %1 has the wrong shape for this FlashVSR.")
                               .arg(file, fact(e, "key"));
            t.todo = tr("Download it again, or check Model version.");
            break;
        case ErrorCode::DeviceUnavailable:
            t.title = tr("Device not available");
            t.what = tr("The device %1 cannot be used.").arg(device);
            t.todo = tr("Pick a GPU listed in the Devices panel, or set Device to cpu.");
            break;
        case ErrorCode::OutOfMemory: {
            t.title = tr("Out of GPU memory");
            const QString needed = bytesFact(e, "needed_bytes");
            const QString size = fact(e, "width").isEmpty()
                                     ? QString()
                                     : tr("%1×%2").arg(fact(e, "width"), fact(e, "height"));
            if (!size.isEmpty()) {
                t.what = tr("%1 ran out of memory upscaling %2.").arg(device, size);
            } else if (!needed.isEmpty()) {
                t.what = tr("%1 ran out of memory (%2 more were needed).").arg(device, needed);
            } else {
                t.what = tr("%1 ran out of memory.").arg(device);
            }
            t.todo =
                tr("Use the \"Low VRAM\" preset or Tiny mode, or run the job on a GPU with "
                   "more memory.");
            break;
        }
        case ErrorCode::DeviceLost:
            t.title = tr("GPU stopped responding");
            t.what = tr("%1 stopped responding during the job.").arg(device);
            t.todo =
                tr("Check the driver (nvidia-smi) and run the job again; finished parts "
                   "were kept.");
            break;
        case ErrorCode::PrecisionUnsupported:
            t.title = tr("Precision not supported");
            t.what = fact(e, "precision").isEmpty()
                         ? tr("%1 cannot run this precision.").arg(device)
                         : tr("%1 cannot run %2.").arg(device, fact(e, "precision"));
            t.todo = tr("Set Precision to Automatic (fp32 on the CPU, bf16 or fp16 on a GPU).");
            break;
        case ErrorCode::CheckpointMismatch:
            t.title = tr("Saved progress does not match");
            t.what =
                tr("The saved progress of this job was made with other settings or model "
                   "files.");
            t.todo = tr("Start the job again from the beginning, or restore the old settings.");
            break;
        case ErrorCode::ManifestCorrupt:
            t.title = tr("Saved progress is damaged");
            t.what = tr("The saved progress of this job cannot be read.");
            t.todo = tr("Start the job again from the beginning.");
            break;
    }
    if (t.title.isEmpty()) {
        t.title = tr("Unexpected error");
        t.what = tr("An error with an unknown code (%1) happened.").arg(static_cast<int>(e.code));
        t.todo = tr("Save the log and report it with the details below.");
    }
    QStringList lines;
    lines << tr("Code: %1 (%2)")
                 .arg(QString::fromLatin1(engine::error_code_name(e.code).data(),
                                          static_cast<int>(engine::error_code_name(e.code).size())))
                 .arg(static_cast<int>(e.code));
    if (!detail.isEmpty()) {
        lines << tr("Detail: %1").arg(detail);
    }
    for (const auto& [key, value] : e.context) {
        lines << QStringLiteral("%1: %2").arg(QString::fromStdString(key),
                                              QString::fromStdString(value));
    }
    t.details = lines.join(QLatin1Char('\n'));
    return t;
}

}  // namespace ui
