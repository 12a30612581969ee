#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

namespace engine::model {
namespace {

// A module whose names look like checkpoint keys: "proj.weight", "proj.bias",
// "blocks.0.norm.weight", a buffer "scale" and a plain parameter "modulation".
struct TinyNetImpl : torch::nn::Module {
    TinyNetImpl() {
        proj = register_module("proj", torch::nn::Linear(4, 3));
        blocks = register_module("blocks", torch::nn::ModuleList());
        blocks->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({3})));
        modulation = register_parameter("modulation", torch::zeros({1, 2, 3}));
        scale = register_buffer("scale", torch::zeros({3}));
    }
    torch::nn::Linear proj{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    torch::Tensor modulation;
    torch::Tensor scale;
};
TORCH_MODULE(TinyNet);

StateDict full_dict() {
    StateDict dict;
    dict.insert("proj.weight", torch::randn({3, 4}));
    dict.insert("proj.bias", torch::randn({3}));
    dict.insert("blocks.0.weight", torch::randn({3}));
    dict.insert("blocks.0.bias", torch::randn({3}));
    dict.insert("modulation", torch::randn({1, 2, 3}));
    dict.insert("scale", torch::randn({3}));
    return dict;
}

TEST(BindModule, CopiesEveryParameterAndBuffer) {
    TinyNet net;
    const StateDict dict = full_dict();
    ASSERT_TRUE(bind_module(*net, dict).ok());
    EXPECT_TRUE(torch::equal(net->proj->weight, dict.at("proj.weight")));
    EXPECT_TRUE(
        torch::equal(net->blocks[0]->as<torch::nn::LayerNorm>()->bias, dict.at("blocks.0.bias")));
    EXPECT_TRUE(torch::equal(net->modulation, dict.at("modulation")));
    EXPECT_TRUE(torch::equal(net->scale, dict.at("scale")));
    // The module keeps its own storage: changing the dict afterwards does not alias.
    dict.at("scale").zero_();
    EXPECT_FALSE(torch::equal(net->scale, dict.at("scale")));
}

TEST(BindModule, CastsToModuleDtypeRoundingToNearestEven) {
    TinyNet net;
    net->to(torch::kBFloat16);
    StateDict dict = full_dict();
    dict.insert("proj.bias", torch::tensor({1.0f + 1.0f / 256, 1.0f + 3.0f / 256, 2.0f}));
    ASSERT_TRUE(bind_module(*net, dict).ok());
    EXPECT_EQ(net->proj->bias.scalar_type(), torch::kBFloat16);
    auto bias = net->proj->bias.to(torch::kFloat);
    EXPECT_EQ(bias[0].item<float>(), 1.0f);
    EXPECT_EQ(bias[1].item<float>(), 1.0f + 1.0f / 64);
    EXPECT_TRUE(torch::equal(net->proj->weight, dict.at("proj.weight").to(torch::kBFloat16)));
}

TEST(BindModule, MissingKeyIsReported) {
    TinyNet net;
    StateDict dict;
    const StateDict full = full_dict();
    for (const auto& [name, tensor] : full.items()) {
        if (name != "blocks.0.weight") {
            dict.insert(name, tensor);
        }
    }
    BindOptions options;
    options.file_label = "/models/x.safetensors";
    auto status = bind_module(*net, dict, options);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::ModelKeysMismatch);
    EXPECT_EQ(status.error().get("missing_count"), "1");
    EXPECT_EQ(status.error().get("unexpected_count"), "0");
    EXPECT_EQ(status.error().get("first_missing"), "blocks.0.weight");
    EXPECT_EQ(status.error().get("path"), "/models/x.safetensors");
    EXPECT_EQ(status.error().detail,
              "/models/x.safetensors does not match the model: 1 weights missing (first: "
              "blocks.0.weight)");
}

TEST(BindModule, UnexpectedKeyIsReportedUnlessIgnoredOrAllowed) {
    TinyNet net;
    StateDict dict = full_dict();
    dict.insert("encoder.conv1.weight", torch::zeros({2}));
    dict.insert("extra", torch::zeros({2}));
    auto status = bind_module(*net, dict);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::ModelKeysMismatch);
    EXPECT_EQ(status.error().get("unexpected_count"), "2");
    EXPECT_EQ(status.error().get("first_unexpected"), "encoder.conv1.weight");
    EXPECT_NE(
        status.error().detail.find("2 unexpected weights (first: encoder.conv1.weight, extra)"),
        std::string::npos)
        << status.error().detail;

    BindOptions ignore;
    ignore.ignore_prefixes = {"encoder."};
    status = bind_module(*net, dict, ignore);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().get("unexpected_count"), "1");
    EXPECT_EQ(status.error().get("first_unexpected"), "extra");

    BindOptions allow;
    allow.allow_unexpected = true;
    EXPECT_TRUE(bind_module(*net, dict, allow).ok());
}

TEST(BindModule, AllowUnexpectedStillRequiresEveryParameter) {
    TinyNet net;
    StateDict dict;
    dict.insert("proj.weight", torch::zeros({3, 4}));
    BindOptions allow;
    allow.allow_unexpected = true;
    auto status = bind_module(*net, dict, allow);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::ModelKeysMismatch);
    EXPECT_EQ(status.error().get("missing_count"), "5");
    EXPECT_NE(status.error().detail.find("5 weights missing (first: modulation, proj.bias, "
                                         "blocks.0.weight, blocks.0.bias, scale)"),
              std::string::npos)
        << status.error().detail;
}

TEST(BindModule, WrongShapeIsReportedAndNothingIsCopied) {
    TinyNet net;
    const auto before = net->proj->weight.clone();
    StateDict dict = full_dict();
    dict.insert("proj.weight", torch::zeros({4, 3}));
    BindOptions options;
    options.file_label = "LQ_proj_in.ckpt";
    auto status = bind_module(*net, dict, options);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::ModelShapeMismatch);
    EXPECT_EQ(status.error().get("key"), "proj.weight");
    EXPECT_EQ(status.error().detail,
              "LQ_proj_in.ckpt: 1 weights have the wrong shape (first: proj.weight: file [4, 3] vs "
              "module [3, 4])");
    EXPECT_TRUE(torch::equal(net->proj->weight, before));
}

}  // namespace
}  // namespace engine::model
