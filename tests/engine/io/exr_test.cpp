#include "engine/io/exr.h"

#include <Imath/half.h>
#include <OpenEXR/ImfChannelList.h>
#include <OpenEXR/ImfFrameBuffer.h>
#include <OpenEXR/ImfHeader.h>
#include <OpenEXR/ImfIO.h>
#include <OpenEXR/ImfOutputFile.h>
#include <OpenEXR/ImfStringAttribute.h>
#include <OpenEXR/ImfTiledOutputFile.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <vector>

namespace engine::io {
namespace {

Frame hdr_frame(int width, int height) {
    Frame f;
    f.allocate(width, height, SampleType::F32);
    f.bit_depth = 32;
    float* s = f.samples<float>();
    for (std::size_t i = 0; i < f.sample_count(); ++i) {
        // Linear light over several decades, some negative (out of gamut) and above 1.
        s[i] =
            static_cast<float>(std::pow(10.0, -3.0 + 6.0 * static_cast<double>(i % 101) / 100.0));
        if (i % 17 == 0) {
            s[i] = -s[i] * 0.01f;
        }
    }
    s[0] = 0.0f;
    s[1] = 1.0f / 3.0f;  // not representable in half
    s[2] = 1e-7f;        // half subnormal
    return f;
}

class MemoryOut : public Imf::OStream {
  public:
    MemoryOut() : Imf::OStream("memory") {}
    void write(const char c[], int n) override {
        if (m_pos + n > m_bytes.size()) {
            m_bytes.resize(m_pos + n);
        }
        std::memcpy(m_bytes.data() + m_pos, c, n);
        m_pos += n;
    }
    std::uint64_t tellp() override { return m_pos; }
    void seekp(std::uint64_t pos) override { m_pos = pos; }
    std::vector<std::uint8_t> m_bytes;
    std::size_t m_pos = 0;
};

// An EXR with arbitrary channels, written directly through OpenEXR (not our writer).
std::vector<std::uint8_t> write_channels(int width,
                                         int height,
                                         const std::vector<std::string>& names,
                                         Imf::PixelType type,
                                         float base) {
    Imf::Header header(width, height);
    for (const auto& n : names) {
        header.channels().insert(n, Imf::Channel(type));
    }
    const std::size_t n = static_cast<std::size_t>(width) * height;
    std::vector<std::vector<float>> planes(names.size(), std::vector<float>(n));
    std::vector<std::vector<Imath::half>> half_planes(names.size(), std::vector<Imath::half>(n));
    Imf::FrameBuffer fb;
    for (std::size_t c = 0; c < names.size(); ++c) {
        for (std::size_t i = 0; i < n; ++i) {
            planes[c][i] = base + static_cast<float>(c) + 0.25f * static_cast<float>(i);
            half_planes[c][i] = Imath::half(planes[c][i]);
        }
        if (type == Imf::HALF) {
            fb.insert(names[c],
                      Imf::Slice(Imf::HALF, reinterpret_cast<char*>(half_planes[c].data()),
                                 sizeof(Imath::half), sizeof(Imath::half) * width));
        } else {
            fb.insert(names[c], Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(planes[c].data()),
                                           sizeof(float), sizeof(float) * width));
        }
    }
    MemoryOut out;
    {
        Imf::OutputFile file(out, header);
        file.setFrameBuffer(fb);
        file.writePixels(height);
    }
    return out.m_bytes;
}

// A tiled RGB half file written by OpenEXR, every level filled with base + c + 0.25 * (x + y).
std::vector<std::uint8_t> write_tiled(int width, int height, Imf::LevelMode levels, float base) {
    Imf::Header header(width, height);
    for (const char* name : {"R", "G", "B"}) {
        header.channels().insert(name, Imf::Channel(Imf::HALF));
    }
    header.setTileDescription(Imf::TileDescription(8, 4, levels));
    MemoryOut out;
    {
        Imf::TiledOutputFile file(out, header);
        for (int level = 0; level < file.numLevels(); ++level) {
            const int w = file.levelWidth(level);
            const int h = file.levelHeight(level);
            std::vector<Imath::half> pixels(static_cast<std::size_t>(w) * h * 3);
            for (int y = 0; y < h; ++y) {
                for (int x = 0; x < w; ++x) {
                    for (int c = 0; c < 3; ++c) {
                        pixels[(static_cast<std::size_t>(y) * w + x) * 3 + c] =
                            Imath::half(base + static_cast<float>(c) + 0.25f * (x + y));
                    }
                }
            }
            Imf::FrameBuffer fb;
            const char* names[3] = {"R", "G", "B"};
            for (int c = 0; c < 3; ++c) {
                fb.insert(names[c],
                          Imf::Slice(Imf::HALF, reinterpret_cast<char*>(pixels.data() + c),
                                     3 * sizeof(Imath::half), 3 * sizeof(Imath::half) * w));
            }
            file.setFrameBuffer(fb);
            file.writeTiles(0, file.numXTiles(level) - 1, 0, file.numYTiles(level) - 1, level);
        }
    }
    return out.m_bytes;
}

std::uint32_t read_u32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return std::uint32_t{b[at]} | (std::uint32_t{b[at + 1]} << 8) |
           (std::uint32_t{b[at + 2]} << 16) | (std::uint32_t{b[at + 3]} << 24);
}

