#include "engine/io/dpx.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/pixdesc.h>
}

namespace engine::io {
namespace {

std::uint32_t be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
           (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}
std::uint16_t be16(const std::vector<std::uint8_t>& b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

// Every 16-bit code value pattern we care about: a gradient plus extremes.
Frame test_frame(int width, int height) {
    Frame f;
    f.allocate(width, height, SampleType::U16);
    f.bit_depth = 16;
    auto* s = f.samples<std::uint16_t>();
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        s[i] = static_cast<std::uint16_t>((i * 2654435761u) >> 16);
    }
    s[0] = 0;
    s[1] = 65535;
    s[2] = 32768;
    return f;
}

struct Decoded {
    AVPixelFormat format = AV_PIX_FMT_NONE;
    int width = 0;
    int height = 0;
    std::vector<std::uint16_t> rgb;  // interleaved, native code values
};

// Decodes with libavcodec's DPX decoder (independent of our reader's conversion code).
Decoded decode_with_ffmpeg(const std::vector<std::uint8_t>& bytes) {
    Decoded out;
    const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_DPX);
    AVCodecContext* ctx = avcodec_alloc_context3(codec);
    EXPECT_EQ(avcodec_open2(ctx, codec, nullptr), 0);
    AVPacket* packet = av_packet_alloc();
    av_new_packet(packet, static_cast<int>(bytes.size()));
    std::memcpy(packet->data, bytes.data(), bytes.size());
    AVFrame* frame = av_frame_alloc();
    EXPECT_EQ(avcodec_send_packet(ctx, packet), 0);
    EXPECT_EQ(avcodec_receive_frame(ctx, frame), 0);
    out.format = static_cast<AVPixelFormat>(frame->format);
    out.width = frame->width;
    out.height = frame->height;
    out.rgb.resize(static_cast<std::size_t>(frame->width) * frame->height * 3);
    for (int y = 0; y < frame->height; ++y) {
        for (int x = 0; x < frame->width; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * frame->width + x) * 3;
            if (out.format == AV_PIX_FMT_GBRP10LE) {
                // Planes: G, B, R.
                auto plane = [&](int p) {
                    return reinterpret_cast<const std::uint16_t*>(frame->data[p] +
                                                                  y * frame->linesize[p])[x];
                };
                out.rgb[i] = plane(2);
                out.rgb[i + 1] = plane(0);
                out.rgb[i + 2] = plane(1);
            } else if (out.format == AV_PIX_FMT_RGB48BE) {
                const std::uint8_t* row = frame->data[0] + y * frame->linesize[0];
                for (int c = 0; c < 3; ++c) {
                    out.rgb[i + c] = static_cast<std::uint16_t>((row[(x * 3 + c) * 2] << 8) |
                                                                row[(x * 3 + c) * 2 + 1]);
                }
            } else if (out.format == AV_PIX_FMT_RGB48LE) {
                const auto* row =
                    reinterpret_cast<const std::uint16_t*>(frame->data[0] + y * frame->linesize[0]);
                for (int c = 0; c < 3; ++c) {
                    out.rgb[i + c] = row[x * 3 + c];
                }
            }
        }
    }
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&ctx);
    return out;
}

TEST(DpxTest, HeaderFieldsFollowSmpte268) {
    const Frame frame = test_frame(33, 7);
    DpxWriteOptions options;
    options.bit_depth = 10;
    options.color.transfer = 1;
    options.color.primaries = 1;
    options.frame_rate = {24000, 1001};
    auto bytes = encode_dpx(frame, options);
    ASSERT_TRUE(bytes.ok());
    const auto& b = bytes.value();
    EXPECT_EQ(std::memcmp(b.data(), "SDPX", 4), 0);
    EXPECT_EQ(be32(b, 4), 2048u);  // image data offset
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[8])), "V2.0");
    EXPECT_EQ(be32(b, 16), b.size());            // file size
    EXPECT_EQ(b.size(), 2048u + 33u * 7u * 4u);  // one 32-bit word per pixel
    EXPECT_EQ(be32(b, 24), 1664u);               // generic header size
    EXPECT_EQ(be32(b, 28), 384u);                // industry header size
    EXPECT_EQ(be32(b, 660), 0xFFFFFFFFu);        // not encrypted
    EXPECT_EQ(be16(b, 768), 0);                  // orientation
    EXPECT_EQ(be16(b, 770), 1);                  // one element
    EXPECT_EQ(be32(b, 772), 33u);
    EXPECT_EQ(be32(b, 776), 7u);
    EXPECT_EQ(be32(b, 780 + 12), 1023u);             // reference high code
    EXPECT_EQ(b[780 + 20], 50);                      // descriptor RGB
    EXPECT_EQ(b[780 + 21], 6);                       // transfer BT.709
    EXPECT_EQ(b[780 + 22], 6);                       // colorimetric BT.709
    EXPECT_EQ(b[780 + 23], 10);                      // bit depth
    EXPECT_EQ(be16(b, 780 + 24), 1);                 // packing: method A, filled
    EXPECT_EQ(be16(b, 780 + 26), 0);                 // no RLE
    EXPECT_EQ(be32(b, 780 + 28), 2048u);             // element data offset
    EXPECT_EQ(be32(b, 780 + 72 + 28), 0xFFFFFFFFu);  // element 2 undefined
    float fps = 0;
    const std::uint32_t bits = be32(b, 1724);
    std::memcpy(&fps, &bits, 4);
    EXPECT_NEAR(fps, 23.976f, 1e-3f);
    // First pixel: R = 0, G = 1023, B = 512 (32768 * 1023 / 65535 = 511.5 -> 512), low 2 bits 0.
    EXPECT_EQ(be32(b, 2048), (0u << 22) | (1023u << 12) | (512u << 2));
}

