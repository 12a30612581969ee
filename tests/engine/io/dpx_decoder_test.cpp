// Our DPX decoder (the reader of builds without FFmpeg): round trips through our writer,
// hand-made files in the other layouts, and, where FFmpeg is present, agreement with
// libavcodec's decoder as the image sequence source uses it.

#include "engine/io/dpx.h"
#include "engine/io/image_sequence.h"
#include "engine/io/media.h"
#include "engine/io/support/temp_dir.h"
#include "engine/io/versions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

namespace engine::io {
namespace {

namespace fs = std::filesystem;

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
    return f;
}

// A DPX header of one element (2048 bytes, image data right after) in either byte order.
std::vector<std::uint8_t> dpx_header(bool big_endian,
                                     int width,
                                     int height,
                                     int descriptor,
                                     int bits,
                                     int packing) {
    std::vector<std::uint8_t> b(2048, 0);
    auto put32 = [&](std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            b[at + (big_endian ? i : 3 - i)] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
        }
    };
    auto put16 = [&](std::size_t at, std::uint16_t v) {
        b[at + (big_endian ? 0 : 1)] = static_cast<std::uint8_t>(v >> 8);
        b[at + (big_endian ? 1 : 0)] = static_cast<std::uint8_t>(v);
    };
    std::memcpy(b.data(), big_endian ? "SDPX" : "XPDS", 4);
    put32(4, 2048);
    put16(770, 1);
    put32(772, static_cast<std::uint32_t>(width));
    put32(776, static_cast<std::uint32_t>(height));
    b[780 + 20] = static_cast<std::uint8_t>(descriptor);
    b[780 + 21] = 2;  // linear
    b[780 + 22] = 2;
    b[780 + 23] = static_cast<std::uint8_t>(bits);
    put16(780 + 24, static_cast<std::uint16_t>(packing));
    return b;
}

void append32(std::vector<std::uint8_t>& b, std::uint32_t v, bool big_endian) {
    for (int i = 0; i < 4; ++i) {
        b.push_back(static_cast<std::uint8_t>(v >> (big_endian ? 24 - 8 * i : 8 * i)));
    }
}
void append16(std::vector<std::uint8_t>& b, std::uint16_t v, bool big_endian) {
    b.push_back(static_cast<std::uint8_t>(big_endian ? v >> 8 : v));
    b.push_back(static_cast<std::uint8_t>(big_endian ? v : v >> 8));
}

std::uint16_t expand(std::uint32_t code, int bits) {
    const std::uint32_t max = (1u << bits) - 1;
    return static_cast<std::uint16_t>((std::uint64_t(code) * 65535 * 2 + max) / (2ull * max));
}

class DpxDecoderTest : public fvsr_test::TempDirTest {
  protected:
    // Our decode and the image sequence source (libavcodec in builds with FFmpeg) of one file.
    void expect_decodes_to(const std::vector<std::uint8_t>& bytes,
                           const std::vector<std::uint16_t>& expected) {
        auto ours = decode_dpx(bytes.data(), bytes.size(), "x.dpx", SampleType::U16);
        ASSERT_TRUE(ours.ok()) << ours.error().to_string();
        const auto* s = ours->samples<std::uint16_t>();
        ASSERT_EQ(ours->sample_count(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            ASSERT_EQ(s[i], expected[i]) << "sample " << i;
        }
        const fs::path file = path("still.dpx");
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        SourceOptions so;
        so.input = file;
        so.preferred_type = SampleType::U16;
        auto source = open_source(so);
        ASSERT_TRUE(source.ok()) << source.error().to_string();
        auto frame = (*source)->next();
        ASSERT_TRUE(frame.ok() && frame->has_value()) << frame.error().to_string();
        if ((*frame)->type == SampleType::U16) {
            EXPECT_EQ((*frame)->data, ours->data) << (have_ffmpeg() ? "libavcodec" : "ours");
        }
    }
};

TEST_F(DpxDecoderTest, RoundTripsOurWriter) {
    const Frame frame = test_frame(7, 5);
    for (int bits : {10, 16}) {
        SCOPED_TRACE(bits);
        DpxWriteOptions w;
        w.bit_depth = bits;
        auto bytes = encode_dpx(frame, w);
        ASSERT_TRUE(bytes.ok());
        std::vector<std::uint16_t> expected(frame.sample_count());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const std::uint32_t v = frame.samples<std::uint16_t>()[i];
            const std::uint32_t max = (1u << bits) - 1;
            expected[i] = expand(
                static_cast<std::uint32_t>((std::uint64_t(v) * max * 2 + 65535) / (2 * 65535)),
                bits);
        }
        expect_decodes_to(*bytes, expected);
        DpxHeader header;
        auto f32 = decode_dpx(bytes->data(), bytes->size(), "x.dpx", SampleType::F32, &header);
        ASSERT_TRUE(f32.ok());
        EXPECT_EQ(header.bit_depth, bits);
        EXPECT_EQ(f32->bit_depth, bits);
        EXPECT_FLOAT_EQ(f32->samples<float>()[1], 1.0f);
    }
}

