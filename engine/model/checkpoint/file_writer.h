#pragma once
// Streams a file to a temporary sibling and renames it into place on commit(), so a crash or a
// full disk never leaves a half-written checkpoint under the final name.

#include "engine/core/result.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>

namespace engine::model::detail {

class FileWriter {
  public:
    FileWriter() = default;
    ~FileWriter();  // removes the temporary file unless committed
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    Status open(const std::filesystem::path& final_path);
    // Errors are remembered and reported by commit(), so callers can write without checking.
    void write(const void* data, std::size_t size_bytes);
    void write_zeros(std::size_t size_bytes);
    std::uint64_t position() const { return m_position; }
    // fsync, close, rename over the final path.
    Status commit();

  private:
    int m_fd = -1;
    std::filesystem::path m_final_path;
    std::filesystem::path m_partial_path;
    std::uint64_t m_position = 0;
    std::optional<Error> m_error;
};

}  // namespace engine::model::detail
