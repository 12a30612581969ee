#pragma once
// The FlashVSR TCDecoder (spec §1.4, §2.5): a TAEHV-style decoder that turns DiT latents plus the
// bicubic LQ frames into RGB frames, one latent step at a time, with MemBlock memories that carry
// across steps and across calls. Used by the tiny and tiny-long modes.
//
// Streaming contract (spec §3.4): a run starts with a fresh TCDecoderState (or reset()); then
// decode() is called once per chunk, in order, with that chunk's latents and LQ cond slice:
//   chunk 0: latents [:, :, 0:6],          cond LQ frames [0, 21)        -> 21 frames
//   chunk k: latents [:, :, 4+2k : 6+2k],  cond LQ frames [8k+13, 8k+21) -> 8 frames
// The concatenated outputs equal one decode() of all latents with cond LQ [0, 8m-3) (tiny mode)
// exactly: the same operations run in the same order, only the call boundaries move.
//
// Threads: a TCDecoder module is read-only during decode() and may be shared by several
// TCDecoderStates on one device if the caller serialises the calls; a TCDecoderState belongs to one
// run and is used by one thread at a time.

#include "engine/core/result.h"
#include "engine/model/checkpoint/state_dict.h"
#include "engine/model/checkpoint/weight_stamp.h"
#include "engine/torch.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace engine::model::tc_decoder {

// Channels of the LQ conditioning after pixel-unshuffle (4, 8, 8) of 3 RGB channels.
inline constexpr std::int64_t kCondChannels = 3 * 4 * 8 * 8;
// Frames per latent step of the LQ conditioning (the temporal unshuffle factor).
inline constexpr std::int64_t kCondFramesPerLatent = 4;

struct TCDecoderConfig {
    // Widths of the four stages (real file: 512, 256, 128, 128).
    std::array<std::int64_t, 4> channels{512, 256, 128, 128};
    // Latent channels of the DiT output (16); the first conv sees kCondChannels + this.
    std::int64_t latent_channels = 16;
    // Temporal growth of the three TGrow layers (decoder.9, .15, .21): real file 1, 2, 2.
    std::array<std::int64_t, 3> time_strides{1, 2, 2};

    // Output frames per latent step (product of time_strides; 4 for the real file).
    std::int64_t frames_per_latent() const;
    // Frames dropped at the start of a run (upstream frames_to_trim = frames_per_latent - 1).
    std::int64_t frames_to_trim() const { return frames_per_latent() - 1; }

    // Infers the config from the tensor shapes of a TCDecoder.ckpt state dict (keys decoder.N...).
    // Errors: ModelKeysMismatch (a needed key is absent), ModelShapeMismatch (shapes inconsistent
    // with the layer chain of spec §2.5).
    static Result<TCDecoderConfig> detect_from_weights(const StateDict& dict);
};

// MemBlock(n): ReLU(C3(ReLU(C2(ReLU(C1(cat(x, past)))))) + x). Checkpoint names conv.{0,2,4}.
class MemBlockImpl : public torch::nn::Module {
  public:
    explicit MemBlockImpl(std::int64_t channels);
    // x, past: [N, n, H, W] -> [N, n, H, W]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& past);

    torch::nn::Conv2d conv0{nullptr};  // conv.0: 2n -> n, 3x3, bias
    torch::nn::Conv2d conv2{nullptr};  // conv.2: n -> n
    torch::nn::Conv2d conv4{nullptr};  // conv.4: n -> n
    // CUDA only: cuDNN's fused convolution + bias (+ skip) + ReLU (set by the decoder).
    bool fused = false;
    // With `fused`: C1 over cat(x, past) as two convolutions, past's input channels first, then
    // x's with that partial sum, the bias and the ReLU in cuDNN's epilogue, so the 2n-channel
    // concatenation is never written (the partial sum is rounded once more: results differ by
    // rounding). Set by the decoder.
    bool split_input = false;

  private:
    // conv0's weight halves for x and past, contiguous in the weight's layout (rebuilt when the
    // weight moves or is written).
    const torch::Tensor& weight_half(int half);
    torch::Tensor m_halves[2];
    WeightStamp m_halves_source;
};
TORCH_MODULE(MemBlock);