TEST_F(DpxDecoderTest, OtherLayoutsAndByteOrders) {
    const int w = 3;
    const int h = 2;
    for (bool be : {true, false}) {
        SCOPED_TRACE(be ? "big endian" : "little endian");
        // 10-bit RGB, method B (packing 2): data in bits 29..0.
        auto b = dpx_header(be, w, h, 50, 10, 2);
        std::vector<std::uint16_t> expected;
        for (int i = 0; i < w * h; ++i) {
            const std::uint32_t r = 100 + i, g = 500 + i, bl = 1000 + i;
            append32(b, (r << 20) | (g << 10) | bl, be);
            for (std::uint32_t c : {r, g, bl}) {
                expected.push_back(expand(c, 10));
            }
        }
        expect_decodes_to(b, expected);

        // 12-bit RGB in 16-bit words, method A (packing 1): value in the top 12 bits.
        b = dpx_header(be, w, h, 50, 12, 1);
        expected.clear();
        for (int i = 0; i < w * h * 3; ++i) {
            const std::uint16_t code = static_cast<std::uint16_t>(37 * i + 5);
            append16(b, static_cast<std::uint16_t>(code << 4), be);
            expected.push_back(expand(code, 12));
        }
        expect_decodes_to(b, expected);

        // 10-bit luma, method A: three samples per word from the low bits up, rows padded.
        b = dpx_header(be, w + 1, h, 6, 10, 1);
        expected.clear();
        for (int y = 0; y < h; ++y) {
            const std::uint32_t s[4] = {std::uint32_t(10 + y), std::uint32_t(300 + y),
                                        std::uint32_t(700 + y), std::uint32_t(1023 - y)};
            append32(b, (s[0] << 2) | (s[1] << 12) | (s[2] << 22), be);
            append32(b, s[3] << 2, be);
            for (std::uint32_t v : s) {
                for (int c = 0; c < 3; ++c) {
                    expected.push_back(expand(v, 10));
                }
            }
        }
        expect_decodes_to(b, expected);

        // 8-bit RGBA: alpha dropped.
        b = dpx_header(be, w, h, 51, 8, 0);
        expected.clear();
        for (int i = 0; i < w * h; ++i) {
            for (int c = 0; c < 4; ++c) {
                b.push_back(static_cast<std::uint8_t>(40 * c + i));
                if (c < 3) {
                    expected.push_back(static_cast<std::uint16_t>((40 * c + i) * 257));
                }
            }
        }
        expect_decodes_to(b, expected);
    }
}

TEST_F(DpxDecoderTest, UnsupportedLayoutsAreClearErrors) {
    auto b = dpx_header(true, 3, 1, 50, 10, 0);  // bit-packed rows
    b.resize(b.size() + 12);
    auto r = decode_dpx(b.data(), b.size(), "p.dpx", SampleType::U16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnsupportedFormat);
    EXPECT_EQ(r.error().get("packing"), "0");
    EXPECT_EQ(r.error().get("path"), "p.dpx");

    b = dpx_header(true, 3, 1, 52, 16, 0);  // ABGR
    b.resize(b.size() + 3 * 4 * 2);
    r = decode_dpx(b.data(), b.size(), "a.dpx", SampleType::U16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnsupportedFormat);
    EXPECT_EQ(r.error().get("descriptor"), "52");

    b = dpx_header(true, 3, 1, 50, 16, 0);  // data cut short
    b.resize(b.size() + 5);
    r = decode_dpx(b.data(), b.size(), "t.dpx", SampleType::U16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::FileTruncated);
}

TEST_F(DpxDecoderTest, SequenceWrittenAndReadInEveryBuild) {
    SinkOptions o;
    o.output = path("frames");
    o.mode = OutputMode::Pictures;
    o.picture_format = PictureFormat::DPX;
    o.picture_bit_depth = 16;
    o.width = 7;
    o.height = 5;
    o.expected_frames = 3;
    auto sink = open_sink(o);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    const Frame frame = test_frame(7, 5);
    for (int k = 0; k < 3; ++k) {
        Frame f = frame;
        f.index = k;
        f.pts = k;
        ASSERT_TRUE((*sink)->write(f).ok());
    }
    ASSERT_TRUE((*sink)->finish().ok());
    auto done = completed_image_sequence_frames(o);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->size(), 3u);

    SourceOptions so;
    so.input = path("frames");
    auto source = open_source(so);
    ASSERT_TRUE(source.ok()) << source.error().to_string();
    EXPECT_EQ((*source)->info().frame_count, 3);
    EXPECT_EQ((*source)->info().bit_depth, 16);
    int n = 0;
    while (true) {
        auto next = (*source)->next();
        ASSERT_TRUE(next.ok()) << next.error().to_string();
        if (!next->has_value()) {
            break;
        }
        EXPECT_EQ((*next)->data, frame.data);  // 16-bit DPX is lossless
        ++n;
    }
    EXPECT_EQ(n, 3);
}

}  // namespace
}  // namespace engine::io
