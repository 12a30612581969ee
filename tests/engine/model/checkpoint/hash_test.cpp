// keys_and_shapes_md5 against upstream's hashes of the real checkpoints, and our SHA-256.

#include "checkpoint_test_util.h"
#include "engine/model/checkpoint/checkpoint_file.h"
#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <fstream>

namespace engine::model {
namespace {

using test::golden_models;

using Shape = std::vector<std::int64_t>;

// Shape-only tensors: the meta device allocates nothing, so the real 1.4 G-parameter key list
// costs no memory.
torch::Tensor shaped(const Shape& shape) {
    return torch::empty(shape, torch::TensorOptions().device(torch::Device(c10::DeviceType::Meta)));
}

// The Wan2.1 DiT key list of spec §1.2, parameterised so the same builder also describes the
// shrunk golden model.
StateDict dit_keys(std::int64_t dim, std::int64_t ffn, std::int64_t text_dim, int layers) {
    StateDict d;
    d.insert("patch_embedding.weight", shaped({dim, 16, 1, 2, 2}));
    d.insert("patch_embedding.bias", shaped({dim}));
    d.insert("text_embedding.0.weight", shaped({dim, text_dim}));
    d.insert("text_embedding.0.bias", shaped({dim}));
    d.insert("text_embedding.2.weight", shaped({dim, dim}));
    d.insert("text_embedding.2.bias", shaped({dim}));
    d.insert("time_embedding.0.weight", shaped({dim, 256}));
    d.insert("time_embedding.0.bias", shaped({dim}));
    d.insert("time_embedding.2.weight", shaped({dim, dim}));
    d.insert("time_embedding.2.bias", shaped({dim}));
    d.insert("time_projection.1.weight", shaped({6 * dim, dim}));
    d.insert("time_projection.1.bias", shaped({6 * dim}));
    for (int b = 0; b < layers; ++b) {
        const std::string p = "blocks." + std::to_string(b) + ".";
        for (const char* attn : {"self_attn.", "cross_attn."}) {
            for (const char* proj : {"q", "k", "v", "o"}) {
                d.insert(p + attn + proj + ".weight", shaped({dim, dim}));
                d.insert(p + attn + proj + ".bias", shaped({dim}));
            }
            d.insert(p + attn + "norm_q.weight", shaped({dim}));
            d.insert(p + attn + "norm_k.weight", shaped({dim}));
        }
        d.insert(p + "norm3.weight", shaped({dim}));
        d.insert(p + "norm3.bias", shaped({dim}));
        d.insert(p + "ffn.0.weight", shaped({ffn, dim}));
        d.insert(p + "ffn.0.bias", shaped({ffn}));
        d.insert(p + "ffn.2.weight", shaped({dim, ffn}));
        d.insert(p + "ffn.2.bias", shaped({dim}));
        d.insert(p + "modulation", shaped({1, 6, dim}));
    }
    d.insert("head.head.weight", shaped({64, dim}));
    d.insert("head.head.bias", shaped({64}));
    d.insert("head.modulation", shaped({1, 2, dim}));
    return d;
}

void residual(StateDict& d, const std::string& p, std::int64_t in, std::int64_t out) {
    d.insert(p + "residual.0.gamma", shaped({in, 1, 1, 1}));
    d.insert(p + "residual.2.weight", shaped({out, in, 3, 3, 3}));
    d.insert(p + "residual.2.bias", shaped({out}));
    d.insert(p + "residual.3.gamma", shaped({out, 1, 1, 1}));
    d.insert(p + "residual.6.weight", shaped({out, out, 3, 3, 3}));
    d.insert(p + "residual.6.bias", shaped({out}));
    if (in != out) {
        d.insert(p + "shortcut.weight", shaped({out, in, 1, 1, 1}));
        d.insert(p + "shortcut.bias", shaped({out}));
    }
}

void attention(StateDict& d, const std::string& p, std::int64_t c) {
    d.insert(p + "norm.gamma", shaped({c, 1, 1}));
    d.insert(p + "to_qkv.weight", shaped({3 * c, c, 1, 1}));
    d.insert(p + "to_qkv.bias", shaped({3 * c}));
    d.insert(p + "proj.weight", shaped({c, c, 1, 1}));
    d.insert(p + "proj.bias", shaped({c}));
}

void middle(StateDict& d, const std::string& p, std::int64_t c) {
    residual(d, p + "0.", c, c);
    attention(d, p + "1.", c);
    residual(d, p + "2.", c, c);
}

// Downsample: resample.1 = Conv2d(c, c, 3, stride 2) (+ time_conv for 3-D). Upsample:
// resample.1 = Conv2d(c, c/2, 3) (+ time_conv producing 2c for 3-D).
void resample(StateDict& d, const std::string& p, std::int64_t c, bool up, bool temporal) {
    const std::int64_t out = up ? c / 2 : c;
    d.insert(p + "resample.1.weight", shaped({out, c, 3, 3}));
    d.insert(p + "resample.1.bias", shaped({out}));
    if (temporal) {
        d.insert(p + "time_conv.weight", shaped({up ? 2 * c : c, c, 3, 1, 1}));
        d.insert(p + "time_conv.bias", shaped({up ? 2 * c : c}));
    }
}

// The whole Wan2.1 VAE file of spec §1.5 (encoder included): dim_mult [1,2,4,4], 2 res-blocks per
// level, temporal down [F,T,T].
StateDict vae_keys(std::int64_t base, std::int64_t z_dim) {
    const std::int64_t c1 = base, c2 = 2 * base, c4 = 4 * base;
    StateDict d;
    d.insert("encoder.conv1.weight", shaped({c1, 3, 3, 3, 3}));
    d.insert("encoder.conv1.bias", shaped({c1}));
    int i = 0;
    auto down = [&](const std::string& kind, std::int64_t in, std::int64_t out) {
        const std::string p = "encoder.downsamples." + std::to_string(i++) + ".";
        if (kind == "res") {
            residual(d, p, in, out);
        } else {
            resample(d, p, in, false, kind == "down3d");
        }
    };
    down("res", c1, c1);
    down("res", c1, c1);
    down("down2d", c1, c1);
    down("res", c1, c2);
    down("res", c2, c2);
    down("down3d", c2, c2);
    down("res", c2, c4);
    down("res", c4, c4);
    down("down3d", c4, c4);
    down("res", c4, c4);
    down("res", c4, c4);
    middle(d, "encoder.middle.", c4);
    d.insert("encoder.head.0.gamma", shaped({c4, 1, 1, 1}));
    d.insert("encoder.head.2.weight", shaped({2 * z_dim, c4, 3, 3, 3}));
    d.insert("encoder.head.2.bias", shaped({2 * z_dim}));
    d.insert("conv1.weight", shaped({2 * z_dim, 2 * z_dim, 1, 1, 1}));
    d.insert("conv1.bias", shaped({2 * z_dim}));
    d.insert("conv2.weight", shaped({z_dim, z_dim, 1, 1, 1}));
    d.insert("conv2.bias", shaped({z_dim}));
    d.insert("decoder.conv1.weight", shaped({c4, z_dim, 3, 3, 3}));
    d.insert("decoder.conv1.bias", shaped({c4}));
    middle(d, "decoder.middle.", c4);
    int u = 0;
    auto up = [&](const std::string& kind, std::int64_t in, std::int64_t out) {
        const std::string p = "decoder.upsamples." + std::to_string(u++) + ".";
        if (kind == "res") {
            residual(d, p, in, out);
        } else {
            resample(d, p, in, true, kind == "up3d");
        }
    };
    for (int k = 0; k < 3; ++k) {
        up("res", c4, c4);
    }
    up("up3d", c4, c4);
    up("res", c2, c4);
    up("res", c4, c4);
    up("res", c4, c4);
    up("up3d", c4, c4);
    for (int k = 0; k < 3; ++k) {
        up("res", c2, c2);
    }
    up("up2d", c2, c2);
    for (int k = 0; k < 3; ++k) {
        up("res", c1, c1);
    }
    d.insert("decoder.head.0.gamma", shaped({c1, 1, 1, 1}));
    d.insert("decoder.head.2.weight", shaped({3, c1, 3, 3, 3}));
    d.insert("decoder.head.2.bias", shaped({3}));
    return d;
}

void expect_same_keys_and_shapes(const StateDict& built, const std::filesystem::path& file) {
    auto info = inspect_checkpoint(file);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    ASSERT_EQ(info->tensors.size(), built.size());
    for (const auto& t : info->tensors) {
        const torch::Tensor* b = built.find(t.name);
        ASSERT_NE(b, nullptr) << "builder lacks " << t.name;
        EXPECT_EQ(b->sizes().vec(), t.shape) << t.name;
    }
    EXPECT_EQ(keys_and_shapes_md5(built), keys_and_shapes_md5(info->tensors));
}

TEST(KeysAndShapesMd5, BuildersReproduceTheGoldenFiles) {
    // Golden DiT: dim 256, ffn 512, text_dim 64, 2 layers; golden VAE: base dim 8, z_dim 16.
    expect_same_keys_and_shapes(
        dit_keys(256, 512, 64, 2),
        golden_models() / "v1.1" / "diffusion_pytorch_model_streaming_dmd.safetensors");
    expect_same_keys_and_shapes(vae_keys(8, 16), golden_models() / "v1.1" / "Wan2.1_VAE.pth");
}

TEST(KeysAndShapesMd5, RealDiTKeyListGivesUpstreamHash) {
    const StateDict dit = dit_keys(1536, 8960, 4096, 30);
    EXPECT_EQ(dit.size(), 825u);
    std::int64_t params = 0;
    for (const auto& [name, t] : dit.items()) {
        params += t.numel();
    }
    EXPECT_EQ(params, 1418996800);  // spec §1.1
    EXPECT_EQ(keys_and_shapes_md5(dit), "9269f8db9040a9d860eaca435be61814");
}

TEST(KeysAndShapesMd5, RealVaeKeyListGivesUpstreamHash) {
    const StateDict vae = vae_keys(96, 16);
    EXPECT_EQ(vae.size(), 194u);
    std::int64_t params = 0, decoder_params = 0;
    std::size_t decoder_keys = 0;
    for (const auto& [name, t] : vae.items()) {
        params += t.numel();
        if (name.rfind("decoder.", 0) == 0 || name.rfind("conv2.", 0) == 0) {
            decoder_params += t.numel();
            ++decoder_keys;
        }
    }
    EXPECT_EQ(params, 126892531);   // spec §1.1
    EXPECT_EQ(decoder_keys, 108u);  // spec §1.5
    EXPECT_EQ(decoder_params, 73295603);
    EXPECT_EQ(keys_and_shapes_md5(vae), "ccc42284ea13e1ad04693284c7a09be6");
}

TEST(KeysAndShapesMd5, MatchesUpstreamFormulaOnASmallDict) {
    // hashlib.md5(",".join(sorted(["a.w:2_3", "a.w", "b:", "b"])).encode()).hexdigest()
    StateDict d;
    d.insert("b", torch::tensor(1.0f));
    d.insert("a.w", torch::zeros({2, 3}));
    EXPECT_EQ(keys_and_shapes_md5(d), "8546e735ad8bd0a38f1954455ab9b1fd");
}

TEST(FileSha256, MatchesGoldenSums) {
    std::ifstream sums(std::filesystem::path(FVSR_SHARED_DIR) / "golden" / "SHA256SUMS");
    std::string hash, path;
    int checked = 0;
    while (sums >> hash >> path) {
        if (path.find("models/") == std::string::npos) {
            continue;
        }
        auto got = file_sha256(std::filesystem::path(FVSR_SHARED_DIR) / "golden" / path);
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        EXPECT_EQ(got.value(), hash) << path;
        ++checked;
    }
    EXPECT_EQ(checked, 6);
    auto missing = file_sha256(golden_models() / "nope");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::FileNotFound);
}

}  // namespace
}  // namespace engine::model
