#include "engine/model/checkpoint/torch_zip.h"

#include "checkpoint_test_util.h"
#include "engine/model/checkpoint/checkpoint_file.h"
#include "engine/model/checkpoint/safetensors.h"
#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

namespace engine::model {
namespace {

using test::fixtures;
using test::golden_models;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

StateDict must_load(const std::filesystem::path& path, const LoadOptions& options = {}) {
    auto loaded = load_state_dict(path, options);
    EXPECT_TRUE(loaded.ok()) << path << ": " << loaded.error().to_string();
    return loaded.ok() ? std::move(loaded.value()) : StateDict();
}

std::string dtype_name(torch::ScalarType t) {
    switch (t) {
        case torch::kFloat:
            return "float32";
        case torch::kBFloat16:
            return "bfloat16";
        case torch::kHalf:
            return "float16";
        case torch::kDouble:
            return "float64";
        case torch::kLong:
            return "int64";
        case torch::kInt:
            return "int32";
        case torch::kShort:
            return "int16";
        case torch::kChar:
            return "int8";
        case torch::kByte:
            return "uint8";
        case torch::kBool:
            return "bool";
        default:
            return c10::toString(t);
    }
}

std::string shape_text(torch::IntArrayRef shape) {
    std::string out;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        out += (i ? "," : "") + std::to_string(shape[i]);
    }
    return out.empty() ? "-" : out;
}

// Every tensor of every golden model file: key, dtype, shape and the float64 sum that PyTorch
// computed (tests/data/checkpoints/golden_sums.txt, written by make_fixtures.py).
TEST(TorchZip, GoldenFilesMatchPyTorch) {
    std::ifstream in(fixtures() / "golden_sums.txt");
    ASSERT_TRUE(in.good());
    std::map<std::string, StateDict> files;
    std::map<std::string, std::size_t> lines_per_file;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string file, key, dtype, shape, sum_text;
        std::getline(fields, file, '\t');
        std::getline(fields, key, '\t');
        std::getline(fields, dtype, '\t');
        std::getline(fields, shape, '\t');
        std::getline(fields, sum_text, '\t');
        if (files.count(file) == 0) {
            const auto path = golden_models() / file;
            if (key == "-") {
                auto tensor = load_tensor_file(path);
                ASSERT_TRUE(tensor.ok()) << tensor.error().to_string();
                files[file].insert("-", tensor.value());
            } else {
                files[file] = must_load(path);
            }
        }
        ++lines_per_file[file];
        const torch::Tensor* t = files[file].find(key);
        ASSERT_NE(t, nullptr) << file << " lacks " << key;
        EXPECT_EQ(dtype_name(t->scalar_type()), dtype) << file << " " << key;
        EXPECT_EQ(shape_text(t->sizes()), shape) << file << " " << key;
        const double expected = std::stod(sum_text);
        const double got = t->to(torch::kDouble).sum().item<double>();
        EXPECT_NEAR(got, expected, 1e-9 * (1 + std::abs(expected))) << file << " " << key;
    }
    // Counts of §3 of the golden README.
    EXPECT_EQ(lines_per_file["v1.1/diffusion_pytorch_model_streaming_dmd.safetensors"], 69u);
    EXPECT_EQ(lines_per_file["v1.1/LQ_proj_in.ckpt"], 8u);
    EXPECT_EQ(lines_per_file["v1.0/LQ_proj_in.ckpt"], 8u);
    EXPECT_EQ(lines_per_file["v1.1/TCDecoder.ckpt"], 66u);
    EXPECT_EQ(lines_per_file["v1.1/Wan2.1_VAE.pth"], 194u);
    EXPECT_EQ(lines_per_file["v1.1/posi_prompt.pth"], 1u);
    for (const auto& [file, dict] : files) {
        EXPECT_EQ(dict.size(), lines_per_file[file]) << file;
    }
    // 86 unused keys: the README's "84 encoder.* and conv1.*" is 84 encoder.* plus 2 conv1.*.
    std::size_t encoder = 0, conv1 = 0;
    for (const auto& key : files["v1.1/Wan2.1_VAE.pth"].keys()) {
        encoder += key.rfind("encoder.", 0) == 0;
        conv1 += key.rfind("conv1.", 0) == 0;
    }
    EXPECT_EQ(encoder, 84u);
    EXPECT_EQ(conv1, 2u);
}

