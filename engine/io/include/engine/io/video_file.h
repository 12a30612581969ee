#pragma once
// Video files through FFmpeg: any container/codec FFmpeg reads; encoding to H.264, H.265, AV1,
// ProRes and FFV1 with bit-exact passthrough of the source's other streams.

#include <memory>

#include "engine/io/media.h"

namespace engine::io {

Result<std::unique_ptr<FrameSource>> open_video_source(const SourceOptions& options);
Result<std::unique_ptr<FrameSink>> open_video_sink(const SinkOptions& options);

}  // namespace engine::io