TEST(DpxTest, TenBitDecodesWithLibavcodecToQuantisedSource) {
    const Frame frame = test_frame(64, 9);
    auto bytes = encode_dpx(frame, {10, {}, {}, "test", ""});
    ASSERT_TRUE(bytes.ok());
    const Decoded decoded = decode_with_ffmpeg(bytes.value());
    ASSERT_EQ(decoded.format, AV_PIX_FMT_GBRP10LE) << av_get_pix_fmt_name(decoded.format);
    ASSERT_EQ(decoded.width, 64);
    ASSERT_EQ(decoded.height, 9);
    const auto* s = frame.samples<std::uint16_t>();
    for (std::size_t i = 0; i < frame.sample_count(); ++i) {
        const std::uint32_t expected =
            (static_cast<std::uint32_t>(s[i]) * 1023 * 2 + 65535) / 131070;
        ASSERT_EQ(decoded.rgb[i], expected) << "sample " << i;
    }
}

TEST(DpxTest, SixteenBitDecodesWithLibavcodecExactly) {
    const Frame frame = test_frame(31, 5);
    auto bytes = encode_dpx(frame, {16, {}, {}, "test", ""});
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(bytes->size(), 2048u + 31u * 5u * 6u);
    const Decoded decoded = decode_with_ffmpeg(bytes.value());
    ASSERT_TRUE(decoded.format == AV_PIX_FMT_RGB48BE || decoded.format == AV_PIX_FMT_RGB48LE)
        << av_get_pix_fmt_name(decoded.format);
    const auto* s = frame.samples<std::uint16_t>();
    for (std::size_t i = 0; i < frame.sample_count(); ++i) {
        ASSERT_EQ(decoded.rgb[i], s[i]) << "sample " << i;
    }
}

TEST(DpxTest, EightBitAndFloatInputsAreRescaled) {
    Frame u8;
    u8.allocate(2, 1, SampleType::U8);
    const std::uint8_t values[6] = {0, 255, 128, 1, 254, 127};
    std::memcpy(u8.data.data(), values, 6);
    auto bytes = encode_dpx(u8, {10, {}, {}, "", ""});
    ASSERT_TRUE(bytes.ok());
    const Decoded d = decode_with_ffmpeg(bytes.value());
    // round(v * 1023 / 255)
    EXPECT_EQ(d.rgb, (std::vector<std::uint16_t>{0, 1023, 514, 4, 1019, 509}));

    Frame f32;
    f32.allocate(1, 1, SampleType::F32);
    f32.samples<float>()[0] = -0.5f;
    f32.samples<float>()[1] = 2.0f;
    f32.samples<float>()[2] = 0.5f;
    bytes = encode_dpx(f32, {16, {}, {}, "", ""});
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(decode_with_ffmpeg(bytes.value()).rgb, (std::vector<std::uint16_t>{0, 65535, 32768}));
}

TEST(DpxTest, RejectsUnsupportedDepthAndEmptyFrames) {
    const Frame frame = test_frame(4, 4);
    EXPECT_EQ(encode_dpx(frame, {12, {}, {}, "", ""}).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(encode_dpx(Frame{}, {10, {}, {}, "", ""}).error().code, ErrorCode::InvalidArgument);
}

TEST(DpxTest, HeaderParserClassifiesDamage) {
    const Frame frame = test_frame(16, 16);
    auto bytes = encode_dpx(frame, {10, {}, {}, "", ""});
    ASSERT_TRUE(bytes.ok());
    std::vector<std::uint8_t> b = bytes.value();
    auto ok = parse_dpx_header(b.data(), b.size(), "a.dpx");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->width, 16);
    EXPECT_EQ(ok->bit_depth, 10);
    EXPECT_EQ(ok->packing, 1);
    EXPECT_EQ(ok->image_bytes, 16u * 16u * 4u);

    auto cut = parse_dpx_header(b.data(), b.size() - 5, "cut.dpx");
    EXPECT_EQ(cut.error().code, ErrorCode::FileTruncated);
    EXPECT_EQ(cut.error().get("path"), "cut.dpx");
    EXPECT_EQ(parse_dpx_header(b.data(), 500, "short.dpx").error().code, ErrorCode::FileTruncated);

    std::vector<std::uint8_t> bad_magic = b;
    bad_magic[0] = 'X';
    bad_magic[1] = 'X';
    EXPECT_EQ(parse_dpx_header(bad_magic.data(), bad_magic.size(), "x.dpx").error().code,
              ErrorCode::FileCorrupt);

    std::vector<std::uint8_t> zero_width = b;
    std::memset(&zero_width[772], 0, 4);
    EXPECT_EQ(parse_dpx_header(zero_width.data(), zero_width.size(), "x.dpx").error().code,
              ErrorCode::FileCorrupt);

    std::vector<std::uint8_t> rle = b;
    rle[780 + 27] = 1;
    EXPECT_EQ(parse_dpx_header(rle.data(), rle.size(), "x.dpx").error().code,
              ErrorCode::UnsupportedFormat);
}

TEST(DpxTest, ColourCodesRoundTrip) {
    for (int transfer : {1, 8, 16, 18}) {
        ColorInfo color;
        color.transfer = transfer;
        color.primaries = transfer >= 16 ? 9 : 1;
        const ColorInfo back =
            color_from_dpx(dpx_transfer_code(color), dpx_colorimetric_code(color));
        EXPECT_EQ(back.transfer, transfer);
        EXPECT_EQ(back.primaries, color.primaries);
    }
    EXPECT_EQ(dpx_transfer_code(ColorInfo{}), 4);  // unspecified video
}

}  // namespace
}  // namespace engine::io
