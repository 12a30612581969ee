#include "engine/jobs/identity.h"

#include "engine/core/paths.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>

namespace engine::jobs {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kPrime1 = 11400714785074694791ULL;
constexpr std::uint64_t kPrime2 = 14029467366897019727ULL;
constexpr std::uint64_t kPrime3 = 1609587929392839161ULL;
constexpr std::uint64_t kPrime4 = 9650029242287828579ULL;
constexpr std::uint64_t kPrime5 = 2870177450012600261ULL;

std::uint64_t rotl(std::uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}
std::uint64_t read64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);  // little-endian hosts only (x86-64, aarch64)
    return v;
}
std::uint32_t read32(const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
std::uint64_t round(std::uint64_t acc, std::uint64_t input) {
    acc += input * kPrime2;
    acc = rotl(acc, 31);
    return acc * kPrime1;
}
std::uint64_t merge_round(std::uint64_t acc, std::uint64_t value) {
    acc ^= round(0, value);
    return acc * kPrime1 + kPrime4;
}

constexpr std::size_t kHeadTailBytes = 1 << 20;

// Adds the first and last kHeadTailBytes of `path` to `hasher`.
Status hash_head_tail(const fs::path& path, std::uint64_t size, ContentHasher& hasher) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        Error e(ErrorCode::FileUnreadable, "cannot open " + path_string(path));
        return e.with("path", path_string(path));
    }
    std::string buffer(static_cast<std::size_t>(std::min<std::uint64_t>(size, kHeadTailBytes)),
                       '\0');
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (size > kHeadTailBytes) {
        std::uint64_t tail_start = std::max<std::uint64_t>(size - kHeadTailBytes, kHeadTailBytes);
        in.clear();
        in.seekg(static_cast<std::streamoff>(tail_start));
        buffer.assign(static_cast<std::size_t>(size - tail_start), '\0');
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    return {};
}

