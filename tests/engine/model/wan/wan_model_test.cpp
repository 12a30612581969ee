// The DiT against the golden stages of /work/shared/golden (float32, CPU). The LQ tokens are
// taken from the golden files, so this checks the DiT alone: constants, masks, velocity.

#include "engine/model/wan/wan_model.h"

#include "engine/core/log.h"
#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using engine::model::StateDict;
using namespace engine::model::wan;

const fs::path kGolden = fs::path(FVSR_SHARED_DIR) / "golden";
const fs::path kDitFile = kGolden / "models/v1.1/diffusion_pytorch_model_streaming_dmd.safetensors";

double rel_l2(const torch::Tensor& ours, const torch::Tensor& ref) {
    return ((ours.to(torch::kDouble) - ref.to(torch::kDouble)).norm() /
            ref.to(torch::kDouble).norm())
        .item<double>();
}

double max_abs(const torch::Tensor& ours, const torch::Tensor& ref) {
    return (ours.to(torch::kDouble) - ref.to(torch::kDouble)).abs().max().item<double>();
}

StateDict load(const fs::path& path) {
    auto dict = engine::model::load_state_dict(path);
    if (!dict.ok()) {
        ADD_FAILURE() << dict.error().to_string();
        return {};
    }
    return std::move(dict).value();
}

WanModel load_model() {
    auto weights = load(kDitFile);
    auto config = WanConfig::detect_from_weights(weights);
    EXPECT_TRUE(config.ok()) << config.error().to_string();
    WanModel model(config.value());
    auto bound = engine::model::bind_module(*model, weights);
    EXPECT_TRUE(bound.ok()) << bound.error().to_string();
    model->eval();
    return model;
}

TEST(WanConfig, DetectsShrunkGoldenModel) {
    auto weights = load(kDitFile);
    auto config = WanConfig::detect_from_weights(weights);
    ASSERT_TRUE(config.ok()) << config.error().to_string();
    EXPECT_EQ(config->dim, 256);
    EXPECT_EQ(config->num_heads, 2);
    EXPECT_EQ(config->num_layers, 2);
    EXPECT_EQ(config->ffn_dim, 512);
    EXPECT_EQ(config->text_dim, 64);
    EXPECT_EQ(config->freq_dim, 256);
    EXPECT_EQ(config->out_dim, 16);
    EXPECT_EQ(weights.size(), 69u);
}

TEST(WanConfig, MissingKeyIsReported) {
    StateDict empty;
    auto config = WanConfig::detect_from_weights(empty);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().code, engine::ErrorCode::ModelKeysMismatch);
}

TEST(WanModel, ModuleKeysMatchCheckpoint) {
    auto weights = load(kDitFile);
    WanModel model(WanConfig::detect_from_weights(weights).value());
    auto params = model->named_parameters(true);
    EXPECT_EQ(params.size(), weights.size());
    for (const auto& item : params) {
        EXPECT_TRUE(weights.contains(item.key())) << item.key();
    }
}

class WanGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(WanGolden, ConstantsMasksAndVelocityMatch) {
    const std::string case_name = GetParam();
    auto model = load_model();
    auto prompt = engine::model::load_tensor_file(kGolden / "models/v1.1/posi_prompt.pth");
    ASSERT_TRUE(prompt.ok()) << prompt.error().to_string();
    auto reference = load(kGolden / "tiny_v11/stages.safetensors");
    auto stages = load(kGolden / case_name / "stages.safetensors");
    auto inputs = load(kGolden / case_name / "inputs.safetensors");

    auto constants = model->prepare_constants(prompt.value().to(torch::kFloat));
    EXPECT_LT(max_abs(constants.context_k[0], reference.at("text.k_block0")), 2e-5);
    EXPECT_LT(max_abs(constants.context_v[0], reference.at("text.v_block0")), 2e-5);
    EXPECT_LT(max_abs(constants.t, reference.at("time.t")), 2e-5);
    EXPECT_LT(max_abs(constants.t_mod, reference.at("time.t_mod")), 2e-5);

    const bool sparse = case_name == "sparse_v11";
    const double topk_ratio = (sparse ? 0.125 : 2.0) * 768 * 1280 / (256.0 * 384.0);
    SparseAttentionParams params;
    params.topk = static_cast<std::int64_t>(36 * topk_ratio) - 1;
    params.kv_len = 3;
    params.local_range = sparse ? 3 : 11;

