#include "cli_options.h"

#include <gtest/gtest.h>

#include <vector>

namespace cli {
namespace {

engine::Result<Options> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "flashvsr");
    return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(CliOptionsTest, UpstreamNamesAndBooleans) {
    auto r = parse({"--input",          "in put.mp4",
                    "--output",         "out.mkv",
                    "--scale",          "2",
                    "--mode",           "tiny-long",
                    "--model_ver",      "1.0",
                    "--sparse_ratio",   "1.5",
                    "--kv_ratio",       "3.0",
                    "--local_range",    "9",
                    "--seed",           "7",
                    "--color_fix",      "False",
                    "--precision",      "fp16",
                    "--tiled_vae",      "True",
                    "--attention_mode", "block_sparse_attention"});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    const Options& o = *r;
    EXPECT_EQ(o.input, "in put.mp4");
    EXPECT_EQ(o.output, "out.mkv");
    EXPECT_EQ(o.scale, 2);
    EXPECT_EQ(o.model.mode, engine::pipeline::Mode::TinyLong);
    EXPECT_EQ(o.model.version, engine::pipeline::ModelVersion::V10);
    EXPECT_DOUBLE_EQ(o.model.sparse_ratio, 1.5);
    EXPECT_EQ(o.model.local_range, 9);
    EXPECT_EQ(o.model.seed, 7u);
    EXPECT_EQ(o.model.color_fix, engine::pipeline::ColorFix::None);
    EXPECT_EQ(o.model.precision, engine::pipeline::Precision::FP16);
    EXPECT_TRUE(o.model.tiled_vae);
}

TEST(CliOptionsTest, EqualsFormAndDashedNames) {
    auto r = parse({"--input=a.mp4", "--max-frames=12", "--output_mode", "pictures",
                    "--output_format", "DPX"});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->max_frames, 12);
    EXPECT_EQ(r->output_mode, engine::io::OutputMode::Pictures);
    EXPECT_EQ(r->output_format, "dpx");
}

TEST(CliOptionsTest, PositionalInputAndOutput) {
    auto r = parse({"a.mp4", "b.mkv"});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->input, "a.mp4");
    EXPECT_EQ(r->output, "b.mkv");
}

TEST(CliOptionsTest, ErrorsNameTheOptionAndAcceptedValues) {
    auto r = parse({"--input", "a.mp4", "--scale", "5"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, engine::ErrorCode::InvalidArgument);
    EXPECT_EQ(r.error().get("option"), "--scale");
    EXPECT_NE(r.error().detail.find("2 to 4"), std::string::npos);

    auto unknown = parse({"--input", "a.mp4", "--bogus", "1"});
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().get("option"), "--bogus");

    auto missing_value = parse({"--input"});
    ASSERT_FALSE(missing_value.ok());

    auto no_input = parse({"--scale", "4"});
    ASSERT_FALSE(no_input.ok());
    EXPECT_EQ(no_input.error().get("option"), "--input");

    auto bad_bool = parse({"-i", "a", "--overwrite", "maybe"});
    ASSERT_FALSE(bad_bool.ok());
    EXPECT_EQ(bad_bool.error().get("accepted"), "True|False");
}

TEST(CliOptionsTest, Subcommands) {
    auto d = parse({"devices"});
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->command, Command::Devices);
    auto p = parse({"probe", "x.mkv"});
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->command, Command::Probe);
    EXPECT_EQ(p->input, "x.mkv");
    auto v = parse({"--version"});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->command, Command::Version);
}

TEST(CliOptionsTest, RatesIncludingNtsc) {
    EXPECT_EQ(parse_rate("24"), (engine::Rational{24, 1}));
    EXPECT_EQ(parse_rate("23.976"), (engine::Rational{24000, 1001}));
    EXPECT_EQ(parse_rate("29.97"), (engine::Rational{30000, 1001}));
    EXPECT_EQ(parse_rate("30000/1001"), (engine::Rational{30000, 1001}));
    EXPECT_EQ(parse_rate("12.5"), (engine::Rational{12500, 1000}));
    EXPECT_FALSE(parse_rate("0").has_value());
    EXPECT_FALSE(parse_rate("abc").has_value());
    EXPECT_FALSE(parse_rate("1/0").has_value());
}

TEST(CliOptionsTest, UsageListsEveryUpstreamOption) {
    std::string usage = usage_text();
    for (const char* name : {"--scale",
                             "--output_mode",
                             "--output_format",
                             "--output_bit_depth",
                             "--input_fps",
                             "--max_frames",
                             "--model_dir",
                             "--model_ver",
                             "--mode",
                             "--device",
                             "--precision",
                             "--sparse_ratio",
                             "--kv_ratio",
                             "--local_range",
                             "--seed",
                             "--color_fix",
                             "--attention_mode",
                             "--tiled_vae",
                             "--hdr_mode",
                             "--tone_mapping_method",
                             "--tone_mapping_exposure"}) {
        EXPECT_NE(usage.find(name), std::string::npos) << name;
    }
}

}  // namespace
}  // namespace cli