// Files of an image-sequence input: every regular file of a folder (hidden and partial files
// excluded), or the files matching a printf pattern ("dir/frame_%06d.png").
std::vector<fs::path> sequence_files(const fs::path& input) {
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
        for (const auto& entry : fs::directory_iterator(input, ec)) {
            std::string name = entry.path().filename().u8string();
            if (entry.is_regular_file(ec) && !name.empty() && name[0] != '.') {
                files.push_back(entry.path());
            }
        }
    } else {
        std::string pattern = input.filename().u8string();
        std::size_t percent = pattern.find('%');
        std::size_t conv = pattern.find('d', percent);
        if (percent == std::string::npos || conv == std::string::npos) {
            return files;
        }
        std::string prefix = pattern.substr(0, percent);
        std::string suffix = pattern.substr(conv + 1);
        fs::path dir = input.parent_path().empty() ? fs::path(".") : input.parent_path();
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            std::string name = entry.path().filename().u8string();
            if (!entry.is_regular_file(ec) || name.size() <= prefix.size() + suffix.size() ||
                name.compare(0, prefix.size(), prefix) != 0 ||
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
                continue;
            }
            std::string digits =
                name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
            if (std::all_of(digits.begin(), digits.end(),
                            [](unsigned char c) { return std::isdigit(c) != 0; })) {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string trim(const std::string& s) {
    std::size_t a = s.find_first_not_of(" \t\r\n");
    std::size_t b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

ContentHasher::ContentHasher(std::uint64_t seed) : m_seed(seed) {
    m_acc[0] = seed + kPrime1 + kPrime2;
    m_acc[1] = seed + kPrime2;
    m_acc[2] = seed;
    m_acc[3] = seed - kPrime1;
}

void ContentHasher::update(const void* data, std::size_t size_bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    m_total_bytes += size_bytes;
    if (m_buffered > 0) {
        std::size_t take = std::min(size_bytes, 32 - m_buffered);
        std::memcpy(m_buffer + m_buffered, p, take);
        m_buffered += take;
        p += take;
        size_bytes -= take;
        if (m_buffered < 32) {
            return;
        }
        for (int lane = 0; lane < 4; ++lane) {
            m_acc[lane] = round(m_acc[lane], read64(m_buffer + 8 * lane));
        }
        m_buffered = 0;
    }
    while (size_bytes >= 32) {
        for (int lane = 0; lane < 4; ++lane) {
            m_acc[lane] = round(m_acc[lane], read64(p + 8 * lane));
        }
        p += 32;
        size_bytes -= 32;
    }
    if (size_bytes > 0) {
        std::memcpy(m_buffer, p, size_bytes);
        m_buffered = size_bytes;
    }
}

std::uint64_t ContentHasher::digest() const {
    std::uint64_t h;
    if (m_total_bytes >= 32) {
        h = rotl(m_acc[0], 1) + rotl(m_acc[1], 7) + rotl(m_acc[2], 12) + rotl(m_acc[3], 18);
        for (int lane = 0; lane < 4; ++lane) {
            h = merge_round(h, m_acc[lane]);
        }
    } else {
        h = m_seed + kPrime5;
    }
    h += m_total_bytes;
    const unsigned char* p = m_buffer;
    std::size_t left = m_buffered;
    while (left >= 8) {
        h ^= round(0, read64(p));
        h = rotl(h, 27) * kPrime1 + kPrime4;
        p += 8;
        left -= 8;
    }
    if (left >= 4) {
        h ^= static_cast<std::uint64_t>(read32(p)) * kPrime1;
        h = rotl(h, 23) * kPrime2 + kPrime3;
        p += 4;
        left -= 4;
    }
    while (left > 0) {
        h ^= (*p) * kPrime5;
        h = rotl(h, 11) * kPrime1;
        ++p;
        --left;
    }
    h ^= h >> 33;
    h *= kPrime2;
    h ^= h >> 29;
    h *= kPrime3;
    h ^= h >> 32;
    return h;
}

std::string to_hex64(std::uint64_t value) {
    static const char* digits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[value & 0xF];
        value >>= 4;
    }
    return out;
}

std::string ContentHasher::hex_digest() const {
    return to_hex64(digest());
}

std::string hash_hex(std::string_view bytes) {
    ContentHasher h;
    h.update(bytes);
    return h.hex_digest();
}

Result<std::string> hash_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        Error e(fs::exists(path, ec) ? ErrorCode::FileUnreadable : ErrorCode::FileNotFound,
                "cannot open " + path_string(path));
        return e.with("path", path_string(path));
    }
    ContentHasher hasher;
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        Error e(ErrorCode::FileUnreadable, "read error in " + path_string(path));
        return e.with("path", path_string(path));
    }
    return hasher.hex_digest();
}

std::int64_t file_mtime_ns(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return 0;
    }
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

std::vector<std::string> InputIdentity::differences(const InputIdentity& now) const {
    std::vector<std::string> out;
    auto diff = [&](const char* field, const std::string& was, const std::string& is) {
        if (was != is) {
            out.push_back(std::string(field) + ": was " + was + ", now " + is);
        }
    };
    diff("path", path, now.path);
    diff("size_bytes", std::to_string(size_bytes), std::to_string(now.size_bytes));
    diff("mtime_ns", std::to_string(mtime_ns), std::to_string(now.mtime_ns));
    diff("head_tail_hash", head_tail_hash, now.head_tail_hash);
    diff("frame_count", std::to_string(frame_count), std::to_string(now.frame_count));
    diff("width", std::to_string(width), std::to_string(now.width));
    diff("height", std::to_string(height), std::to_string(now.height));
    return out;
}

Result<InputIdentity> identify_input_files(const fs::path& input) {
    InputIdentity id;
    std::error_code ec;
    fs::path absolute = fs::absolute(input, ec);
    id.path = path_string(ec ? input : absolute.lexically_normal());
    ContentHasher hasher;
    if (fs::is_regular_file(input, ec)) {
        id.size_bytes = fs::file_size(input, ec);
        id.mtime_ns = file_mtime_ns(input);
        if (auto st = hash_head_tail(input, id.size_bytes, hasher); !st.ok()) {
            return st.error();
        }
    } else {
        std::vector<fs::path> files = sequence_files(input);
        if (files.empty()) {
            Error e(ErrorCode::FileNotFound, "no input files at " + path_string(input));
            return e.with("path", path_string(input));
        }
        for (const auto& f : files) {
            std::uint64_t size = fs::file_size(f, ec);
            id.size_bytes += size;
            id.mtime_ns = std::max(id.mtime_ns, file_mtime_ns(f));
            hasher.update(f.filename().u8string());
            hasher.update(std::to_string(size));
        }
        for (const auto& f : {files.front(), files.back()}) {
            if (auto st = hash_head_tail(f, fs::file_size(f, ec), hasher); !st.ok()) {
                return st.error();
            }
        }
    }
    hasher.update(std::to_string(id.size_bytes));
    id.head_tail_hash = hasher.hex_digest();
    return id;
}

