#pragma once
// Where a job's files go and in which format: segment chunks, the final sink, picture names,
// checkpoint clean-up. Stateless helpers shared by the runner and assemble_job().

#include "engine/core/cancel_token.h"
#include "engine/io/media.h"
#include "engine/jobs/manifest.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace engine::jobs {

// The input as a job sees it: stream facts and the exact frame count.
struct ProbedSource {
    io::VideoInfo info;
    std::int64_t frames = 0;
};
// Opens spec.input and counts its frames exactly (the demuxer's packet scan, or decoding once for
// streams without one). ZeroFrames when there is none; Cancelled when `cancel` fires meanwhile.
Result<ProbedSource> probe_source(const JobSpec& spec, const CancelToken& cancel);

// The sample type frames are decoded to: U8 for 8-bit sources, F32 for EXR, else U16.
SampleType preferred_sample_type(const io::VideoInfo& info);

// "mkv", "mp4", "mov", "png", "dpx", "exr": spec.output_settings.format, else the output's
// extension, else mkv / png.
std::string output_extension(const JobSpec& spec);

// The processed frames' stored format: output size, the final sink's sample type and depth,
// the source's (or overridden) rate and time base.
Result<IntermediateFormat> intermediate_format(const JobSpec& spec, const io::VideoInfo& info);

// The final output's sink (as the CLI builds it): codec, container, depth, colour tags, HDR
// metadata, passthrough of the source's other streams.
Result<io::SinkOptions> final_sink_options(const JobSpec& spec,
                                           const io::VideoInfo& info,
                                           const IntermediateFormat& format);

// A finished job's final video file, checked as the sink checks it before its rename: the video
// stream's codec and size, its exact frame count (`frames`), and the source's audio, subtitle and
// attachment streams when the assembly copies them (the range starts at frame 0). Used to
// recognise a job whose output is already complete. Ok, OutputVerificationFailed (with "path"
// and what differs), or the error opening it.
Status verify_final_output(const JobSpec& spec,
                           const io::VideoInfo& source_info,
                           const IntermediateFormat& format,
                           std::int64_t frames);

// A lossless FFV1/MKV chunk (RGB, 8 or 16 bits) holding `frames` frames of `format`.
io::SinkOptions segment_sink_options(const std::filesystem::path& path,
                                     const IntermediateFormat& format,
                                     std::int64_t frames);

// "seg_<first>_<end>.mkv" with 10-digit source frame indices.
std::string segment_file_name(const Segment& segment);
// The file name the image-sequence sink gives the frame with source index `index`, and the
// folder it writes to (the output folder, or a pattern's folder).
std::string picture_file_name(const io::SinkOptions& options, std::int64_t index);
std::filesystem::path picture_folder(const io::SinkOptions& options);

// Clean start: removes this range's manifest and the files it lists (the whole folder when it
// is the job's private one).
void remove_checkpoint(const std::filesystem::path& dir,
                       bool private_dir,
                       const std::filesystem::path& manifest_path);
// Crash leftovers: segment chunks of this manifest's range that it does not list, and partial
// files (".<name>.partial-<pid>.<ext>") of this range in the checkpoint folder (any in a private
// folder) and in the picture folder.
void remove_unlisted_segment_files(const Manifest& manifest,
                                   const std::filesystem::path& dir,
                                   bool private_dir,
                                   const std::filesystem::path& pictures_dir);
// Partial files a killed process left for the final output file ("." + name + ".partial-<pid>").
void remove_partial_outputs(const std::filesystem::path& output);
// After a verified assembly: the manifests, their segment chunks, reports, and the folder when
// empty (always when private). The manifests go last, so a crash halfway leaves a manifest that
// still says the job is finished (a rerun recognises it) rather than chunks nobody lists.
void remove_assembled_checkpoint(const std::filesystem::path& dir,
                                 bool private_dir,
                                 const std::vector<const Manifest*>& manifests,
                                 bool pictures);

// upstream's global l_max: peak linear light over sampled frames of the whole input (every
// 10th, at most 500), times the exposure, at least 1.
Result<double> measure_l_max(const JobSpec& spec,
                             SampleType type,
                             std::int64_t total_frames,
                             const CancelToken& cancel);

}  // namespace engine::jobs
