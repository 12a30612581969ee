#pragma once
// A fresh folder per test, removed afterwards.

#include "engine/core/paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace fvsr_test {

class TempDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = std::filesystem::temp_directory_path() /
                ("fvsr-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
                 std::to_string(::getpid()));
        engine::remove_tree(m_dir);
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ec;
        engine::remove_tree(m_dir, ec);
    }
    std::filesystem::path path(const std::string& name) const { return m_dir / name; }
    const std::filesystem::path& dir() const { return m_dir; }

  private:
    std::filesystem::path m_dir;
};

}  // namespace fvsr_test
