#include "engine/core/paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

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
    engine::remove_tree(dir);
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

TEST(PathsTest, RemoveTreeRemovesEverythingButFollowsNoLink) {
    const auto base =
        fs::temp_directory_path() / ("fvsr_remove_tree_" + std::to_string(::getpid()));
    const auto outside = base / "outside";
    const auto tree = base / "tree";
    fs::create_directories(outside);
    fs::create_directories(tree / "a" / "b" / "c");
    std::ofstream(outside / "keep.txt") << "keep";
    std::ofstream(tree / "a" / "b" / "c" / "deep.txt") << "x";
    std::ofstream(tree / "top.txt") << "y";
    fs::create_directory_symlink(outside, tree / "a" / "link");
    std::error_code error;
    EXPECT_EQ(remove_tree(tree, error), 7u);  // a, b, c, deep.txt, top.txt, link, tree
    EXPECT_FALSE(error) << error.message();
    EXPECT_FALSE(fs::exists(tree));
    EXPECT_TRUE(fs::exists(outside / "keep.txt"));  // the link was removed, not followed
    EXPECT_EQ(remove_tree(tree, error), 0u);        // already gone: nothing to do, no error
    EXPECT_FALSE(error);
    std::ofstream(base / "file.txt") << "z";
    EXPECT_EQ(remove_tree(base / "file.txt"), 1u);
    EXPECT_EQ(remove_tree(base), 3u);  // outside/keep.txt, outside, base
}

}  // namespace
}  // namespace engine
