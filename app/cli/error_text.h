#pragma once
// Words for engine errors on the command line: what failed, why (with the facts the engine gave),
// and one thing to do. The GUI has its own translated wording (ui/bridge/error_text).

#include "engine/core/error.h"

#include <string>

namespace cli {

std::string describe_error(const engine::Error& error);

}  // namespace cli