void write_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
}

// Offset of the header's terminating null (the chunk table follows it), by the format's rules.
std::size_t header_end(const std::vector<std::uint8_t>& b) {
    std::size_t at = 8;
    for (;;) {
        const std::size_t name = at;
        while (b[at] != 0) {
            ++at;
        }
        if (at++ == name) {
            return at;
        }
        while (b[at++] != 0) {
        }
        at += 4 + read_u32(b, at);
    }
}

// `bytes` with an attribute (name, type, declared size, then `payload`) inserted before the
// header's end; chunk offsets are not moved (inspection and the size checks come first).
std::vector<std::uint8_t> with_attribute(std::vector<std::uint8_t> bytes,
                                         const std::string& type,
                                         std::uint32_t declared,
                                         std::size_t payload) {
    std::vector<std::uint8_t> attribute;
    for (const std::string& s : {std::string("zNote"), type}) {
        attribute.insert(attribute.end(), s.begin(), s.end());
        attribute.push_back(0);
    }
    attribute.resize(attribute.size() + 4 + payload, 0);
    write_u32(attribute, attribute.size() - 4 - payload, declared);
    const std::size_t end = header_end(bytes) - 1;
    bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(end), attribute.begin(),
                 attribute.end());
    return bytes;
}

TEST(ExrTest, FloatRoundTripIsBitExact) {
    const Frame frame = hdr_frame(37, 11);
    for (ExrCompression compression :
         {ExrCompression::ZIP, ExrCompression::PIZ, ExrCompression::None}) {
        ExrWriteOptions options;
        options.bit_depth = 32;
        options.compression = compression;
        auto bytes = encode_exr(frame, options);
        ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
        ExrInfo info;
        auto back = decode_exr(bytes->data(), bytes->size(), "f.exr", &info);
        ASSERT_TRUE(back.ok()) << back.error().to_string();
        EXPECT_EQ(info.bit_depth, 32);
        EXPECT_EQ(back->type, SampleType::F32);
        EXPECT_EQ(back->data, frame.data) << "compression " << static_cast<int>(compression);
    }
}

TEST(ExrTest, HalfRoundTripWithinHalfPrecision) {
    const Frame frame = hdr_frame(40, 8);
    for (ExrCompression compression :
         {ExrCompression::ZIP, ExrCompression::PIZ, ExrCompression::None}) {
        ExrWriteOptions options;
        options.bit_depth = 16;
        options.compression = compression;
        auto bytes = encode_exr(frame, options);
        ASSERT_TRUE(bytes.ok());
        ExrInfo info;
        auto back = decode_exr(bytes->data(), bytes->size(), "h.exr", &info);
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(info.bit_depth, 16);
        const float* a = frame.samples<float>();
        const float* b = back->samples<float>();
        for (std::size_t i = 0; i < frame.sample_count(); ++i) {
            // Lossless compressions: exactly the nearest half.
            ASSERT_EQ(b[i], static_cast<float>(Imath::half(a[i]))) << i;
            if (std::fabs(a[i]) >= 6.2e-5f) {  // normal half range: relative error <= 2^-11
                ASSERT_LE(std::fabs(b[i] - a[i]), std::fabs(a[i]) * 0.00049f) << i;
            }
        }
    }
}