TEST(TorchZip, GoldenShapesOfReadme) {
    const StateDict lq = must_load(golden_models() / "v1.1" / "LQ_proj_in.ckpt");
    EXPECT_EQ(lq.at("conv1.weight").sizes(), torch::IntArrayRef({16, 768, 4, 3, 3}));
    EXPECT_EQ(lq.at("conv2.weight").sizes(), torch::IntArrayRef({24, 16, 4, 3, 3}));
    EXPECT_EQ(lq.at("norm2.gamma").sizes(), torch::IntArrayRef({24, 1, 1, 1}));
    EXPECT_EQ(lq.at("linear_layers.0.weight").sizes(), torch::IntArrayRef({256, 24}));
    EXPECT_EQ(lq.at("conv1.weight").scalar_type(), torch::kBFloat16);
    const StateDict tc = must_load(golden_models() / "v1.1" / "TCDecoder.ckpt");
    EXPECT_EQ(tc.at("decoder.1.weight").sizes(), torch::IntArrayRef({32, 784, 3, 3}));
    EXPECT_EQ(tc.at("decoder.26.weight").sizes(), torch::IntArrayRef({3, 16, 3, 3}));
    const StateDict vae = must_load(golden_models() / "v1.1" / "Wan2.1_VAE.pth");
    EXPECT_EQ(vae.at("conv2.weight").sizes(), torch::IntArrayRef({16, 16, 1, 1, 1}));
    EXPECT_EQ(vae.at("decoder.head.2.weight").sizes(), torch::IntArrayRef({3, 8, 3, 3, 3}));
}

// The four TCDecoder tensors that are views (tail half of a storage, two views sharing one
// storage, a transposed tensor) equal what PyTorch reads, element for element.
TEST(TorchZip, TCDecoderViewsEqualPyTorch) {
    const StateDict tc = must_load(golden_models() / "v1.1" / "TCDecoder.ckpt");
    const StateDict expected = must_load(fixtures() / "golden_expected.safetensors");
    for (const char* key :
         {"decoder.9.conv.weight", "decoder.22.weight", "decoder.24.weight", "decoder.10.weight"}) {
        ASSERT_TRUE(tc.contains(key)) << key;
        EXPECT_TRUE(tc.at(key).is_contiguous()) << key;
        EXPECT_TRUE(torch::equal(tc.at(key), expected.at(key))) << key;
    }
    EXPECT_FALSE(torch::equal(tc.at("decoder.22.weight"), tc.at("decoder.24.weight")));
}

TEST(TorchZip, OrderedDictV10EqualsDictV11) {
    const StateDict v10 = must_load(golden_models() / "v1.0" / "LQ_proj_in.ckpt");
    const StateDict v11 = must_load(golden_models() / "v1.1" / "LQ_proj_in.ckpt");
    ASSERT_EQ(v10.keys(), v11.keys());
    for (const auto& [name, tensor] : v10.items()) {
        EXPECT_EQ(tensor.scalar_type(), torch::kBFloat16);
        EXPECT_TRUE(torch::equal(tensor, v11.at(name))) << name;
    }
    LoadOptions to_float;
    to_float.dtype = torch::kFloat;
    const StateDict widened = must_load(golden_models() / "v1.0" / "LQ_proj_in.ckpt", to_float);
    const StateDict expected = must_load(fixtures() / "golden_expected.safetensors");
    EXPECT_TRUE(torch::equal(widened.at("conv2.bias"), expected.at("lq_v10_conv2.bias_f32")));
}