std::vector<std::string> ModelIdentity::differences(const ModelIdentity& now) const {
    std::vector<std::string> out;
    if (kind != now.kind) {
        out.push_back("kind: was " + kind + ", now " + now.kind);
    }
    std::map<std::string, const ModelFileIdentity*> mine;
    for (const auto& f : files) {
        mine[f.name] = &f;
    }
    std::map<std::string, const ModelFileIdentity*> theirs;
    for (const auto& f : now.files) {
        theirs[f.name] = &f;
    }
    for (const auto& [name, f] : mine) {
        auto it = theirs.find(name);
        if (it == theirs.end()) {
            out.push_back(name + ": no longer present");
            continue;
        }
        const ModelFileIdentity& g = *it->second;
        if (!f->sha256.empty() && !g.sha256.empty()) {
            if (f->sha256 != g.sha256) {
                out.push_back(name + ": sha256 was " + f->sha256 + ", now " + g.sha256);
            }
        } else if (f->size_bytes != g.size_bytes || f->mtime_ns != g.mtime_ns) {
            out.push_back(name + ": size/mtime was " + std::to_string(f->size_bytes) + "/" +
                          std::to_string(f->mtime_ns) + ", now " + std::to_string(g.size_bytes) +
                          "/" + std::to_string(g.mtime_ns));
        }
    }
    for (const auto& [name, f] : theirs) {
        if (mine.count(name) == 0) {
            out.push_back(name + ": new file");
        }
    }
    return out;
}

Result<ModelIdentity> identify_model_folder(const fs::path& folder) {
    ModelIdentity id;
    id.kind = "flashvsr";
    std::error_code ec;
    fs::path absolute = fs::absolute(folder, ec);
    id.folder = path_string(ec ? folder : absolute.lexically_normal());
    if (!fs::is_directory(folder, ec)) {
        Error e(ErrorCode::ModelFileMissing,
                "model folder " + path_string(folder) + " does not exist");
        return e.with("path", path_string(folder));
    }
    std::map<std::string, std::string> sums;
    if (std::ifstream in(folder / "SHA256SUMS"); in) {
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string digest;
            std::string name;
            fields >> digest;
            std::getline(fields, name);
            name = trim(name);
            if (!name.empty() && name[0] == '*') {  // sha256sum's binary-mode marker
                name.erase(0, 1);
            }
            if (digest.size() == 64 && !name.empty()) {
                sums[name] = digest;
            }
        }
    }
    static const char* kExtensions[] = {".safetensors", ".ckpt", ".pth", ".pt", ".bin"};
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (!entry.is_regular_file(ec)) {
            continue;
        }
        std::string ext = entry.path().extension().u8string();
        if (std::none_of(std::begin(kExtensions), std::end(kExtensions),
                         [&](const char* e) { return ext == e; })) {
            continue;
        }
        ModelFileIdentity f;
        f.name = entry.path().filename().u8string();
        f.size_bytes = entry.file_size(ec);
        if (auto it = sums.find(f.name); it != sums.end()) {
            f.sha256 = it->second;
        } else {
            f.mtime_ns = file_mtime_ns(entry.path());
        }
        id.files.push_back(f);
    }
    if (id.files.empty()) {
        Error e(ErrorCode::ModelFileMissing,
                "model folder " + path_string(folder) + " holds no weight files");
        return e.with("path", path_string(folder));
    }
    std::sort(id.files.begin(), id.files.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return id;
}

}  // namespace engine::jobs
