#include "engine/model/checkpoint/safetensors.h"

#include "checkpoint_test_util.h"
#include "engine/model/checkpoint/checkpoint_file.h"
#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <cstring>

namespace engine::model {
namespace {

using test::golden_models;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

const std::filesystem::path kDiT =
    golden_models() / "v1.1" / "diffusion_pytorch_model_streaming_dmd.safetensors";

TEST(Safetensors, LoadsGoldenDiT) {
    auto contents = load_safetensors(kDiT);
    ASSERT_TRUE(contents.ok()) << contents.error().to_string();
    const StateDict& dict = contents->tensors;
    // §3 of the golden README: 12 + 27*2 + 3 tensors, all F32, dim 256, ffn 512, text_dim 64.
    EXPECT_EQ(dict.size(), 69u);
    for (const auto& [name, tensor] : dict.items()) {
        EXPECT_EQ(tensor.scalar_type(), torch::kFloat) << name;
        EXPECT_TRUE(tensor.is_contiguous()) << name;
    }
    EXPECT_EQ(dict.at("patch_embedding.weight").sizes(), torch::IntArrayRef({256, 16, 1, 2, 2}));
    EXPECT_EQ(dict.at("text_embedding.0.weight").sizes(), torch::IntArrayRef({256, 64}));
    EXPECT_EQ(dict.at("blocks.1.ffn.0.weight").sizes(), torch::IntArrayRef({512, 256}));
    EXPECT_EQ(dict.at("blocks.0.modulation").sizes(), torch::IntArrayRef({1, 6, 256}));
    EXPECT_EQ(dict.at("head.modulation").sizes(), torch::IntArrayRef({1, 2, 256}));
    EXPECT_EQ(dict.at("head.head.weight").sizes(), torch::IntArrayRef({64, 256}));
    EXPECT_FALSE(dict.contains("blocks.2.norm3.weight"));
    ASSERT_EQ(contents->metadata.size(), 1u);
    EXPECT_EQ(contents->metadata[0], std::make_pair(std::string("format"), std::string("pt")));

    // Header order is kept.
    EXPECT_EQ(dict.items().front().first, "blocks.0.cross_attn.k.bias");
}

TEST(Safetensors, LoadStateDictCastsToRunDtype) {
    auto fp32 = load_state_dict(kDiT);
    LoadOptions bf16_options;
    bf16_options.dtype = torch::kBFloat16;
    auto bf16 = load_state_dict(kDiT, bf16_options);
    ASSERT_TRUE(fp32.ok() && bf16.ok());
    ASSERT_EQ(fp32->size(), bf16->size());
    for (const auto& [name, tensor] : bf16->items()) {
        ASSERT_EQ(tensor.scalar_type(), torch::kBFloat16);
        // torch's .to(bf16) rounds to nearest even, as upstream's cast at load does.
        EXPECT_TRUE(torch::equal(tensor, fp32->at(name).to(torch::kBFloat16))) << name;
    }
}

TEST(Safetensors, InspectReadsHeaderOnly) {
    auto info = inspect_checkpoint(kDiT);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_EQ(info->format, CheckpointFormat::Safetensors);
    EXPECT_EQ(info->tensors.size(), 69u);
    EXPECT_FALSE(info->single_tensor);
}

TEST(Safetensors, RoundTripsEveryDtype) {
    TempDir dir;
    StateDict dict;
    dict.insert("f64", torch::arange(6, torch::kDouble).reshape({2, 3}) / 3);
    dict.insert("f32", torch::randn({3, 4}));
    dict.insert("f16", torch::randn({5}).to(torch::kHalf));
    dict.insert("bf16", torch::randn({2, 2, 2}).to(torch::kBFloat16));
    dict.insert("i64", torch::tensor({std::int64_t{1} << 40, std::int64_t{-7}}));
    dict.insert("i32", torch::tensor({-3, 4}, torch::kInt));
    dict.insert("i16", torch::tensor({-300, 400}, torch::kShort));
    dict.insert("i8", torch::tensor({-3, 4}, torch::kChar));
    dict.insert("u8", torch::tensor({250, 4}, torch::kByte));
    dict.insert("bool", torch::tensor({true, false, true}));
    dict.insert("scalar", torch::tensor(2.5));
    dict.insert("empty", torch::zeros({0, 3}));
    dict.insert("transposed", torch::arange(12, torch::kFloat).reshape({3, 4}).t());
    const auto path = dir / "all.safetensors";
    ASSERT_TRUE(save_safetensors(path, dict, {{"format", "pt"}, {"note", "x"}}).ok());
    auto loaded = load_safetensors(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    ASSERT_EQ(loaded->tensors.keys(), dict.keys());
    for (const auto& [name, tensor] : dict.items()) {
        const auto& got = loaded->tensors.at(name);
        EXPECT_EQ(got.scalar_type(), tensor.scalar_type()) << name;
        EXPECT_TRUE(torch::equal(got, tensor)) << name;
    }
    EXPECT_EQ(loaded->metadata.size(), 2u);

    LoadOptions to_float;
    to_float.dtype = torch::kFloat;
    auto widened = load_state_dict(path, to_float);
    ASSERT_TRUE(widened.ok());
    EXPECT_TRUE(torch::equal(widened->at("bf16"), dict.at("bf16").to(torch::kFloat)));
    EXPECT_TRUE(torch::equal(widened->at("f16"), dict.at("f16").to(torch::kFloat)));
    EXPECT_EQ(widened->at("f64").scalar_type(), torch::kFloat);
    // Integer and bool tensors keep their dtype.
    EXPECT_TRUE(torch::equal(widened->at("bool"), dict.at("bool")));
    EXPECT_TRUE(torch::equal(widened->at("u8"), dict.at("u8")));
    EXPECT_TRUE(torch::equal(widened->at("i64"), dict.at("i64")));
}

TEST(Safetensors, Bf16CastRoundsToNearestEven) {
    TempDir dir;
    // 1 + 2^-8 is exactly halfway between two bf16 values: even rounding gives 1.0;
    // 1 + 3*2^-8 is halfway and rounds up to 1 + 2^-6 (even mantissa).
    StateDict dict;
    dict.insert("x", torch::tensor({1.0f + 1.0f / 256, 1.0f + 3.0f / 256, -1.0f - 1.0f / 256}));
    ASSERT_TRUE(save_safetensors(dir / "x.safetensors", dict).ok());
    LoadOptions options;
    options.dtype = torch::kBFloat16;
    auto loaded = load_state_dict(dir / "x.safetensors", options);
    ASSERT_TRUE(loaded.ok());
    auto values = loaded->at("x").to(torch::kFloat);
    EXPECT_EQ(values[0].item<float>(), 1.0f);
    EXPECT_EQ(values[1].item<float>(), 1.0f + 1.0f / 64);
    EXPECT_EQ(values[2].item<float>(), -1.0f);
}

TEST(Safetensors, NonBooleanBytesInBoolTensorAreTrue) {
    TempDir dir;
    StateDict dict;
    dict.insert("b", torch::tensor({0, 1, 7}, torch::kByte));
    ASSERT_TRUE(save_safetensors(dir / "b.safetensors", dict).ok());
    std::string bytes = read_bytes(dir / "b.safetensors");
    const auto pos = bytes.find("\"U8\"");
    ASSERT_NE(pos, std::string::npos);
    bytes.replace(pos, 4, "\"BOOL\"");
    // Fix the header length (2 more characters) and keep the data in place after it.
    const std::uint64_t header = bytes.size() - 8 - 3;
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<char>(header >> (8 * i));
    }
    auto loaded = load_state_dict_from_memory(bytes.data(), bytes.size());
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    EXPECT_TRUE(torch::equal(loaded->at("b"), torch::tensor({false, true, true})));
}

TEST(Safetensors, TruncatedFileIsReported) {
    const std::string bytes = read_bytes(kDiT);
    for (std::size_t keep : {std::size_t{3}, std::size_t{8}, std::size_t{100}, std::size_t{6392},
                             bytes.size() / 2, bytes.size() - 1}) {
        auto loaded = load_state_dict_from_memory(bytes.data(), keep, {}, "cut");
        ASSERT_FALSE(loaded.ok()) << keep;
        EXPECT_EQ(loaded.error().code, ErrorCode::FileTruncated)
            << keep << ": " << loaded.error().to_string();
    }
}

TEST(Safetensors, HostileHeadersGiveErrors) {
    auto make = [](const std::string& header, std::size_t data_bytes) {
        std::string bytes(8, '\0');
        for (int i = 0; i < 8; ++i) {
            bytes[i] = static_cast<char>(static_cast<std::uint64_t>(header.size()) >> (8 * i));
        }
        return bytes + header + std::string(data_bytes, '\0');
    };
    struct Case {
        std::string header;
        ErrorCode code;
    };
    const Case cases[] = {
        {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", ErrorCode::ModelDamaged},
        {R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}})",
         ErrorCode::ModelDamaged},
        {R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", ErrorCode::ModelDamaged},
        {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", ErrorCode::ModelDamaged},
        {R"({"a":{"dtype":"F32","shape":[16],"data_offsets":[0,64]}})", ErrorCode::FileTruncated},
        {R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})",
         ErrorCode::CheckpointUnsupported},
        {R"({"a":{"dtype":"F32","shape":"x","data_offsets":[0,4]}})", ErrorCode::ModelDamaged},
        {R"({"a":[1,2]})", ErrorCode::ModelDamaged},
        {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})", ErrorCode::ModelDamaged},
        {R"({"__metadata__":{"k":1}})", ErrorCode::ModelDamaged},
        {"{" + std::string(100, '[') + std::string(100, ']') + "}", ErrorCode::ModelDamaged},
        {R"([1,2,3])", ErrorCode::CheckpointUnsupported},
    };
    for (const auto& c : cases) {
        const std::string bytes = make(c.header, 8);
        auto loaded = load_state_dict_from_memory(bytes.data(), bytes.size(), {}, "hostile");
        ASSERT_FALSE(loaded.ok()) << c.header;
        EXPECT_EQ(loaded.error().code, c.code) << c.header << " -> " << loaded.error().to_string();
    }
    // A valid minimal file for contrast.
    const std::string good = make(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8);
    EXPECT_TRUE(load_state_dict_from_memory(good.data(), good.size()).ok());
}

TEST(Safetensors, MisalignedOffsetsAreRead) {
    // The format does not require aligned offsets; such a tensor is copied out byte-exactly.
    const std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})";
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(header.size());
    bytes += header + std::string(8, '\0');
    const float value = 3.25f;
    std::memcpy(&bytes[8 + header.size() + 2], &value, sizeof(value));
    auto loaded = load_state_dict_from_memory(bytes.data(), bytes.size());
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    EXPECT_EQ(loaded->at("a")[0].item<float>(), 3.25f);
}

TEST(Safetensors, MissingAndEmptyFiles) {
    TempDir dir;
    auto missing = load_state_dict(dir / "nope.safetensors");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::FileNotFound);
    EXPECT_EQ(missing.error().get("path"), (dir / "nope.safetensors").string());
    write_bytes(dir / "empty.safetensors", "");
    auto empty = load_state_dict(dir / "empty.safetensors");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.error().code, ErrorCode::FileEmpty);
    auto directory = load_state_dict(dir.path());
    ASSERT_FALSE(directory.ok());
    EXPECT_EQ(directory.error().code, ErrorCode::FileUnreadable);
}

}  // namespace
}  // namespace engine::model
