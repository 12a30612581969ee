#include "checkpoint/parsed_checkpoint.h"

namespace engine::model::detail {

Result<ParsedCheckpoint> parse_torch_zip(ByteView bytes, const std::string& label) {
    (void)bytes;
    return Error(ErrorCode::CheckpointUnsupported, "zip checkpoints are read in the next commit")
        .with("path", label);
}

}  // namespace engine::model::detail
