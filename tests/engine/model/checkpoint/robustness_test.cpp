// Random mutations of real checkpoint files: every load must return a value or an Error, never
// crash, hang or allocate without bound. Run under ASan (the dev preset) for full value.

#include "checkpoint_test_util.h"
#include "engine/model/checkpoint/checkpoint_file.h"
#include "engine/model/checkpoint/state_dict.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace engine::model {
namespace {

using test::fixtures;
using test::golden_models;
using test::read_bytes;

std::uint32_t crc32(const std::string& bytes, std::size_t begin, std::size_t size) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::size_t i = begin; i < begin + size; ++i) {
        crc ^= static_cast<std::uint8_t>(bytes[i]);
        for (int k = 0; k < 8; ++k) {
            crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
    }
    return ~crc;
}

std::uint32_t u32_at(const std::string& b, std::size_t p) {
    return static_cast<std::uint8_t>(b[p]) | (static_cast<std::uint8_t>(b[p + 1]) << 8) |
           (static_cast<std::uint8_t>(b[p + 2]) << 16) |
           (static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[p + 3])) << 24);
}

// Where data.pkl lives in a (small, non-zip64) torch zip, and where its CRC is recorded, so the
// pickle itself can be fuzzed past the CRC check.
struct PickleLocation {
    std::size_t data = 0, size = 0, crc_field = 0;
};

PickleLocation find_pickle(const std::string& zip) {
    for (std::size_t p = zip.size() - 22;; --p) {
        if (zip.compare(p, 4, "PK\x01\x02") == 0) {
            const std::size_t name_length = u32_at(zip, p + 28) & 0xFFFF;
            const std::string name = zip.substr(p + 46, name_length);
            if (name.size() >= 8 && name.compare(name.size() - 8, 8, "data.pkl") == 0) {
                const std::size_t local = u32_at(zip, p + 42);
                const std::size_t data = local + 30 + (u32_at(zip, local + 26) & 0xFFFF) +
                                         (u32_at(zip, local + 28) & 0xFFFF);
                return {data, u32_at(zip, p + 24), p + 16};
            }
        }
        if (p == 0) {
            break;
        }
    }
    ADD_FAILURE() << "no data.pkl";
    return {};
}

TEST(Robustness, MutatedFilesNeverCrash) {
    struct Source {
        std::string bytes;
        bool zip;
        PickleLocation pickle;
    };
    std::vector<Source> sources;
    for (const auto& path :
         {golden_models() / "v1.1" / "posi_prompt.pth",
          golden_models() / "v1.0" / "LQ_proj_in.ckpt", golden_models() / "v1.1" / "TCDecoder.ckpt",
          fixtures() / "views.pth", fixtures() / "all_dtypes.pth", fixtures() / "big_endian.pth",
          fixtures() / "views_expected.safetensors", fixtures() / "golden_expected.safetensors",
          golden_models() / "v1.1" / "diffusion_pytorch_model_streaming_dmd.safetensors"}) {
        Source s;
        s.bytes = read_bytes(path);
        s.zip = s.bytes.compare(0, 2, "PK") == 0;
        if (s.zip) {
            s.pickle = find_pickle(s.bytes);
        }
        sources.push_back(std::move(s));
    }
    std::mt19937_64 rng(20240601);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    const auto start = std::chrono::steady_clock::now();
    int ok = 0, failed = 0;
    std::map<ErrorCode, int> codes;
    constexpr int kIterations = 4000;
    for (int iteration = 0; iteration < kIterations; ++iteration) {
        // The 9 MB DiT is fuzzed less often: its cost is the copy, not the header.
        std::size_t which = pick(sources.size());
        if (which == sources.size() - 1 && pick(8) != 0) {
            which = pick(sources.size() - 1);
        }
        const Source& source = sources[which];
        std::string bytes = source.bytes;
        const bool fuzz_pickle = source.zip && pick(2) == 0;
        const int mutations = 1 + static_cast<int>(pick(6));
        for (int m = 0; m < mutations && !bytes.empty(); ++m) {
            std::size_t pos;
            if (fuzz_pickle) {
                pos = source.pickle.data + pick(source.pickle.size);
            } else {
                const std::size_t zone = pick(10);
                const std::size_t n = bytes.size();
                pos = zone < 5   ? pick(std::min<std::size_t>(n, 8192))
                      : zone < 8 ? n - 1 - pick(std::min<std::size_t>(n, 4096))
                                 : pick(n);
            }
            switch (pick(5)) {
                case 0:
                    bytes[pos] = static_cast<char>(rng());
                    break;
                case 1:
                    bytes[pos] ^= static_cast<char>(1u << pick(8));
                    break;
                case 2: {
                    const char specials[] = {0, '\xff', '\x7f', '\x80', '(', 't', 'q', 'h'};
                    bytes[pos] = specials[pick(sizeof(specials))];
                    break;
                }
                case 3:
                    for (std::size_t k = pos; k < bytes.size() && k < pos + 8; ++k) {
                        bytes[k] = '\xff';
                    }
                    break;
                default:
                    if (!fuzz_pickle && pick(3) == 0) {
                        bytes.resize(pos);
                    }
                    break;
            }
        }
        if (fuzz_pickle) {
            const std::uint32_t crc = crc32(bytes, source.pickle.data, source.pickle.size);
            for (int k = 0; k < 4; ++k) {
                bytes[source.pickle.crc_field + k] = static_cast<char>(crc >> (8 * k));
            }
        }
        LoadOptions options;
        if (pick(4) == 0) {
            options.dtype = torch::kBFloat16;
        }
        auto loaded = load_state_dict_from_memory(bytes.data(), bytes.size(), options, "fuzz");
        if (loaded.ok()) {
            ++ok;
            for (const auto& [name, tensor] : loaded->items()) {
                ASSERT_TRUE(tensor.defined());
            }
        } else {
            ++failed;
            ++codes[loaded.error().code];
            EXPECT_FALSE(loaded.error().detail.empty());
        }
        auto tensor = load_tensor_from_memory(bytes.data(), bytes.size(), {}, "fuzz");
        (void)tensor;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string summary;
    for (const auto& [code, count] : codes) {
        summary += std::string(error_code_name(code)) + "=" + std::to_string(count) + " ";
    }
    std::printf("%d mutated loads: %d ok, %d errors (%s) in %.1f s\n", kIterations, ok, failed,
                summary.c_str(), seconds);
    EXPECT_EQ(ok + failed, kIterations);
    EXPECT_GT(failed, kIterations / 4);  // the mutations do reach the parsers
    for (const auto& [code, count] : codes) {
        EXPECT_TRUE(code == ErrorCode::FileTruncated || code == ErrorCode::ModelDamaged ||
                    code == ErrorCode::CheckpointUnsupported || code == ErrorCode::FileEmpty)
            << error_code_name(code);
    }
}

}  // namespace
}  // namespace engine::model
