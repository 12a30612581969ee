#pragma once
// Shared helpers for the checkpoint tests: golden/fixture paths and temporary directories.

#include "engine/core/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace engine::model::test {

inline std::filesystem::path golden_models() {
    return std::filesystem::path(FVSR_SHARED_DIR) / "golden" / "models";
}

inline std::filesystem::path fixtures() {
    return std::filesystem::path(FVSR_SOURCE_DIR) / "tests" / "data" / "checkpoints";
}

inline std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory under the build tree, removed at destruction.
class TempDir {
  public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_path = std::filesystem::path(FVSR_BINARY_DIR) / "tmp" /
                 (std::string("checkpoint_") + info->test_suite_name() + "_" + info->name() + "_" +
                  std::to_string(::getpid()));
        engine::remove_tree(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ignored;
        engine::remove_tree(m_path, ignored);
    }
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

  private:
    static int next_index() {
        static int index = 0;
        return index++;
    }
    std::filesystem::path m_path;
};

}  // namespace engine::model::test