TEST(ExrTest, DwaaIsLossyButClose) {
    Frame frame;
    frame.allocate(64, 64, SampleType::F32);
    for (int y = 0; y < 64; ++y) {
        for (int x = 0; x < 64; ++x) {
            for (int c = 0; c < 3; ++c) {
                frame.samples<float>()[(y * 64 + x) * 3 + c] =
                    0.2f + 0.01f * x + 0.005f * y + 0.1f * c;
            }
        }
    }
    ExrWriteOptions options;
    options.compression = ExrCompression::DWAA;
    auto bytes = encode_exr(frame, options);
    ASSERT_TRUE(bytes.ok());
    auto back = decode_exr(bytes->data(), bytes->size(), "d.exr");
    ASSERT_TRUE(back.ok());
    double max_rel = 0.0;
    for (std::size_t i = 0; i < frame.sample_count(); ++i) {
        max_rel =
            std::max(max_rel, std::fabs(back->samples<float>()[i] - frame.samples<float>()[i]) /
                                  static_cast<double>(frame.samples<float>()[i]));
    }
    EXPECT_LT(max_rel, 0.02);
}

TEST(ExrTest, IntegerFramesAreNormalised) {
    Frame frame;
    frame.allocate(2, 1, SampleType::U16);
    const std::uint16_t values[6] = {0, 65535, 32768, 1, 2, 3};
    std::memcpy(frame.data.data(), values, sizeof values);
    auto bytes = encode_exr(frame, {32, ExrCompression::ZIP, {}, {}, 0});
    ASSERT_TRUE(bytes.ok());
    auto back = decode_exr(bytes->data(), bytes->size(), "i.exr");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->samples<float>()[1], 1.0f);
    EXPECT_EQ(back->samples<float>()[2], 32768.0f / 65535.0f);
}

TEST(ExrTest, RgbaDropsAlphaAndLuminanceExpands) {
    auto rgba = write_channels(3, 2, {"A", "B", "G", "R"}, Imf::HALF, 1.0f);
    auto frame = decode_exr(rgba.data(), rgba.size(), "rgba.exr");
    ASSERT_TRUE(frame.ok()) << frame.error().to_string();
    // Channel c of write_channels is base + c + 0.25 i; names sorted A, B, G, R -> c = 0..3.
    EXPECT_EQ(frame->samples<float>()[0], 1.0f + 3.0f);  // R
    EXPECT_EQ(frame->samples<float>()[1], 1.0f + 2.0f);  // G
    EXPECT_EQ(frame->samples<float>()[2], 1.0f + 1.0f);  // B
    EXPECT_EQ(frame->bit_depth, 16);

    auto grey = write_channels(3, 2, {"Y"}, Imf::FLOAT, 5.0f);
    ExrInfo info;
    frame = decode_exr(grey.data(), grey.size(), "y.exr", &info);
    ASSERT_TRUE(frame.ok());
    EXPECT_TRUE(info.luminance_only);
    for (int i = 0; i < 6; ++i) {
        for (int c = 0; c < 3; ++c) {
            EXPECT_EQ(frame->samples<float>()[i * 3 + c], 5.0f + 0.25f * i);
        }
    }

    auto odd = write_channels(2, 2, {"Z"}, Imf::FLOAT, 0.0f);
    EXPECT_EQ(decode_exr(odd.data(), odd.size(), "z.exr").error().code,
              ErrorCode::UnsupportedPixelFormat);
}

