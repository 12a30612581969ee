#include "engine/gpu/allocator_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace {

// Restores PYTORCH_CUDA_ALLOC_CONF as the test found it.
class AllocatorConfigTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const char* value = std::getenv("PYTORCH_CUDA_ALLOC_CONF")) {
            m_saved = value;
            m_had_value = true;
        }
        ::unsetenv("PYTORCH_CUDA_ALLOC_CONF");
    }
    void TearDown() override {
        if (m_had_value) {
            ::setenv("PYTORCH_CUDA_ALLOC_CONF", m_saved.c_str(), 1);
        } else {
            ::unsetenv("PYTORCH_CUDA_ALLOC_CONF");
        }
    }

  private:
    std::string m_saved;
    bool m_had_value = false;
};

TEST_F(AllocatorConfigTest, SetsExpandableSegmentsWhenUnset) {
    EXPECT_TRUE(engine::gpu::configure_cuda_allocator());
    ASSERT_NE(std::getenv("PYTORCH_CUDA_ALLOC_CONF"), nullptr);
    EXPECT_STREQ(std::getenv("PYTORCH_CUDA_ALLOC_CONF"), "expandable_segments:True");
    EXPECT_STREQ(engine::gpu::default_cuda_allocator_config(), "expandable_segments:True");
}

TEST_F(AllocatorConfigTest, KeepsTheUsersSetting) {
    ::setenv("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:512", 1);
    EXPECT_FALSE(engine::gpu::configure_cuda_allocator());
    EXPECT_STREQ(std::getenv("PYTORCH_CUDA_ALLOC_CONF"), "max_split_size_mb:512");
}

}  // namespace
