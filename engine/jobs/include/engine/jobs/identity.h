#pragma once
// Identities recorded in resume manifests: of the input (is it still the same file?), of the
// model files (same weights?) and of written segment files (complete and untouched?).
//
// Content hashes are XXH64 (seed 0), printed as 16 lowercase hex digits: fast enough to re-hash
// multi-GB segment files on resume, and meant to catch torn or damaged files, not tampering.
// All functions are stateless and thread-safe.

#include "engine/core/result.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace engine::jobs {

// Streaming XXH64 (the reference algorithm, same digests as libxxhash's XXH64()).
class ContentHasher {
  public:
    explicit ContentHasher(std::uint64_t seed = 0);
    void update(const void* data, std::size_t size_bytes);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    // Digest of everything so far; the hasher may keep being updated afterwards.
    std::uint64_t digest() const;
    std::string hex_digest() const;

  private:
    std::uint64_t m_seed;
    std::uint64_t m_acc[4];
    unsigned char m_buffer[32];
    std::size_t m_buffered = 0;
    std::uint64_t m_total_bytes = 0;
};

std::string hash_hex(std::string_view bytes);
std::string to_hex64(std::uint64_t value);

// XXH64 of a whole file; FileNotFound / FileUnreadable.
Result<std::string> hash_file(const std::filesystem::path& path);

// What the input was when the checkpoint was made. For an image folder or pattern, size is the
// sum over the matched files, mtime the newest, and head_tail_hash covers every name and size
// plus the first and last file's head and tail.
struct InputIdentity {
    std::string path;  // absolute, UTF-8
    std::uint64_t size_bytes = 0;
    std::int64_t mtime_ns = 0;
    std::string head_tail_hash;  // XXH64 of the first and last MiB and the size
    std::int64_t frame_count = -1;
    int width = 0;
    int height = 0;

    // Differences as "field: was X, now Y" (empty = same). frame_count/size -1/0 compare too.
    std::vector<std::string> differences(const InputIdentity& now) const;
};

// Files only (frame count and size are filled by the caller from the opened source).
Result<InputIdentity> identify_input_files(const std::filesystem::path& input);

struct ModelFileIdentity {
    std::string name;  // file name inside the model folder
    std::uint64_t size_bytes = 0;
    std::int64_t mtime_ns = 0;  // 0 when sha256 is known (copies keep their identity)
    std::string sha256;         // from SHA256SUMS in the folder, when present
};

struct ModelIdentity {
    std::string kind;  // "flashvsr", or "builtin:bicubic" / "builtin:lanczos" (no files)
    std::string folder;
    std::vector<ModelFileIdentity> files;  // sorted by name

    std::vector<std::string> differences(const ModelIdentity& now) const;
};

// Weight files (.safetensors .ckpt .pth .pt .bin) in `folder`, by size + mtime, or by the
// SHA-256 sums listed in `folder`/SHA256SUMS (sha256sum format) for the files it names.
// ModelFileMissing when the folder does not exist or holds no weight file.
Result<ModelIdentity> identify_model_folder(const std::filesystem::path& folder);

// Last modification time in ns since the epoch, 0 when unknown.
std::int64_t file_mtime_ns(const std::filesystem::path& path);

}  // namespace engine::jobs