TEST(ExrTest, DamageIsClassified) {
    const Frame frame = hdr_frame(64, 64);
    auto bytes = encode_exr(frame, {16, ExrCompression::ZIP, {}, {}, 0});
    ASSERT_TRUE(bytes.ok());
    std::vector<std::uint8_t> b = bytes.value();

    std::vector<std::uint8_t> cut(b.begin(),
                                  b.begin() + static_cast<std::ptrdiff_t>(b.size() * 2 / 3));
    auto truncated = decode_exr(cut.data(), cut.size(), "cut.exr");
    ASSERT_FALSE(truncated.ok());
    EXPECT_EQ(truncated.error().code, ErrorCode::FileTruncated) << truncated.error().to_string();
    EXPECT_EQ(truncated.error().get("path"), "cut.exr");

    std::vector<std::uint8_t> header_only(b.begin(), b.begin() + 40);
    EXPECT_EQ(decode_exr(header_only.data(), header_only.size(), "h.exr").error().code,
              ErrorCode::FileTruncated);

    std::vector<std::uint8_t> not_exr = b;
    not_exr[0] = 0;
    EXPECT_EQ(decode_exr(not_exr.data(), not_exr.size(), "n.exr").error().code,
              ErrorCode::FileCorrupt);

    // Garbage in the compressed pixel data (after header and offset table).
    std::vector<std::uint8_t> garbled = b;
    for (std::size_t i = b.size() / 2; i < b.size(); ++i) {
        garbled[i] = static_cast<std::uint8_t>(i * 31);
    }
    auto bad = decode_exr(garbled.data(), garbled.size(), "g.exr");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::FileCorrupt) << bad.error().to_string();
}

TEST(ExrTest, ChromaticitiesRecordPrimaries) {
    Frame frame = hdr_frame(4, 4);
    ExrWriteOptions options;
    options.color.primaries = 9;
    options.frame_rate = {25, 1};
    auto bytes = encode_exr(frame, options);
    ASSERT_TRUE(bytes.ok());
    auto info = inspect_exr(bytes->data(), bytes->size(), "c.exr");
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->color.primaries, 9);
    EXPECT_EQ(info->color.transfer, 8);
    EXPECT_TRUE(info->complete);
    EXPECT_EQ(encode_exr(frame, {24, ExrCompression::ZIP, {}, {}, 0}).error().code,
              ErrorCode::InvalidArgument);
}

TEST(ExrTest, TiledFilesDecodeTheirFullResolutionLevel) {
    for (Imf::LevelMode levels : {Imf::ONE_LEVEL, Imf::MIPMAP_LEVELS}) {
        auto bytes = write_tiled(19, 10, levels, 2.0f);
        ExrInfo info;
        auto frame = decode_exr(bytes.data(), bytes.size(), "tiled.exr", &info);
        ASSERT_TRUE(frame.ok()) << frame.error().to_string();
        EXPECT_EQ(frame->width, 19);
        EXPECT_EQ(frame->height, 10);
        EXPECT_EQ(info.bit_depth, 16);
        EXPECT_TRUE(info.complete);
        for (int y = 0; y < 10; ++y) {
            for (int x = 0; x < 19; ++x) {
                for (int c = 0; c < 3; ++c) {
                    ASSERT_EQ(frame->samples<float>()[(y * 19 + x) * 3 + c],
                              static_cast<float>(Imath::half(2.0f + c + 0.25f * (x + y))))
                        << x << "," << y << "," << c;
                }
            }
        }
    }
}

// OpenEXR's C++ API allocates an attribute's declared size before reading it; the header is
// parsed by OpenEXR's Core library under a byte budget instead, and sizes beyond the file are
// refused before any allocation.
TEST(ExrTest, DeclaredSizesBeyondTheFileAreRefused) {
    auto bytes = encode_exr(hdr_frame(8, 8), {16, ExrCompression::ZIP, {}, {}, 0});
    ASSERT_TRUE(bytes.ok());
    for (const std::string type : {"opaqueThing", "string", "stringvector", "preview"}) {
        const auto bomb = with_attribute(bytes.value(), type, 1600u << 20, 16);
        auto info = inspect_exr(bomb.data(), bomb.size(), "bomb.exr");
        ASSERT_FALSE(info.ok()) << type;
        EXPECT_EQ(info.error().code, ErrorCode::FileCorrupt) << info.error().to_string();
        EXPECT_EQ(info.error().get("declared_bytes"), std::to_string(1600u << 20));
        EXPECT_EQ(decode_exr(bomb.data(), bomb.size(), "bomb.exr").error().code,
                  ErrorCode::FileCorrupt);
    }
    // A small attribute running past the end is a file cut short.
    auto cut = with_attribute(bytes.value(), "string", 4000, 0);
    cut.resize(header_end(bytes.value()) + 40);
    auto cut_info = inspect_exr(cut.data(), cut.size(), "cut.exr");
    ASSERT_FALSE(cut_info.ok());
    EXPECT_EQ(cut_info.error().code, ErrorCode::FileTruncated) << cut_info.error().to_string();
}