TEST(TorchZip, PromptIsABareBf16TensorWidenedExactly) {
    const auto path = golden_models() / "v1.1" / "posi_prompt.pth";
    auto bf16 = load_tensor_file(path);
    ASSERT_TRUE(bf16.ok()) << bf16.error().to_string();
    EXPECT_EQ(bf16->scalar_type(), torch::kBFloat16);
    EXPECT_EQ(bf16->sizes(), torch::IntArrayRef({1, 512, 64}));
    LoadOptions to_float;
    to_float.dtype = torch::kFloat;
    auto widened = load_tensor_file(path, to_float);
    ASSERT_TRUE(widened.ok());
    const StateDict expected = must_load(fixtures() / "golden_expected.safetensors");
    EXPECT_TRUE(torch::equal(widened.value(), expected.at("posi_prompt_f32")));
    EXPECT_TRUE(torch::equal(widened.value(), bf16->to(torch::kFloat)));

    auto info = inspect_checkpoint(path);
    ASSERT_TRUE(info.ok());
    EXPECT_TRUE(info->single_tensor);
    EXPECT_EQ(info->format, CheckpointFormat::TorchZip);

    auto as_dict = load_state_dict(path);
    ASSERT_FALSE(as_dict.ok());
    EXPECT_EQ(as_dict.error().code, ErrorCode::CheckpointUnsupported);
    auto many = load_tensor_file(golden_models() / "v1.1" / "TCDecoder.ckpt");
    ASSERT_FALSE(many.ok());
    EXPECT_EQ(many.error().code, ErrorCode::ModelWrongFile);
}

void expect_same_as_fixture(const StateDict& got, const StateDict& expected) {
    ASSERT_EQ(got.keys(), expected.keys());
    for (const auto& [name, tensor] : expected.items()) {
        EXPECT_EQ(got.at(name).scalar_type(), tensor.scalar_type()) << name;
        EXPECT_TRUE(torch::equal(got.at(name), tensor)) << name;
    }
}

TEST(TorchZip, StridedAndOffsetViews) {
    const StateDict expected = must_load(fixtures() / "views_expected.safetensors");
    expect_same_as_fixture(must_load(fixtures() / "views.pth"), expected);
    // Byte-swapped storages, byteorder "big", storages not aligned (python zipfile).
    expect_same_as_fixture(must_load(fixtures() / "big_endian.pth"), expected);
}

TEST(TorchZip, AllDtypes) {
    expect_same_as_fixture(must_load(fixtures() / "all_dtypes.pth"),
                           must_load(fixtures() / "all_dtypes_expected.safetensors"));
}

TEST(TorchZip, WrappersAndParameters) {
    for (const char* file : {"wrapped_state_dict.pth", "wrapped_model_state.pth"}) {
        const StateDict dict = must_load(fixtures() / file);
        ASSERT_EQ(dict.keys(), (std::vector<std::string>{"w", "b"})) << file;
        EXPECT_TRUE(torch::equal(dict.at("w"), torch::arange(6, torch::kFloat).reshape({2, 3})));
    }
    const StateDict params = must_load(fixtures() / "parameter.pth");
    ASSERT_EQ(params.keys(), (std::vector<std::string>{"p", "t"}));
    EXPECT_TRUE(torch::equal(params.at("p"), torch::full({2, 2}, 0.5f)));
}

TEST(TorchZip, LegacyPickleAsksForResave) {
    auto loaded = load_state_dict(fixtures() / "legacy.pth");
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::CheckpointUnsupported);
    EXPECT_NE(loaded.error().detail.find("re-save it with a current PyTorch"), std::string::npos);
    EXPECT_EQ(loaded.error().get("format"), "legacy_pickle");
}

