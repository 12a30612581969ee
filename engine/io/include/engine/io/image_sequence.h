#pragma once
// Image sequences: input from a folder (sorted by the number in each name) or a printf pattern,
// output as zero-padded numbered files, each written to a temporary name then renamed, so a
// sequence is resumable by construction (frames already present can be skipped).
// Formats: read PNG 8/16, JPEG, TIFF, DPX 10/12/16, OpenEXR half/float; write PNG 8/16,
// DPX 10/16 (our own writer), OpenEXR half/float (PIZ, ZIP, DWAA).

#include <filesystem>
#include <memory>

#include "engine/io/media.h"

namespace engine::io {

// True when `input` is a folder, a printf pattern ("%06d"), or a single still image file.
bool is_image_sequence_input(const std::filesystem::path& input);

Result<std::unique_ptr<FrameSource>> open_image_sequence_source(const SourceOptions& options);
Result<std::unique_ptr<FrameSink>> open_image_sequence_sink(const SinkOptions& options);

}  // namespace engine::io
