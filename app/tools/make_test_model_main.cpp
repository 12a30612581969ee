// flashvsr-make-test-model DIR [--model_ver 1.0|1.1] [--seed N] [--size test|full]
// Writes a tiny random-weight FlashVSR model folder in exactly the released file formats, built
// from the engine's own module classes so the key names cannot drift from what the loaders bind:
//   diffusion_pytorch_model_streaming_dmd.safetensors  float32, __metadata__ {"format": "pt"}
//   LQ_proj_in.ckpt   torch zip, bfloat16, plain dict (1.1) / OrderedDict (1.0, as state_dict())
//   TCDecoder.ckpt    torch zip, float32, plain dict (keys decoder.N...)
//   Wan2.1_VAE.pth    torch zip, float32, plain dict (conv2 + decoder; the released file also
//                     carries the unused encoder, which the loader ignores)
//   posi_prompt.pth   torch zip, a bare bfloat16 tensor [1, 512, text_dim]
// Shrunk sizes (those of the golden data): DiT dim 256, 2 heads, 2 layers, ffn 512, text 64;
// projector widths 16/24; TCDecoder channels 32/16/16/16; VAE base width 8.
// --size full: the released sizes (Wan2.1 1.3B DiT, stored as bfloat16 to halve the 5.7 GB
// file; projector 2048/3072; TCDecoder and VAE defaults): random weights for the GPU benchmarks
// of whole jobs (tiled, full mode, low VRAM), which need a model folder. Parity is meaningless.
// Weights: seeded uniform, linear/conv weights +-sqrt(3/fan_in), biases +-0.1, norm scales
// 1 +- 0.25, modulations +-0.5, so a port that ignores any tensor fails its parity checks.

#include "engine/model/checkpoint/safetensors.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/model/checkpoint/torch_zip.h"
#include "engine/model/lq_proj/lq_projector.h"
#include "engine/model/tc_decoder/tc_decoder.h"
#include "engine/model/vae/wan_vae_decoder.h"
#include "engine/model/wan/wan_model.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

namespace {

namespace fs = std::filesystem;
using engine::model::StateDict;

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Fills every parameter of `module` with seeded values by role and returns them as a dict in
// registration order.
StateDict randomize(torch::nn::Module& module, torch::ScalarType stored) {
    torch::NoGradGuard no_grad;
    StateDict dict;
    for (const auto& item : module.named_parameters(true)) {
        const auto& name = item.key();
        auto param = item.value();
        if (ends_with(name, "modulation")) {
            param.uniform_(-0.5, 0.5);
        } else if (param.dim() == 1 && ends_with(name, ".bias")) {
            param.uniform_(-0.1, 0.1);
        } else if (param.dim() == 1 || ends_with(name, "gamma")) {
            param.uniform_(0.75, 1.25);  // RMSNorm / LayerNorm / RMS_norm scales
        } else {
            const double fan_in = static_cast<double>(param.numel() / param.size(0));
            const double bound = std::sqrt(3.0 / fan_in);
            param.uniform_(-bound, bound);
        }
        dict.insert(name, param.detach().to(stored).clone());
    }
    return dict;
}

int fail(const engine::Error& error) {
    std::cerr << "flashvsr-make-test-model: " << error.to_string() << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: flashvsr-make-test-model DIR [--model_ver 1.0|1.1] [--seed N] "
                     "[--size test|full]\n";
        return 2;
    }
    const fs::path dir = argv[1];
    std::string version = "1.1";
    std::uint64_t seed = 0;
    bool full_size = false;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--model_ver") {
            version = argv[i + 1];
        } else if (arg == "--seed") {
            seed = std::strtoull(argv[i + 1], nullptr, 10);
        } else if (arg == "--size" &&
                   (std::string(argv[i + 1]) == "test" || std::string(argv[i + 1]) == "full")) {
            full_size = std::string(argv[i + 1]) == "full";
        } else {
            std::cerr << "flashvsr-make-test-model: unknown option " << arg << "\n";
            return 2;
        }
    }
    if (version != "1.0" && version != "1.1") {
        std::cerr << "flashvsr-make-test-model: --model_ver must be 1.0 or 1.1\n";
        return 2;
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        std::cerr << "flashvsr-make-test-model: cannot create " << dir << ": " << ec.message()
                  << "\n";
        return 1;
    }
    torch::manual_seed(seed);

    auto dit_config = engine::model::wan::WanConfig::wan21_1_3b();
    if (!full_size) {
        dit_config.dim = 256;
        dit_config.num_heads = 2;
        dit_config.num_layers = 2;
        dit_config.ffn_dim = 512;
        dit_config.text_dim = 64;
    }
    engine::model::wan::WanModel dit(dit_config);
    if (auto ok = engine::model::save_safetensors(
            dir / "diffusion_pytorch_model_streaming_dmd.safetensors",
            randomize(*dit, full_size ? torch::kBFloat16 : torch::kFloat), {{"format", "pt"}});
        !ok) {
        return fail(ok.error());
    }

    auto proj_config = engine::model::lq_proj::LqProjectorConfig::flashvsr();
    if (!full_size) {
        proj_config.hidden_dim1 = 16;
        proj_config.hidden_dim2 = 24;
    }
    proj_config.out_dim = dit_config.dim;
    engine::model::lq_proj::LqProjector projector(proj_config);
    engine::model::TorchZipOptions proj_zip;
    proj_zip.dict_type = version == "1.0" ? engine::model::PickledDictType::OrderedDict
                                          : engine::model::PickledDictType::Dict;
    if (auto ok = engine::model::save_torch_zip(dir / "LQ_proj_in.ckpt",
                                                randomize(*projector, torch::kBFloat16), proj_zip);
        !ok) {
        return fail(ok.error());
    }

    engine::model::tc_decoder::TCDecoderConfig tc_config;
    if (!full_size) {
        tc_config.channels = {32, 16, 16, 16};
    }
    engine::model::tc_decoder::TCDecoder tc(tc_config);
    if (auto ok =
            engine::model::save_torch_zip(dir / "TCDecoder.ckpt", randomize(*tc, torch::kFloat));
        !ok) {
        return fail(ok.error());
    }

    engine::model::vae::WanVaeConfig vae_config;
    if (!full_size) {
        vae_config.dim = 8;
    }
    engine::model::vae::WanVaeDecoder vae(vae_config);
    if (auto ok =
            engine::model::save_torch_zip(dir / "Wan2.1_VAE.pth", randomize(*vae, torch::kFloat));
        !ok) {
        return fail(ok.error());
    }

    auto prompt = torch::randn({1, 512, dit_config.text_dim}).to(torch::kBFloat16);
    if (auto ok = engine::model::save_torch_zip(dir / "posi_prompt.pth", prompt); !ok) {
        return fail(ok.error());
    }
    std::cout << "wrote a FlashVSR v" << version << " test model (seed " << seed << ") to " << dir
              << "\n";
    return 0;
}
