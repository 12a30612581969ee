#pragma once
// The LQ projector (spec §1.3, §2.2): bicubic-upscaled LQ frames -> one token stream added to the
// DiT input before block 0. v1.0 (upstream Buffer_LQ4x_Proj) and v1.1 (Causal_LQ4x_Proj) share
// weights and key names and differ only in which frames their causal convolutions see, so one
// module serves both and the version is a parameter of stream_forward. Member names ARE the
// checkpoint keys. Streaming state lives in LqProjectorState (caller-owned, one per run).

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/torch.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace engine::model::lq_proj {

enum class LqProjectorVersion {
    V10Buffer,  // conv caches = the current clip's own last frames (no temporal carry)
    V11Causal,  // conv caches = the previous clip's last frames (causal)
};

struct LqProjectorConfig {
    std::int64_t in_channels = 768;  // 3 * 16 * 16 after the (1,16,16) pixel unshuffle
    std::int64_t hidden_dim1 = 2048;
    std::int64_t hidden_dim2 = 3072;
    std::int64_t out_dim = 1536;  // = DiT dim
    std::int64_t layer_num = 1;   // linear_layers.N; FlashVSR ships exactly one

    static LqProjectorConfig flashvsr() { return LqProjectorConfig{}; }
    // Sizes from tensor shapes. Errors: ModelKeysMismatch, ModelShapeMismatch,
    // CheckpointUnsupported (layer_num != 1: upstream would inject per-block tokens).
    static Result<LqProjectorConfig> detect_from_weights(const StateDict& weights);
};

// Channel RMS norm: x / max(||x||_2 over C, 1e-12) * sqrt(C) * gamma, gamma [C, 1, 1, 1].
class ChannelRmsNormImpl : public torch::nn::Module {
  public:
    explicit ChannelRmsNormImpl(std::int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor gamma;

  private:
    double m_scale;
};
TORCH_MODULE(ChannelRmsNorm);

struct LqProjectorState {
    torch::Tensor conv1_cache;  // [B, in_channels, 2, h, w] or undefined
    torch::Tensor conv2_cache;  // [B, hidden_dim1, 2, h, w] or undefined
    std::int64_t clip_index = 0;
    void reset() { *this = LqProjectorState{}; }
};

class LqProjectorImpl : public torch::nn::Module {
  public:
    explicit LqProjectorImpl(const LqProjectorConfig& config);

    const LqProjectorConfig& config() const { return m_config; }

    // One upstream stream_forward call. clip [B, 3, T, H, W] in the model dtype, H and W
    // multiples of 16. The first call of a run takes T = 1 (the first LQ frame), primes the
    // caches and returns nothing; every later call takes T = 4 and returns tokens
    // [B, (H/16)*(W/16), out_dim] in (h, w) order.
    std::optional<torch::Tensor> stream_forward(const torch::Tensor& clip,
                                                LqProjectorState& state,
                                                LqProjectorVersion version);

    // Activation and weight layout of the 3-D convolutions: channels-last (NDHWC) lets cuDNN use
    // its Hopper/Ampere tensor-core kernels without transposing every input. Same maths. Unless
    // set explicitly, the first stream_forward() picks it for CUDA inputs. Driving thread only.
    void set_channels_last(bool enabled);
    bool channels_last() const { return m_channels_last.value_or(false); }

    // The two 3-D convolutions as im2col + cuBLAS matrix products (conv3d_as_gemm) instead of
    // cuDNN, whose 3-D kernels reach ≈ 435 TFLOP/s on an H100 where the same products as GEMMs
    // run at ≈ 650. On by default for channels-last CUDA runs; the benchmark switches it to
    // compare.
    void set_gemm_convolutions(bool enabled) { m_gemm_convolutions = enabled; }
    bool gemm_convolutions() const { return m_gemm_convolutions; }

    torch::nn::Conv3d conv1{nullptr};
    ChannelRmsNorm norm1{nullptr};
    torch::nn::Conv3d conv2{nullptr};
    ChannelRmsNorm norm2{nullptr};
    torch::nn::ModuleList linear_layers{nullptr};

  private:
    LqProjectorConfig m_config;
    std::optional<bool> m_channels_last;
    bool m_gemm_convolutions = true;
};
TORCH_MODULE(LqProjector);

// Pixel unshuffle (1, 16, 16): [B, C, T, H, W] -> [B, C*256, T, H/16, W/16], output channel
// c*256 + dy*16 + dx.
torch::Tensor pixel_unshuffle_16(const torch::Tensor& video);

// Causal 3-D convolution of the projector: `cache` (2 frames) or 2 replicated copies of the
// first frame in front, replicate padding 1 in H and W, then conv (stride (2,1,1), no padding).
// `gemm`: through conv3d_as_gemm.
torch::Tensor causal_conv3d(torch::nn::Conv3d& conv,
                            const torch::Tensor& x,
                            const torch::Tensor& cache,
                            bool gemm = false);

// conv->forward(input) (no padding, any stride, groups 1) computed as matrix products: for each
// batch item, output frame and band of output rows, the band's im2col matrix [rows*W_out,
// kt*kh*kw*C] (taps in (t, h, w, c) order, gathered from a strided view of the input) times the
// weight viewed as [kt*kh*kw*C, C_out], bias in the GEMM epilogue. `piece_bytes` bounds the
// im2col buffer (bands are cut evenly to fit). Same products and sums as the convolution in
// another order: equal up to rounding. Returns [B, C_out, T_out, H_out, W_out] with channels-last
// (NDHWC) memory. Fastest with a channels-last input (contiguous taps).
torch::Tensor conv3d_as_gemm(const torch::nn::Conv3d& conv,
                             const torch::Tensor& input,
                             std::int64_t piece_bytes = std::int64_t(256) << 20);

}  // namespace engine::model::lq_proj