TEST(TorchZip, GlobalOutsideSubsetIsNamed) {
    auto loaded = load_state_dict(fixtures() / "with_set.pth");
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::CheckpointUnsupported);
    // Protocol 2 spells Python 3's builtins module the Python 2 way.
    EXPECT_EQ(loaded.error().get("global"), "__builtin__.set") << loaded.error().to_string();
}

TEST(TorchZip, TruncatedZipIsReported) {
    const std::string bytes = read_bytes(golden_models() / "v1.1" / "LQ_proj_in.ckpt");
    for (std::size_t keep : {std::size_t{4}, std::size_t{100}, std::size_t{5000}, bytes.size() / 2,
                             bytes.size() - 23, bytes.size() - 1}) {
        auto loaded = load_state_dict_from_memory(bytes.data(), keep, {}, "cut.ckpt");
        ASSERT_FALSE(loaded.ok()) << keep;
        EXPECT_EQ(loaded.error().code, ErrorCode::FileTruncated)
            << keep << ": " << loaded.error().to_string();
    }
}

TEST(TorchZip, FlippedStorageByteFailsTheCrc) {
    std::string bytes = read_bytes(golden_models() / "v1.1" / "TCDecoder.ckpt");
    bytes[bytes.size() / 2] ^= 0x10;
    auto loaded = load_state_dict_from_memory(bytes.data(), bytes.size(), {}, "flipped.ckpt");
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::ModelDamaged);
    EXPECT_NE(loaded.error().detail.find("CRC mismatch"), std::string::npos);
}

StateDict writer_sample() {
    StateDict dict;
    dict.insert("conv.weight", torch::arange(24, torch::kFloat).reshape({2, 3, 4}) - 5);
    dict.insert("half", (torch::arange(6, torch::kFloat) / 4).to(torch::kHalf));
    dict.insert("bf16", (torch::arange(6, torch::kFloat) * 3).to(torch::kBFloat16));
    dict.insert("f64", torch::arange(3, torch::kDouble) * 1.5);
    dict.insert("i64", torch::tensor({std::int64_t{1} << 40, std::int64_t{-3}}));
    dict.insert("i32", torch::tensor({-70000, 5}, torch::kInt));
    dict.insert("i16", torch::tensor({-300, 7}, torch::kShort));
    dict.insert("i8", torch::tensor({-3, 7}, torch::kChar));
    dict.insert("u8", torch::tensor({200, 7}, torch::kByte));
    dict.insert("flag", torch::tensor({true, false, true}));
    dict.insert("scalar", torch::tensor(4.0f));
    dict.insert("transposed", torch::arange(12, torch::kFloat).reshape({3, 4}).t());
    dict.insert("empty", torch::zeros({0, 2}));
    return dict;
}

TEST(TorchZip, WriterRoundTrips) {
    TempDir dir;
    const StateDict dict = writer_sample();
    for (auto type : {PickledDictType::Dict, PickledDictType::OrderedDict}) {
        for (bool zip64 : {false, true}) {
            TorchZipOptions options;
            options.dict_type = type;
            options.force_zip64 = zip64;
            const auto path = dir / "sample.pth";
            ASSERT_TRUE(save_torch_zip(path, dict, options).ok());
            const StateDict loaded = must_load(path);
            expect_same_as_fixture(loaded, dict);
        }
    }
    ASSERT_TRUE(save_torch_zip(dir / "prompt.pth", torch::ones({1, 4, 8}, torch::kBFloat16)).ok());
    auto prompt = load_tensor_file(dir / "prompt.pth");
    ASSERT_TRUE(prompt.ok());
    EXPECT_TRUE(torch::equal(prompt.value(), torch::ones({1, 4, 8}, torch::kBFloat16)));
    // The archive folder is named after the file, like recent torch.save.
    EXPECT_NE(read_bytes(dir / "prompt.pth").find("prompt/data.pkl"), std::string::npos);
}

bool python_torch_available() {
    return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
}

