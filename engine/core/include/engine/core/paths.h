#pragma once
// User directories (XDG Base Directory spec) and atomic file helpers.

#include "engine/core/result.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace engine {

// $XDG_DATA_HOME/flashvsr-studio or ~/.local/share/flashvsr-studio
std::filesystem::path user_data_dir();
// $XDG_CACHE_HOME/flashvsr-studio or ~/.cache/flashvsr-studio
std::filesystem::path user_cache_dir();
// $XDG_CONFIG_HOME/flashvsr-studio or ~/.config/flashvsr-studio
std::filesystem::path user_config_dir();

// Default model folder: $FLASHVSR_MODEL_DIR if set, else user_data_dir()/models.
std::filesystem::path default_model_dir();

// A sibling temporary name for `final_path` (same directory, so rename is atomic):
// "<dir>/.<name>.partial-<pid><ext>". The extension is kept so muxers can guess the format.
std::filesystem::path partial_path_for(const std::filesystem::path& final_path);

// Writes `bytes` to a temporary sibling, fsyncs it, then renames over `path`.
Status write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Renames `from` onto `to` (same filesystem) and fsyncs the directory.
Status commit_rename(const std::filesystem::path& from, const std::filesystem::path& to);

// Maps errno from a failed write/open to ErrorCode (ENOSPC -> DiskFull, EACCES ->
// OutputNotWritable).
Error error_from_errno(int err, std::string_view what, const std::filesystem::path& path);

// Removes `path` and everything below it (symbolic links are removed, never followed); returns
// the number of entries removed, 0 when `path` does not exist. Use this instead of
// std::filesystem::remove_all: the LibTorch of PyTorch's CUDA wheels exports its own copy of that
// function, which the dynamic linker binds our calls to and which crashes (seen with torch 2.11).
std::uintmax_t remove_tree(const std::filesystem::path& path, std::error_code& error);
// Same, throwing std::filesystem::filesystem_error on failure.
std::uintmax_t remove_tree(const std::filesystem::path& path);

// Lossless string conversion for paths with non-ASCII characters (UTF-8 on Linux).
inline std::string path_string(const std::filesystem::path& p) {
    return p.u8string();
}

}  // namespace engine
