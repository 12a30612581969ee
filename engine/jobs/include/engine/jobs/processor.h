#pragma once
// What turns input frames into output frames: the FlashVSR upscaler or a classic scaler,
// optionally wrapped in HDR tone mapping. Both are streaming: push() may return zero or more
// finished frames (the model looks ahead), finish() returns the rest, so exactly as many frames
// come out as went in, in input order, each keeping its source `index` and `pts`.
//
// One instance = one run (one segment): the FlashVSR state (KV caches, decoder memories) starts
// fresh in every instance. Driven by one thread at a time; torch never appears here.

#include "engine/core/cancel_token.h"
#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/jobs/job_spec.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace engine::jobs {

class FrameProcessor {
  public:
    virtual ~FrameProcessor() = default;
    virtual int output_width() const = 0;
    virtual int output_height() const = 0;
    // `frame`: RGB, the size given at creation, any sample type. Appends finished frames (F32 for
    // FlashVSR and HDR, else the input's type) to `out`.
    virtual Status push(const Frame& frame, std::vector<Frame>& out) = 0;
    // End of input: appends finished frames. A processor may hand the rest out in slices (a
    // tile-major FlashVSR run reads its frames back from disk): call finish() again until a call
    // appends nothing; after that it returns OK and appends nothing.
    virtual Status finish(std::vector<Frame>& out) = 0;
    // "bicubic", "FlashVSR on cuda:0 bf16", "... with logarithmic tone mapping"
    virtual std::string description() const = 0;
};

struct ProcessorContext {
    int width = 0;  // input frame size
    int height = 0;
    std::string device;  // the worker's device; empty: spec.model.device
    CancelToken cancel;
    ColorInfo source_color;           // decides HdrMode::Auto
    std::optional<double> hdr_l_max;  // required when tone mapping applies
    // Where a tile-major FlashVSR run keeps its tile outputs while the segment runs (the job's
    // work folder, next to its segment files); empty: the system temporary folder.
    std::filesystem::path scratch_dir;
    // FlashVSR: the pipeline's progress within a run (UpscalerEvents::on_chunk's stage: "chunk 4",
    // a tile-major run's "tile 3/10, chunk 5/12" while no frame comes out, then "frames 9-16/40").
    // Called on the thread driving the processor; must not block. Empty: not reported.
    std::function<void(const std::string& stage)> on_stage;
    // The sample type the caller keeps the frames in. A FlashVSR run without tone mapping hands
    // its frames out in it (rounded on the GPU, the same values as from_float()); other
    // processors may still hand out F32, so the caller converts whatever type comes.
    SampleType output_type = SampleType::F32;
};

// Builds the processor the spec asks for. FlashVSR errors: ModelFileMissing ... DeviceUnavailable.
Result<std::unique_ptr<FrameProcessor>> make_processor(const JobSpec& spec,
                                                       const ProcessorContext& context);

// `inner` wrapped in HDR tone mapping when the spec tone-maps context.source_color (else `inner`
// as it is): frames are tone-mapped before `inner` and restored after it. Its finish() forwards
// the inner one's slices one per call and keeps the slicing contract above. Internal error when
// tone mapping applies and context.hdr_l_max is empty.
Result<std::unique_ptr<FrameProcessor>> with_tone_mapping(std::unique_ptr<FrameProcessor> inner,
                                                          const JobSpec& spec,
                                                          const ProcessorContext& context);

// What builds a segment's processor. The runner uses make_processor unless the job was submitted
// with another one (SubmitOptions::processor_factory: tests inject failing or instrumented
// processors). Called on worker threads, possibly on several at once.
using ProcessorFactory =
    std::function<Result<std::unique_ptr<FrameProcessor>>(const JobSpec& spec,
                                                          const ProcessorContext& context)>;

// Whether the spec tone-maps a source with this colour description (HdrSettings::mode).
bool uses_tone_mapping(const JobSpec& spec, const ColorInfo& source_color);

// Linear light of one source frame as the tone mapper sees it (PQ/HLG decoded to linear with
// 1.0 = 100 cd/m^2; other transfers read as linear), for measuring the global l_max.
Frame hdr_linear_frame(const Frame& frame, const ColorInfo& source_color, int threads = 0);

// The model folder the spec uses: spec.model.model_dir, or the default folder (or its v1.0 /
// v1.1 sub-folder when present).
std::filesystem::path resolve_model_dir(const JobSpec& spec);

}  // namespace engine::jobs