// Per-run state: one memory per MemBlock (its previous input) and whether the first-call trim is
// still due. Tensors live on the module's device in the module's dtype.
struct TCDecoderState {
    std::vector<torch::Tensor> memories;  // indexed by layer position; undefined = zeros
    bool trim_pending = true;

    // Upstream clean_mem(): forget all memories; the next decode() trims again.
    void reset();
};

// Nearest x2 upsampling followed by a 3x3 convolution (padding 1, no bias) as a sub-pixel
// convolution on the low-resolution input (used by TCDecoderImpl::set_fast_upsampling; public for
// tests). Along each axis, output row 2y + a reads low-resolution rows {y-1, y} with weights
// {k0, k1 + k2} for a = 0 and rows {y, y+1} with {k0 + k1, k2} for a = 1 (zero padding maps to
// zero padding).
// subpixel_weight: k [m, n, 3, 3] -> [4m, n, 2, 2], phase (a, b) at output channels
// (2a + b)·m .. +m; computed in k's dtype (callers pass fp32 and round the result once).
torch::Tensor subpixel_weight(const torch::Tensor& k);
// x [N, n, H, W], weight = subpixel_weight(k) in x's dtype/device -> [N, m, 2H, 2W], equal to
// conv2d(upsample_nearest_2x(x), k, padding 1) up to summation order. One 2x2 conv over x padded by
// 1 ([N, 4m, H+1, W+1]), then one strided copy per phase (one pass of kernels/subpixel_gather on
// CUDA with our kernels and channels_last). fused_relu: relu in the conv's epilogue
// by cuDNN (CUDA only). bias (optional): the conv's bias repeated for the 4 phases ([4m]). The
// result is channels-last in memory iff channels_last. The Wan VAE decoder's resampling uses it
// too.
torch::Tensor subpixel_upsample_conv(const torch::Tensor& x,
                                     const torch::Tensor& weight,
                                     bool fused_relu,
                                     bool channels_last,
                                     const torch::Tensor& bias = {});

class TCDecoderImpl : public torch::nn::Module {
  public:
    explicit TCDecoderImpl(const TCDecoderConfig& config);

    // Decodes one chunk and advances `state`.
    //  latents: [B, latent_channels, T, h, w] (BCTHW, as the DiT emits them)
    //  cond:    [B, 3, Tc, 8h, 8w] bicubic LQ frames in [-1, 1] (any device, e.g. host memory;
    //           moved to the module's device and dtype 4 frames at a time). Requires
    //           ceil(Tc / 4) = T. When Tc is not a multiple of 4 the front is padded with copies
    //           of cond frame 0, as upstream does on every call; the schedule above only needs it
    //           on the first call (21 = 24 − 3 frames).
    // Returns [B, 3, T_out, 8h, 8w] in the pipeline's range: upstream output x·2−1, unclamped.
    // T_out = 4T − 3 on the first call of a run (trim), 4T afterwards.
    // Memory: one latent step is in flight at a time; the result is written into one
    // preallocated tensor.
    torch::Tensor decode(const torch::Tensor& latents,
                         const torch::Tensor& cond,
                         TCDecoderState& state);

    const TCDecoderConfig& config() const { return m_config; }

    // Activation and weight layout of the 2-D convolutions. Channels-last (NHWC) lets cuDNN run
    // bf16/fp16 convolutions on the tensor cores without transposing every activation; the maths
    // is the same (results differ only by the convolution algorithm's summation order). Weights
    // are re-laid in place. make_tc_decoder turns it on for CUDA devices; call from the driving
    // thread before decode().
    // On CUDA this also turns on cuDNN's fused convolution + bias (+ skip) + ReLU epilogues when
    // a probe shows the installed cuDNN has them (one rounding instead of three passes).
    void set_channels_last(bool enabled);
    bool channels_last() const { return m_channels_last; }
    bool fused_convolutions() const { return m_fused; }

