#include "engine/io/media.h"

#include "engine/io/image_sequence.h"
#include "engine/io/video_file.h"

namespace engine::io {

Result<std::unique_ptr<FrameSource>> open_source(const SourceOptions& options) {
    if (is_image_sequence_input(options.input)) {
        return open_image_sequence_source(options);
    }
    return open_video_source(options);
}

Result<std::unique_ptr<FrameSink>> open_sink(const SinkOptions& options) {
    if (options.mode == OutputMode::Pictures) {
        return open_image_sequence_sink(options);
    }
    return open_video_sink(options);
}

}  // namespace engine::io
