#include "engine/core/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace engine {
namespace {
namespace fs = std::filesystem;

TEST(PathsTest, XdgVariablesAreHonoured) {
    ::setenv("XDG_CACHE_HOME", "/tmp/fvsr-xdg-cache", 1);
    EXPECT_EQ(user_cache_dir(), fs::path("/tmp/fvsr-xdg-cache/flashvsr-studio"));
    ::unsetenv("XDG_CACHE_HOME");
    ::setenv("HOME", "/home/someone", 1);
    EXPECT_EQ(user_cache_dir(), fs::path("/home/someone/.cache/flashvsr-studio"));
    ::setenv("FLASHVSR_MODEL_DIR", "/models/here", 1);
    EXPECT_EQ(default_model_dir(), fs::path("/models/here"));
    ::unsetenv("FLASHVSR_MODEL_DIR");
    EXPECT_EQ(default_model_dir(), fs::path("/home/someone/.local/share/flashvsr-studio/models"));
}

TEST(PathsTest, PartialPathIsHiddenSiblingKeepingExtension) {
    fs::path p = partial_path_for(fs::u8path("/out/dir/vidéo 4x.mkv"));
    EXPECT_EQ(p.parent_path(), fs::path("/out/dir"));
    EXPECT_EQ(p.extension(), fs::path(".mkv"));
    EXPECT_EQ(p.filename().u8string().rfind(".vidéo 4x.partial-", 0), 0u);
}

TEST(PathsTest, AtomicWriteReplacesContent) {
    fs::path dir = fs::temp_directory_path() / fs::u8path("fvsr paths ✓");
    fs::create_directories(dir);
    fs::path file = dir / "manifest.json";
    ASSERT_TRUE(write_file_atomically(file, "first").ok());
    ASSERT_TRUE(write_file_atomically(file, "second").ok());
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), "second");
    int leftovers = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        leftovers += entry.path().filename().u8string().find(".partial-") != std::string::npos;
    }
    EXPECT_EQ(leftovers, 0);
    fs::remove_all(dir);
}

TEST(PathsTest, AtomicWriteToMissingDirectoryFailsWithPath) {
    auto status = write_file_atomically("/nonexistent-dir-fvsr/x.json", "x");
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().get("path").find("nonexistent-dir-fvsr"), std::string::npos);
}

TEST(PathsTest, ErrnoMapping) {
    EXPECT_EQ(error_from_errno(ENOSPC, "w", "/x").code, ErrorCode::DiskFull);
    EXPECT_EQ(error_from_errno(EACCES, "w", "/x").code, ErrorCode::OutputNotWritable);
}

}  // namespace
}  // namespace engine