    // Nearest upsampling x2, TGrow (1x1) and the 3x3 conv after them (layers 8-10, 14-16,
    // 20-22) as one sub-pixel convolution per time step: the 1x1 conv is folded into the 3x3
    // weights (no nonlinearity between them), and a 3x3 conv of a nearest-upsampled image is,
    // per output phase (a, b), a 2x2 conv of the low-resolution one (along each axis phase 0
    // takes rows {y-1, y} with weights {w0, w1+w2}, phase 1 rows {y, y+1} with {w0+w1, w2}).
    // The four phases are one convolution [4m, n, 2, 2] over the input padded by 1, gathered
    // into the 2x output: 4 instead of 9 multiply-adds per output value, no upsampled tensor,
    // no TGrow pass. Exact in real arithmetic; the derived weights are summed in fp32 and
    // rounded once to the run dtype (upstream rounds the TGrow output instead), so results
    // differ by rounding only. On by default with channels-last on CUDA (set_channels_last).
    void set_fast_upsampling(bool enabled);
    bool fast_upsampling() const { return m_fast_upsampling; }

    // The last layer (3x3 conv 128 -> 3 + bias) by kernels/narrow_conv on tensor cores, written
    // straight into the output frame (cuDNN runs that shape slowly); same roundings as Conv2d.
    // Needs the CUDA kernels, channels-last and bf16/fp16; on by default where they are.
    void set_narrow_output_conv(bool enabled);
    bool narrow_output_conv() const { return m_narrow_output_conv; }

    // MemBlocks without the concatenated input (MemBlockImpl::split_input); needs the fused
    // convolutions (CUDA), on by default with them.
    void set_split_memory_input(bool enabled);
    bool split_memory_input() const { return m_split_memory_input; }

    // Checkpoint keys: decoder.N.* (N = position in the 27-layer sequence of spec §2.5).
    std::shared_ptr<torch::nn::Module> decoder;

  private:
    enum class LayerKind { Clamp, Conv, ReLU, MemBlock, Upsample, TGrow };
    struct Layer {
        LayerKind kind = LayerKind::Conv;
        torch::nn::Conv2d conv{nullptr};  // Conv and TGrow
        MemBlock mem_block{nullptr};
        std::int64_t stride = 1;  // TGrow
    };

    template <typename Emit>
    void run_from(std::size_t first_layer, torch::Tensor x, TCDecoderState& state, Emit& emit);

    void set_fused_convolutions(bool enabled);
    // The sub-pixel weights of the Upsample at layer `upsample`, one per TGrow time step, in the
    // weights' current device, dtype and layout (rebuilt when those change).
    const std::vector<torch::Tensor>& subpixel_weights(std::size_t upsample);
    bool narrow_output_ready();
    // The last layer of frame x written into `slot` (narrow_conv when x fits it).
    void narrow_output(torch::Tensor& slot, const torch::Tensor& x);

    TCDecoderConfig m_config;
    std::vector<Layer> m_layers;
    bool m_channels_last = false;
    bool m_fused = false;
    bool m_fast_upsampling = false;
    bool m_narrow_output_conv = false;
    bool m_narrow_active = false;  // this decode() runs the last layer by narrow_output
    bool m_split_memory_input = false;
    struct SubpixelCache {
        std::vector<torch::Tensor> weights;  // one per TGrow time step
        WeightStamp conv_source;
        WeightStamp tgrow_source;
    };
    std::vector<SubpixelCache> m_subpixel;  // by layer index (Upsample layers)
    torch::Tensor m_narrow_weight;          // packed for kernels/narrow_conv
    WeightStamp m_narrow_source;
};
TORCH_MODULE(TCDecoder);

// Loads TCDecoder.ckpt: config from the weight shapes, strict binding (every key used, every
// parameter filled), module moved to options.device / options.dtype (default float32) and put in
// eval mode. Errors as load_state_dict, detect_from_weights and bind_module report them.
Result<TCDecoder> load_tc_decoder(const std::filesystem::path& path,
                                  const LoadOptions& options = {});
// Same from an already loaded dict (file_label names the source in error messages).
Result<TCDecoder> make_tc_decoder(const StateDict& dict,
                                  const LoadOptions& options = {},
                                  const std::string& file_label = {});

}  // namespace engine::model::tc_decoder
