#pragma once
// What turns input frames into output frames: the FlashVSR model or a classic scaler. Both are
// streaming: push() may return zero or more finished frames (the model has look-ahead), finish()
// returns the rest, so exactly as many frames come out as went in.

#include "cli_options.h"
#include "engine/core/cancel_token.h"
#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/io/media.h"

#include <memory>
#include <string>
#include <vector>

namespace cli {

class FrameProcessor {
  public:
    virtual ~FrameProcessor() = default;
    virtual int output_width() const = 0;
    virtual int output_height() const = 0;
    virtual engine::Status push(const engine::Frame& frame, std::vector<engine::Frame>& out) = 0;
    virtual engine::Status finish(std::vector<engine::Frame>& out) = 0;
    virtual std::string description() const = 0;
};

// What an HDR source is wrapped as (--hdr_mode): None = processed as SDR signal values.
enum class HdrSource { None, PQ, HLG, Linear };

// Builds the processor the options ask for, for frames of width x height.
engine::Result<std::unique_ptr<FrameProcessor>> make_processor(const Options& options,
                                                               int width,
                                                               int height,
                                                               const engine::CancelToken& cancel);

// Decides from --hdr_mode and the source's transfer whether frames are tone-mapped around the
// processor; when they are, returns a wrapper (l_max from --global_l_max or a pre-scan of the
// input). linear_output: hand linear light to the sink (float EXR) instead of the source's
// PQ/HLG signal.
HdrSource hdr_source_of(const Options& options, const engine::io::VideoInfo& info);
engine::Result<std::unique_ptr<FrameProcessor>> wrap_for_hdr(const Options& options,
                                                             const engine::io::VideoInfo& info,
                                                             std::unique_ptr<FrameProcessor> inner,
                                                             bool linear_output);

}  // namespace cli