// Real PyTorch reads what save_torch_zip writes: container type, keys, dtypes, shapes, values.
TEST(TorchZip, PyTorchLoadsWhatWeWrite) {
    if (!python_torch_available()) {
        GTEST_SKIP() << "SKIPPED LOUDLY: /usr/bin/python3 with torch is not available, so the "
                        "torch.load compatibility of save_torch_zip is NOT verified";
    }
    TempDir dir;
    const StateDict dict = writer_sample();
    TorchZipOptions ordered;
    ordered.dict_type = PickledDictType::OrderedDict;
    TorchZipOptions zip64;
    zip64.force_zip64 = true;
    zip64.archive_name = "archive";
    ASSERT_TRUE(save_torch_zip(dir / "plain.pth", dict).ok());
    ASSERT_TRUE(save_torch_zip(dir / "ordered.pth", dict, ordered).ok());
    ASSERT_TRUE(save_torch_zip(dir / "zip64.pth", dict, zip64).ok());
    ASSERT_TRUE(save_torch_zip(dir / "bare.pth", torch::arange(8, torch::kFloat) / 8).ok());
    const std::string script = R"PY(
import sys, torch
out = open(sys.argv[1], "w")
for name in ["plain", "ordered", "zip64", "bare"]:
    obj = torch.load(sys.argv[2] + "/" + name + ".pth")
    out.write("%s %s\n" % (name, type(obj).__name__))
    items = [("-", obj)] if isinstance(obj, torch.Tensor) else obj.items()
    for k, v in items:
        out.write("%s %s %s %s %r\n" % (name, k, str(v.dtype).replace("torch.", ""),
                  ",".join(map(str, v.shape)) or "-", float(v.double().sum())))
)PY";
    write_bytes(dir / "check.py", script);
    const std::string command = "/usr/bin/python3 " + (dir / "check.py").string() + " " +
                                (dir / "out.txt").string() + " " + dir.path().string() + " 2>" +
                                (dir / "err.txt").string();
    ASSERT_EQ(std::system(command.c_str()), 0) << read_bytes(dir / "err.txt");
    std::string expected;
    const char* types[] = {"dict", "OrderedDict", "dict"};
    const char* names[] = {"plain", "ordered", "zip64"};
    for (int i = 0; i < 3; ++i) {
        expected += std::string(names[i]) + " " + types[i] + "\n";
        for (const auto& [key, t] : dict.items()) {
            std::ostringstream sum;
            sum.precision(17);
            const double s = t.to(torch::kDouble).sum().item<double>();
            sum << s;
            expected += std::string(names[i]) + " " + key + " " + dtype_name(t.scalar_type()) +
                        " " + shape_text(t.sizes()) + " " + sum.str() + "\n";
        }
    }
    expected += "bare Tensor\nbare - float32 8 3.5\n";
    // Python prints floats with repr ("4.0"); normalise by parsing both sides.
    std::istringstream got_lines(read_bytes(dir / "out.txt"));
    std::istringstream want_lines(expected);
    std::string got_line, want_line;
    int count = 0;
    while (std::getline(want_lines, want_line)) {
        ASSERT_TRUE(std::getline(got_lines, got_line)) << "python output ended early";
        std::istringstream g(got_line), w(want_line);
        std::string g1, g2, g3, g4, g5, w1, w2, w3, w4, w5;
        g >> g1 >> g2 >> g3 >> g4 >> g5;
        w >> w1 >> w2 >> w3 >> w4 >> w5;
        EXPECT_EQ(g1 + " " + g2 + " " + g3 + " " + g4, w1 + " " + w2 + " " + w3 + " " + w4);
        if (!w5.empty()) {
            EXPECT_DOUBLE_EQ(std::stod(g5), std::stod(w5)) << got_line;
        }
        ++count;
    }
    EXPECT_EQ(count, 3 * (1 + 13) + 2);
}

}  // namespace
}  // namespace engine::model
