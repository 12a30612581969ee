#include "engine/io/media.h"

#include "engine/io/image_sequence.h"
#include "engine/io/video_file.h"
#include "engine/io/y4m.h"

namespace engine::io {

namespace {

// Y4M goes to our own reader/writer in every build (FFmpeg could read it too, but one code path
// keeps results the same with and without FFmpeg).
bool y4m_output(const SinkOptions& options) {
    return options.mode == OutputMode::Video &&
           (is_y4m_path(options.output) || options.container == "y4m");
}

}  // namespace

Result<std::unique_ptr<FrameSource>> open_source(const SourceOptions& options) {
    if (is_y4m_path(options.input)) {
        return open_y4m_source(options);
    }
    if (is_image_sequence_input(options.input)) {
        return open_image_sequence_source(options);
    }
    return open_video_source(options);
}

Result<std::unique_ptr<FrameSink>> open_sink(const SinkOptions& options) {
    if (options.mode == OutputMode::Pictures) {
        return open_image_sequence_sink(options);
    }
    if (y4m_output(options)) {
        return open_y4m_sink(options);
    }
    return open_video_sink(options);
}

}  // namespace engine::io
