#include "engine/jobs/identity.h"

#include "engine/core/paths.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace engine::jobs {
namespace {
namespace fs = std::filesystem;

class TempDir {
  public:
    TempDir() {
        m_path = fs::temp_directory_path() /
                 ("fvsr-identity-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        engine::remove_tree(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir() { engine::remove_tree(m_path); }
    const fs::path& path() const { return m_path; }

  private:
    fs::path m_path;
};

void write(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

// Reference digests from libxxhash 0.8.1 (XXH64, seed 0 unless noted).
TEST(ContentHasher, MatchesReferenceXxh64) {
    EXPECT_EQ(hash_hex(""), "ef46db3751d8e999");
    EXPECT_EQ(hash_hex("a"), "d24ec4f1a98c6e5b");
    EXPECT_EQ(hash_hex("abc"), "44bc2cf5ad770999");
    std::string long_input;
    for (int r = 0; r < 5; ++r) {
        for (int i = 0; i < 256; ++i) {
            long_input.push_back(static_cast<char>(i));
        }
    }
    long_input += "xyz";
    EXPECT_EQ(hash_hex(long_input), "afd18a3957d3670a");
    ContentHasher seeded(12345);
    seeded.update("abc");
    EXPECT_EQ(seeded.hex_digest(), "01700e64f6f23509");

    // Any split of the input gives the same digest.
    for (std::size_t step : {1u, 3u, 31u, 32u, 33u, 100u}) {
        ContentHasher h;
        for (std::size_t i = 0; i < long_input.size(); i += step) {
            h.update(std::string_view(long_input).substr(i, step));
        }
        EXPECT_EQ(h.hex_digest(), "afd18a3957d3670a") << "step " << step;
    }
}

TEST(HashFile, HashesContentAndReportsMissingFiles) {
    TempDir dir;
    write(dir.path() / "a.bin", "abc");
    auto h = hash_file(dir.path() / "a.bin");
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(*h, "44bc2cf5ad770999");
    EXPECT_EQ(hash_file(dir.path() / "missing").error().code, ErrorCode::FileNotFound);
}

TEST(InputIdentity, SeesContentSizeAndTimeChanges) {
    TempDir dir;
    const fs::path file = dir.path() / "clip.mkv";
    write(file, std::string(3 << 20, 'x'));
    auto a = identify_input_files(file);
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(a->differences(*a).empty());
    EXPECT_EQ(a->size_bytes, 3u << 20);

    // Same size, one byte changed in the tail, time restored: the hash still sees it.
    std::int64_t mtime = a->mtime_ns;
    {
        std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp((3 << 20) - 10);
        f.put('y');
    }
    struct timespec times[2] = {{mtime / 1000000000, mtime % 1000000000},
                                {mtime / 1000000000, mtime % 1000000000}};
    ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
    auto b = identify_input_files(file);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->mtime_ns, mtime);
    auto diffs = a->differences(*b);
    ASSERT_EQ(diffs.size(), 1u);
    EXPECT_NE(diffs[0].find("head_tail_hash"), std::string::npos);

    write(file, "short");
    auto c = identify_input_files(file);
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(a->differences(*c).empty());
}

TEST(InputIdentity, ImageFoldersAndPatterns) {
    TempDir dir;
    for (int i = 0; i < 3; ++i) {
        write(dir.path() / ("f_" + std::to_string(100 + i) + ".png"), "frame" + std::to_string(i));
    }
    write(dir.path() / ".hidden.partial-1.png", "ignored");
    auto folder = identify_input_files(dir.path());
    ASSERT_TRUE(folder.ok());
    EXPECT_EQ(folder->size_bytes, 18u);
    auto pattern = identify_input_files(dir.path() / "f_%03d.png");
    ASSERT_TRUE(pattern.ok());
    EXPECT_EQ(pattern->size_bytes, 18u);
    EXPECT_EQ(pattern->head_tail_hash, folder->head_tail_hash);

    write(dir.path() / "f_103.png", "frame3");  // one more frame
    auto grown = identify_input_files(dir.path());
    ASSERT_TRUE(grown.ok());
    EXPECT_NE(grown->head_tail_hash, folder->head_tail_hash);

    EXPECT_EQ(identify_input_files(dir.path() / "none_%04d.png").error().code,
              ErrorCode::FileNotFound);
}

TEST(ModelIdentity, SizesAndTimesOrSha256Sums) {
    TempDir dir;
    write(dir.path() / "TCDecoder.ckpt", "decoder");
    write(dir.path() / "LQ_proj_in.ckpt", "proj");
    write(dir.path() / "notes.txt", "not a weight file");
    auto a = identify_model_folder(dir.path());
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(a->files.size(), 2u);
    EXPECT_EQ(a->files[0].name, "LQ_proj_in.ckpt");
    EXPECT_GT(a->files[0].mtime_ns, 0);
    EXPECT_TRUE(a->differences(*a).empty());

    write(dir.path() / "TCDecoder.ckpt", "decoder, retrained");
    auto b = identify_model_folder(dir.path());
    ASSERT_TRUE(b.ok());
    ASSERT_FALSE(a->differences(*b).empty());

    const std::string sum(64, 'a');
    write(dir.path() / "SHA256SUMS",
          sum + "  LQ_proj_in.ckpt\n" + std::string(64, 'b') + " *TCDecoder.ckpt\n");
    auto c = identify_model_folder(dir.path());
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->files[0].sha256, sum);
    EXPECT_EQ(c->files[0].mtime_ns, 0);
    EXPECT_EQ(c->files[1].sha256, std::string(64, 'b'));

    EXPECT_EQ(identify_model_folder(dir.path() / "nope").error().code, ErrorCode::ModelFileMissing);
    fs::create_directories(dir.path() / "empty");
    EXPECT_EQ(identify_model_folder(dir.path() / "empty").error().code,
              ErrorCode::ModelFileMissing);
}

}  // namespace
}  // namespace engine::jobs