TEST(ExrTest, LargeHeadersStayWithinTheBudget) {
    // Some 6000 attributes (~150 KB of header): Core's structures for them must fit the budget.
    Imf::Header header(4, 3);
    for (const char* name : {"B", "G", "R"}) {
        header.channels().insert(name, Imf::Channel(Imf::FLOAT));
    }
    for (int i = 0; i < 6000; ++i) {
        header.insert("note" + std::to_string(i), Imf::StringAttribute("x"));
    }
    std::vector<float> pixels(12, 0.5f);
    Imf::FrameBuffer fb;
    for (const char* name : {"B", "G", "R"}) {
        fb.insert(name, Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(pixels.data()),
                                   sizeof(float), sizeof(float) * 4));
    }
    MemoryOut out;
    {
        Imf::OutputFile file(out, header);
        file.setFrameBuffer(fb);
        file.writePixels(3);
    }
    auto frame = decode_exr(out.m_bytes.data(), out.m_bytes.size(), "notes.exr");
    ASSERT_TRUE(frame.ok()) << frame.error().to_string();
    EXPECT_EQ(frame->samples<float>()[11], 0.5f);
}

TEST(ExrTest, DamagedChunkTablesAreClassified) {
    auto bytes = encode_exr(hdr_frame(16, 40), {16, ExrCompression::None, {}, {}, 0});
    ASSERT_TRUE(bytes.ok());
    const std::size_t table = header_end(bytes.value());
    // 40 lines, one per chunk without compression: 40 offsets.
    std::vector<std::uint8_t> unwritten = bytes.value();
    write_u32(unwritten, table + 8 * 7, 0);
    write_u32(unwritten, table + 8 * 7 + 4, 0);
    auto info = inspect_exr(unwritten.data(), unwritten.size(), "u.exr");
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_FALSE(info->complete);
    EXPECT_EQ(decode_exr(unwritten.data(), unwritten.size(), "u.exr").error().code,
              ErrorCode::FileTruncated);

    std::vector<std::uint8_t> into_header = bytes.value();
    write_u32(into_header, table + 8 * 3, 10);
    EXPECT_EQ(decode_exr(into_header.data(), into_header.size(), "h.exr").error().code,
              ErrorCode::FileCorrupt);

    // Two chunks swapped: each chunk's leader names a line the table does not expect there.
    std::vector<std::uint8_t> swapped = bytes.value();
    for (std::size_t k = 0; k < 8; ++k) {
        std::swap(swapped[table + k], swapped[table + 8 + k]);
    }
    auto bad = decode_exr(swapped.data(), swapped.size(), "s.exr");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::FileCorrupt) << bad.error().to_string();
}

TEST(ExrTest, FuzzerFindingsAreCleanErrors) {
    const std::filesystem::path folder =
        std::filesystem::path(FVSR_SOURCE_DIR) / "tests/fuzz/regressions/exr";
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        std::ifstream in(entry.path(), std::ios::binary);
        const std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
        auto frame = decode_exr(b.data(), b.size(), entry.path());
        if (!frame.ok()) {
            const ErrorCode code = frame.error().code;
            EXPECT_TRUE(code == ErrorCode::FileCorrupt || code == ErrorCode::FileTruncated ||
                        code == ErrorCode::UnsupportedFormat ||
                        code == ErrorCode::UnsupportedPixelFormat)
                << entry.path() << ": " << frame.error().to_string();
        }
        ++files;
    }
    EXPECT_GE(files, 5);
}

}  // namespace
}  // namespace engine::io