    const auto& noise = inputs.at("noise");
    WanStreamState state;
    for (int chunk = 0; chunk < 3; ++chunk) {
        const auto key = "chunk" + std::to_string(chunk);
        const auto& tokens = reference.at("lq_tokens." + key);
        const std::int64_t start = chunk == 0 ? 0 : 4 + 2 * chunk;
        const std::int64_t frames = chunk == 0 ? 6 : 2;
        auto latents = noise.slice(2, start, start + frames);
        auto velocity = model->forward_chunk(
            latents, tokens, start, constants, params, state,
            [&](std::int64_t block, const torch::Tensor& mask) {
                const auto name = "mask." + key + ".block" + std::to_string(block);
                const auto& ref = stages.at(name);
                EXPECT_EQ(mask.sizes(), ref.sizes()) << name;
                EXPECT_EQ(mask.ne(ref.to(torch::kBool)).sum().item<std::int64_t>(), 0) << name;
            });
        const auto& ref_v = stages.at("velocity." + key);
        EXPECT_LT(max_abs(velocity, ref_v), 2e-4) << key;
        EXPECT_LT(rel_l2(velocity, ref_v), 5e-5) << key;
        // Three temporal windows of 6 windows cached; the pool holds every block's three and
        // one free slot for the next chunk's window.
        EXPECT_EQ(state.self_attention[0].slots.size(), 3u) << key;
        EXPECT_EQ(state.kv.windows_per_slot, 6) << key;
        const auto blocks = static_cast<std::int64_t>(model->blocks->size());
        EXPECT_EQ(state.kv.slots(), 3 * blocks + 1) << key;
        EXPECT_EQ(state.kv.free.size(), 1u) << key;
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, WanGolden, ::testing::Values("tiny_v11", "sparse_v11"));

// Which attention implementation runs is logged once per run (at Info), from block 0's first
// chunk; here on the CPU it is the reference path, with the reason.
struct GoldenRun {
    WanModel model = load_model();
    StateDict reference = load(kGolden / "tiny_v11/stages.safetensors");
    StateDict inputs = load(kGolden / "tiny_v11/inputs.safetensors");
    WanConstants constants;
    SparseAttentionParams params;
    GoldenRun() {
        auto prompt = engine::model::load_tensor_file(kGolden / "models/v1.1/posi_prompt.pth");
        EXPECT_TRUE(prompt.ok()) << prompt.error().to_string();
        constants = model->prepare_constants(prompt.value().to(torch::kFloat));
        params.topk = 20;
        params.kv_len = 3;
    }
    // Latent frames [start, start + frames) with their LQ tokens (2-frame golden chunks).
    torch::Tensor run(WanStreamState& state, std::int64_t start, std::int64_t frames) {
        std::vector<torch::Tensor> tokens;
        if (start == 0) {
            tokens.push_back(reference.at("lq_tokens.chunk0"));
        } else {
            for (auto f = start; f < start + frames; f += 2) {
                tokens.push_back(reference.at("lq_tokens.chunk" + std::to_string((f - 4) / 2)));
            }
        }
        return model->forward_chunk(inputs.at("noise").slice(2, start, start + frames),
                                    torch::cat(tokens, 1), start, constants, params, state);
    }
};

// The KV pool is written in place: a snapshot must keep the values a later chunk overwrites
// (block 1 writes its new window into the slot block 0 just freed).
TEST(WanModel, SnapshotKeepsTheKvPoolValues) {
    GoldenRun golden;
    WanStreamState state;
    golden.run(state, 0, 6);
    const auto saved = state.snapshot();
    const auto first = golden.run(state, 6, 2);
    WanStreamState restored = saved;
    const auto again = golden.run(restored, 6, 2);
    EXPECT_TRUE(torch::equal(first, again));
    EXPECT_EQ(restored.kv.free.size(), 1u);
}

// A chunk with more new windows than the pool was sized for grows it, keeping every slot: the
// result equals that of a run whose pool had room from the start.
TEST(WanModel, KvPoolGrowsForALargerChunk) {
    GoldenRun golden;
    const auto blocks = static_cast<std::int64_t>(golden.model->blocks->size());
    WanStreamState grown;
    WanStreamState roomy;
    const std::int64_t windows = 6;  // S of the golden grid
    const std::int64_t dim = golden.model->config().dim;
    roomy.kv.windows_per_slot = windows;
    roomy.kv.k = torch::zeros({(3 * blocks + 8) * windows, 128, dim});
    roomy.kv.v = torch::zeros_like(roomy.kv.k);

    EXPECT_TRUE(torch::equal(golden.run(grown, 0, 6), golden.run(roomy, 0, 6)));
    EXPECT_EQ(grown.kv.slots(), 3 * blocks + 1);
    EXPECT_EQ(roomy.kv.slots(), 3 * blocks + 8);  // kept: large enough
    // Two temporal windows at once: each block finds one free slot (the one the block before it
    // freed) and grows the pool by one.
    EXPECT_TRUE(torch::equal(golden.run(grown, 6, 4), golden.run(roomy, 6, 4)));
    EXPECT_EQ(grown.kv.slots(), 4 * blocks + 1);
    EXPECT_EQ(grown.self_attention.back().slots.size(), 4u);  // 3 + 2, one dropped
    EXPECT_EQ(roomy.kv.slots(), 3 * blocks + 8);
}

TEST(WanModel, LogsTheAttentionImplementationOncePerRun) {
    auto model = load_model();
    auto prompt = engine::model::load_tensor_file(kGolden / "models/v1.1/posi_prompt.pth");
    ASSERT_TRUE(prompt.ok()) << prompt.error().to_string();
    auto reference = load(kGolden / "tiny_v11/stages.safetensors");
    auto inputs = load(kGolden / "tiny_v11/inputs.safetensors");
    auto constants = model->prepare_constants(prompt.value().to(torch::kFloat));
    SparseAttentionParams params;
    params.topk = 20;

    std::vector<std::string> messages;
    engine::set_log_sink([&](engine::LogLevel, std::string_view m) {
        if (m.find("self-attention") != std::string_view::npos) {
            messages.emplace_back(m);
        }
    });
    engine::set_log_level(engine::LogLevel::Info);
    WanStreamState state;
    state.reset(model->blocks->size());
    const auto& noise = inputs.at("noise");
    for (int run = 0; run < 2; ++run) {
        if (run == 1) {
            state.reset(model->blocks->size());
        }
        model->forward_chunk(noise.slice(2, 0, 6), reference.at("lq_tokens.chunk0"), 0, constants,
                             params, state);
        model->forward_chunk(noise.slice(2, 6, 8), reference.at("lq_tokens.chunk1"), 6, constants,
                             params, state);
    }
    engine::set_log_level(engine::LogLevel::Warning);
    engine::set_log_sink({});
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0], "DiT self-attention: reference: tensors are on cpu");
    EXPECT_EQ(messages[1], messages[0]);
}

}  // namespace
