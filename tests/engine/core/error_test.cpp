#include "engine/core/error.h"

#include "engine/core/result.h"

#include <gtest/gtest.h>

#include <set>

namespace engine {
namespace {

TEST(ErrorTest, ToStringCarriesCodeDetailAndContext) {
    Error e(ErrorCode::FileNotFound, "open input");
    e.with("path", "/tmp/a b.mp4").with("errno", "2");
    EXPECT_EQ(e.to_string(), "file_not_found: open input (path=/tmp/a b.mp4, errno=2)");
    EXPECT_EQ(e.get("errno"), "2");
    EXPECT_EQ(e.get("missing"), "");
}

TEST(ErrorTest, CodeNamesAreDistinct) {
    std::set<std::string_view> names;
    for (int i = 0; i < 256; ++i) {
        auto name = error_code_name(static_cast<ErrorCode>(i));
        if (name != "unknown") {
            EXPECT_TRUE(names.insert(name).second) << name;
        }
    }
    EXPECT_GT(names.size(), 25u);
}

TEST(ResultTest, HoldsValueOrError) {
    Result<int> good(5);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 5);
    Result<int> bad(Error(ErrorCode::ZeroFrames, "no frames"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::ZeroFrames);
    Status s;
    EXPECT_TRUE(s.ok());
    Status f(Error(ErrorCode::DiskFull, "x"));
    EXPECT_FALSE(f.ok());
}

TEST(ErrorTest, ThrowErrorCarriesError) {
    try {
        throw_error(ErrorCode::ModelDamaged, "hash", {{"file", "x"}});
        FAIL();
    } catch (const EngineException& e) {
        EXPECT_EQ(e.error().code, ErrorCode::ModelDamaged);
        EXPECT_EQ(e.error().get("file"), "x");
    }
}

}  // namespace
}  // namespace engine
