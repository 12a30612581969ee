#pragma once
// The LQ projector (spec §1.3, §2.2): bicubic-upscaled LQ frames -> one token stream added to the
// DiT input before block 0. v1.0 (upstream Buffer_LQ4x_Proj) and v1.1 (Causal_LQ4x_Proj) share
// weights and key names and differ only in which frames their causal convolutions see, so one
// module serves both and the version is a parameter of stream_forward. Member names ARE the
// checkpoint keys. Streaming state lives in LqProjectorState (caller-owned, one per run).

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/model/checkpoint/weight_stamp.h"
#include "engine/torch.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace engine::model::lq_proj {

enum class LqProjectorVersion {
    V10Buffer,  // conv caches = the current clip's own last frames (no temporal carry)
    V11Causal,  // conv caches = the previous clip's last frames (causal)
};

// How the causal Conv3d (kernel (4,3,3), stride (2,1,1)) of conv1 and conv2 is computed. All three
// are the same sums of the same products in different orders: equal up to rounding.
enum class ConvImpl {
    // cat(cache, x), replicate pad, conv->forward (cuDNN's 3-D kernels on CUDA, old sm80 ones on
    // Hopper).
    Native,
    // im2col bands (each input element copied ~18x) and one GEMM with K = 36*C per band
    // (cuBLAS on CUDA). With our CUDA kernels and channels-last frames the bands are written
    // straight from the unpadded cache and x frames (kernels/causal_im2col.h: the padding is a
    // clamp); otherwise cat + pad + layout copy, then conv3d_as_gemm's strided band copies. The
    // two give the same matrix. The default for channels-last CUDA runs.
    Gemm,
    // causal_conv3d_stacked: the 4 temporal taps stacked as channels of 2-D images (one copy,
    // each input element written ~2x: the two output frames whose taps it feeds), then one 2-D
    // 3x3 convolution (cuDNN on CUDA) with the weight rearranged once to [C_out, 4*C, 3, 3]
    // (stack_temporal_taps; cached in the module: +1 copy of the conv weights, 566 MB in bf16 at
    // FlashVSR sizes). Output channels-last.
    Stacked2d,
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

    // Which implementation computes the two causal 3-D convolutions (see ConvImpl). Unless set
    // explicitly, stream_forward() uses conv_impl_for(device): Gemm for channels-last CUDA runs,
    // Native otherwise. An explicit choice applies on every device and layout. Switching away
    // from Stacked2d releases its rearranged weights. Driving thread only.
    void set_conv_impl(ConvImpl impl);
    ConvImpl conv_impl_for(const torch::Device& device) const;

    torch::nn::Conv3d conv1{nullptr};
    ChannelRmsNorm norm1{nullptr};
    torch::nn::Conv3d conv2{nullptr};
    ChannelRmsNorm norm2{nullptr};
    torch::nn::ModuleList linear_layers{nullptr};

  private:
    // A conv weight rearranged by stack_temporal_taps, with what it was derived from: derived at
    // first use and again whenever the source weight moves (.to(), set_channels_last: another
    // storage) or is written in place (a checkpoint bind: its version counter). The source
    // storage is held weakly: a moved-away weight is not kept alive, and its StorageImpl (unlike
    // its data address) cannot be reused while the weak reference exists.
    struct StackedWeight {
        torch::Tensor stacked;
        WeightStamp source;
        const torch::Tensor& get(const torch::Tensor& source);
        void release() { *this = StackedWeight{}; }
    };

    torch::Tensor run_conv(torch::nn::Conv3d& conv,
                           StackedWeight& stacked,
                           const torch::Tensor& x,
                           const torch::Tensor& cache,
                           ConvImpl impl);

    LqProjectorConfig m_config;
    std::optional<bool> m_channels_last;
    std::optional<ConvImpl> m_conv_impl;
    StackedWeight m_conv1_stacked;
    StackedWeight m_conv2_stacked;
};
TORCH_MODULE(LqProjector);

// Pixel unshuffle (1, 16, 16): [B, C, T, H, W] -> [B, C*256, T, H/16, W/16], output channel
// c*256 + dy*16 + dx.
torch::Tensor pixel_unshuffle_16(const torch::Tensor& video);

// Causal 3-D convolution of the projector: `cache` (2 frames) or 2 replicated copies of the
// first frame in front, replicate padding 1 in H and W, then conv (stride (2,1,1), no padding).
// x [B, C, T, h, w], cache [B, C, 2, h, w] or undefined -> [B, C_out, T/2, h, w]. Stacked2d
// rearranges the weight on every call here (LqProjector caches it).
torch::Tensor causal_conv3d(torch::nn::Conv3d& conv,
                            const torch::Tensor& x,
                            const torch::Tensor& cache,
                            ConvImpl impl = ConvImpl::Native);

// A Conv3d weight [C_out, C, 4, 3, 3] as the weight of a 2-D convolution over stacked temporal
// taps: [C_out, 4*C, 3, 3], input channel dt*C + c = weight[:, c, dt], channels-last memory.
// Always a new tensor (one copy of the weight).
torch::Tensor stack_temporal_taps(const torch::Tensor& weight);

// causal_conv3d as one 2-D convolution. With xp the frames of x behind the cache (or 2 copies of
// x's first frame), replicate-padded by 1 in H and W: one copy writes
// X_s[b, t, y, x, dt, c] = xp[b, c, 2t + dt, y, x] into a [B, T_out, h+2, w+2, 4, C] buffer (the
// interior straight from cache and x, one strided copy per temporal tap and source, then the
// 1-pixel border from the buffer's own edge rows and columns), and at::conv2d of that buffer
// viewed as channels-last [B*T_out, 4*C, h+2, w+2] with `stacked_weight` (stack_temporal_taps of
// the Conv3d weight) and `bias` (may be undefined) is the Conv3d output frame by frame.
// x [B, C, T, h, w] (any memory format; channels-last reads contiguous channel rows), T >= 2;
// cache [B, C, n <= 2, h, w] or undefined. Returns [B, C_out, T_out, h, w] in channels-last
// (NDHWC) memory, T_out = (T + 2 - 4) / 2 + 1 (as the convolution, an odd last frame is unused).
torch::Tensor causal_conv3d_stacked(const torch::Tensor& x,
                                    const torch::Tensor& cache,
                                    const torch::Tensor& stacked_weight,
                                    const torch::Tensor& bias);

// conv->forward(input) (no padding, any stride, groups 1) computed as matrix products: for each
// batch item, output frame and band of output rows, the band's im2col matrix [rows*W_out,
// kt*kh*kw*C] (taps in (t, h, w, c) order, gathered from a strided view of the input) times the
// weight viewed as [kt*kh*kw*C, C_out], bias in the GEMM epilogue. `piece_bytes` bounds the
// im2col buffer (bands are cut evenly to fit). Same products and sums as the convolution in
// another order: equal up to rounding. Returns [B, C_out, T_out, H_out, W_out] with channels-last
// (NDHWC) memory. Fastest with a channels-last input (contiguous taps).
// The Gemm path's band bound: 256 MiB of im2col matrix per GEMM.
constexpr std::int64_t kDefaultGemmPieceBytes = std::int64_t(256) << 20;
torch::Tensor conv3d_as_gemm(const torch::nn::Conv3d& conv,
                             const torch::Tensor& input,
                             std::int64_t piece_bytes = kDefaultGemmPieceBytes);

}  // namespace engine::model::lq_proj
