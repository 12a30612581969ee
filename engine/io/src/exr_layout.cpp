#include "exr_layout.h"

#include "engine/core/paths.h"

#include <OpenEXR/openexr.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace engine::io::exr_detail {
namespace {

// An attribute declaring more than this in a file too short for it is a damaged size field
// (FileCorrupt), not a file cut short (FileTruncated).
constexpr std::uint64_t kLargestPlausibleAttribute = 64ull << 20;
// Longest attribute or type name OpenEXR allows (31 without the long-names flag).
constexpr std::size_t kMaxNameLength = 255;

Error layout_error(ErrorCode code, const std::string& detail, const std::filesystem::path& path) {
    Error e(code, "EXR: " + detail);
    e.with("path", path_string(path));
    return e;
}

// Attribute names from a damaged file, made safe to print in a message.
std::string printable(const std::string& text) {
    std::string out;
    for (const char c : text.substr(0, 64)) {
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return text.size() > 64 ? out + "..." : out;
}

std::uint32_t load_u32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}

std::int32_t load_i32(const std::uint8_t* p) {
    return static_cast<std::int32_t>(load_u32(p));
}

// Byte-at-a-time reading of the header through a small window (the file source seeks).
class SequentialReader {
  public:
    SequentialReader(const ByteSource& source, std::uint64_t position)
        : m_source(source), m_position(position) {}

    std::optional<std::uint8_t> next() {
        if (m_position < m_window_start || m_position >= m_window_start + m_window_size) {
            const std::uint64_t left =
                m_source.size() > m_position ? m_source.size() - m_position : 0;
            m_window_size =
                static_cast<std::size_t>(std::min<std::uint64_t>(left, m_window.size()));
            m_window_start = m_position;
            if (m_window_size == 0 || !m_source.read(m_position, m_window.data(), m_window_size)) {
                m_window_size = 0;
                return std::nullopt;
            }
        }
        return m_window[static_cast<std::size_t>(m_position++ - m_window_start)];
    }
    // nullopt at the end of the file; the string is cut at `max_length` + 1 bytes without a null
    // (`terminated` false).
    std::optional<std::string> string(std::size_t max_length, bool& terminated) {
        std::string text;
        for (std::size_t n = 0; n <= max_length; ++n) {
            const auto c = next();
            if (!c) {
                return std::nullopt;
            }
            if (*c == 0) {
                terminated = true;
                return text;
            }
            text += static_cast<char>(*c);
        }
        terminated = false;
        return text;
    }
    std::uint64_t position() const { return m_position; }
    void skip(std::uint64_t bytes) { m_position += bytes; }

  private:
    const ByteSource& m_source;
    std::uint64_t m_position;
    std::array<std::uint8_t, 4096> m_window{};
    std::uint64_t m_window_start = 0;
    std::size_t m_window_size = 0;
};

// Walks the attribute list (name, type name, int32 size, value) by the format's rules to find
// where the header ends, classifying a header that runs past the end of the file. No allocation
// depends on a declared size. The values are parsed by OpenEXR's Core library afterwards.
Result<std::uint64_t> walk_header(const ByteSource& source, const std::filesystem::path& path) {
    SequentialReader reader(source, 8);
    const std::uint64_t size = source.size();
    const auto truncated = [&](const std::string& what) {
        return layout_error(ErrorCode::FileTruncated,
                            "the file ends inside the header (" + what + ")", path)
            .with("file_bytes", std::to_string(size));
    };
    for (;;) {
        bool terminated = false;
        const auto name = reader.string(kMaxNameLength, terminated);
        if (!name) {
            return truncated("attribute name");
        }
        if (!terminated) {
            return layout_error(ErrorCode::FileCorrupt,
                                "header attribute name longer than 255 bytes", path);
        }
        if (name->empty()) {
            return reader.position();
        }
        const auto type = reader.string(kMaxNameLength, terminated);
        if (!type) {
            return truncated("type of '" + printable(*name) + "'");
        }
        if (!terminated) {
            return layout_error(
                ErrorCode::FileCorrupt,
                "type name of header attribute '" + printable(*name) + "' longer than 255 bytes",
                path);
        }
        std::array<std::uint8_t, 4> size_bytes{};
        for (auto& b : size_bytes) {
            const auto c = reader.next();
            if (!c) {
                return truncated("size of '" + printable(*name) + "'");
            }
            b = *c;
        }
        const std::int32_t declared = load_i32(size_bytes.data());
        if (declared < 0) {
            return layout_error(ErrorCode::FileCorrupt,
                                "header attribute '" + printable(*name) + "' has a negative size",
                                path);
        }
        const std::uint64_t left = size - reader.position();
        if (static_cast<std::uint64_t>(declared) > left) {
            Error e =
                layout_error(static_cast<std::uint64_t>(declared) <= kLargestPlausibleAttribute
                                 ? ErrorCode::FileTruncated
                                 : ErrorCode::FileCorrupt,
                             "header attribute '" + printable(*name) + "' (" + printable(*type) +
                                 ") needs " + std::to_string(declared) + " bytes, " +
                                 std::to_string(left) + " left in the file",
                             path);
            e.with("attribute", printable(*name)).with("declared_bytes", std::to_string(declared));
            return e;
        }
        reader.skip(static_cast<std::uint64_t>(declared));
    }
}

// OpenEXR Core's allocator hooks take no user data, so the budget of the parse running on this
// thread is found through a thread-local pointer; each block records its budget so that a free
// always credits the budget it was charged to.
struct Budget {
    std::uint64_t limit = 0;
    std::uint64_t used = 0;
    std::uint64_t refused_bytes = 0;  // the first request over the limit
};

thread_local Budget* t_budget = nullptr;

struct alignas(16) BlockHeader {
    Budget* budget;
    std::size_t bytes;
};

void* budget_alloc(std::size_t bytes) {
    Budget* budget = t_budget;
    if (budget != nullptr && bytes > budget->limit - budget->used) {
        if (budget->refused_bytes == 0) {
            budget->refused_bytes = bytes;
        }
        return nullptr;
    }
    void* block = std::malloc(sizeof(BlockHeader) + bytes);
    if (block == nullptr) {
        return nullptr;
    }
    auto* header = static_cast<BlockHeader*>(block);
    header->budget = budget;
    header->bytes = bytes;
    if (budget != nullptr) {
        budget->used += bytes;
    }
    return header + 1;
}

void budget_free(void* pointer) {
    if (pointer == nullptr) {
        return;
    }
    auto* header = static_cast<BlockHeader*>(pointer) - 1;
    if (header->budget != nullptr) {
        header->budget->used -= header->bytes;
    }
    std::free(header);
}

// Installs a budget for Core calls on this thread for the lifetime of the guard.
class BudgetScope {
  public:
    explicit BudgetScope(Budget& budget) : m_previous(t_budget) { t_budget = &budget; }
    ~BudgetScope() { t_budget = m_previous; }
    BudgetScope(const BudgetScope&) = delete;
    BudgetScope& operator=(const BudgetScope&) = delete;

  private:
    Budget* m_previous;
};

struct CoreStream {
    const ByteSource* source = nullptr;
    std::string first_message;
};

int64_t core_read(exr_const_context_t,
                  void* user_data,
                  void* buffer,
                  uint64_t bytes,
                  uint64_t offset,
                  exr_stream_error_func_ptr_t) {
    const ByteSource& source = *static_cast<CoreStream*>(user_data)->source;
    if (offset >= source.size()) {
        return 0;
    }
    const std::uint64_t n = std::min<std::uint64_t>(bytes, source.size() - offset);
    if (!source.read(offset, buffer, static_cast<std::size_t>(n))) {
        return -1;
    }
    return static_cast<int64_t>(n);
}

int64_t core_size(exr_const_context_t, void* user_data) {
    return static_cast<int64_t>(static_cast<CoreStream*>(user_data)->source->size());
}

void core_error(exr_const_context_t context, exr_result_t, const char* message) {
    void* user_data = nullptr;
    if (context == nullptr || exr_get_user_data(context, &user_data) != EXR_ERR_SUCCESS ||
        user_data == nullptr || message == nullptr) {
        return;
    }
    auto* stream = static_cast<CoreStream*>(user_data);
    if (stream->first_message.empty()) {
        stream->first_message = message;
    }
}

class CoreContext {
  public:
    CoreContext() = default;
    ~CoreContext() {
        if (m_context != nullptr) {
            exr_finish(&m_context);
        }
    }
    CoreContext(const CoreContext&) = delete;
    CoreContext& operator=(const CoreContext&) = delete;
    exr_context_t* out() { return &m_context; }
    exr_const_context_t get() const { return m_context; }

  private:
    exr_context_t m_context = nullptr;
};

ExrBox box(const exr_attr_box2i_t& b) {
    return {b.min.x, b.min.y, b.max.x, b.max.y};
}

// Checks every chunk the table lists: inside the file, after the table, with a leader that
// agrees with the header and data that end inside the file.
void check_chunks(const ByteSource& source, int lines_per_chunk, ExrLayout& layout) {
    const std::uint64_t size = source.size();
    const std::uint64_t table_end = layout.chunk_table_end();
    const std::size_t leader_bytes = layout.tiled ? 20 : 8;  // [tile x, y, level x, y | y], size
    for (std::size_t i = 0; i < layout.chunk_offsets.size(); ++i) {
        const std::uint64_t offset = layout.chunk_offsets[i];
        const std::string which =
            "chunk " + std::to_string(i) + " of " + std::to_string(layout.chunk_offsets.size());
        const auto missing = [&](const std::string& why) {
            if (layout.chunks == ChunkState::Present) {
                layout.chunks = ChunkState::Missing;
                layout.chunk_problem = which + " " + why;
            }
        };
        if (offset == 0) {
            missing("was never written");
            continue;
        }
        if (offset < table_end) {
            layout.chunks = ChunkState::Corrupt;
            layout.chunk_problem = which + " has an offset inside the header";
            return;
        }
        if (offset > size || size - offset < leader_bytes) {
            missing("lies past the end of the file");
            continue;
        }
        std::array<std::uint8_t, 20> leader{};
        if (!source.read(offset, leader.data(), leader_bytes)) {
            missing("cannot be read");
            continue;
        }
        if (!layout.tiled) {
            const std::int64_t y = load_i32(leader.data());
            const std::int64_t expected =
                std::int64_t{layout.data_window.min_y} + std::int64_t{lines_per_chunk} * i;
            if (y != expected) {
                layout.chunks = ChunkState::Corrupt;
                layout.chunk_problem = which + " starts at line " + std::to_string(y) +
                                       ", expected " + std::to_string(expected);
                return;
            }
        } else {
            for (std::size_t k = 0; k < 4; ++k) {
                if (load_i32(leader.data() + 4 * k) < 0) {
                    layout.chunks = ChunkState::Corrupt;
                    layout.chunk_problem = which + " has negative tile coordinates";
                    return;
                }
            }
        }
        const std::int32_t data_bytes = load_i32(leader.data() + leader_bytes - 4);
        if (data_bytes < 0) {
            layout.chunks = ChunkState::Corrupt;
            layout.chunk_problem = which + " has a negative size";
            return;
        }
        if (static_cast<std::uint64_t>(data_bytes) > size - offset - leader_bytes) {
            missing("ends past the end of the file");
        }
    }
}

}  // namespace

bool MemoryByteSource::read(std::uint64_t offset, void* out, std::size_t bytes) const {
    if (offset > m_size || bytes > m_size - offset) {
        return false;
    }
    std::memcpy(out, m_data + offset, bytes);
    return true;
}

Result<std::unique_ptr<FileByteSource>> FileByteSource::open(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return layout_error(
            std::filesystem::exists(path) ? ErrorCode::FileUnreadable : ErrorCode::FileNotFound,
            "cannot open: " + ec.message(), path);
    }
    std::unique_ptr<FileByteSource> source(new FileByteSource());
    source->m_file.open(path, std::ios::binary);
    if (!source->m_file) {
        return layout_error(ErrorCode::FileUnreadable, "cannot open for reading", path);
    }
    source->m_size = size;
    return source;
}

bool FileByteSource::read(std::uint64_t offset, void* out, std::size_t bytes) const {
    if (offset > m_size || bytes > m_size - offset) {
        return false;
    }
    m_file.clear();
    m_file.seekg(static_cast<std::streamoff>(offset));
    m_file.read(static_cast<char*>(out), static_cast<std::streamsize>(bytes));
    return static_cast<std::size_t>(m_file.gcount()) == bytes;
}

Result<ExrLayout> read_exr_layout(const ByteSource& source, const std::filesystem::path& path) {
    const std::uint64_t size = source.size();
    std::array<std::uint8_t, 8> start{};
    if (size < 8 || !source.read(0, start.data(), 8)) {
        const bool magic_so_far =
            size >= 4 && source.read(0, start.data(), 4) && load_u32(start.data()) == 20000630u;
        return layout_error(
            size < 4 || magic_so_far ? ErrorCode::FileTruncated : ErrorCode::FileCorrupt,
            "file shorter than the EXR header", path);
    }
    if (load_u32(start.data()) != 20000630u) {
        return layout_error(ErrorCode::FileCorrupt, "no OpenEXR magic number", path);
    }
    const std::uint32_t version = load_u32(start.data() + 4);
    if ((version & 0x1000u) != 0) {
        return layout_error(ErrorCode::UnsupportedFormat, "multi-part EXR", path);
    }
    if ((version & 0x800u) != 0) {
        return layout_error(ErrorCode::UnsupportedFormat, "deep data", path);
    }
    auto header_end = walk_header(source, path);
    if (!header_end.ok()) {
        return header_end.error();
    }

    // Core's structures cost more than their bytes in the file (an attribute of 8 bytes becomes
    // a struct of some 50), plus a fixed part for the context; 64x the header with 1 MiB on top
    // is far more than any valid header needs and far less than the gigabytes a damaged size
    // field can ask for.
    Budget budget;
    budget.limit = (1ull << 20) + 64 * header_end.value();
    CoreStream stream;
    stream.source = &source;
    exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
    init.error_handler_fn = &core_error;
    init.alloc_fn = &budget_alloc;
    init.free_fn = &budget_free;
    init.user_data = &stream;
    init.read_fn = &core_read;
    init.size_fn = &core_size;
    init.flags = EXR_CONTEXT_FLAG_DISABLE_CHUNK_RECONSTRUCTION;

    ExrLayout layout;
    int lines_per_chunk = 1;
    std::int32_t chunk_count = 0;
    {
        BudgetScope scope(budget);
        CoreContext context;
        const std::string name = path_string(path);
        const exr_result_t started = exr_start_read(context.out(), name.c_str(), &init);
        if (started != EXR_ERR_SUCCESS) {
            if (budget.refused_bytes != 0) {
                Error e =
                    layout_error(ErrorCode::FileCorrupt,
                                 "the header asks for " + std::to_string(budget.refused_bytes) +
                                     " bytes of memory, more than a header of " +
                                     std::to_string(header_end.value()) + " bytes can need",
                                 path);
                e.with("requested_bytes", std::to_string(budget.refused_bytes))
                    .with("budget_bytes", std::to_string(budget.limit));
                return e;
            }
            std::string why = stream.first_message.empty()
                                  ? std::string(exr_get_default_error_message(started))
                                  : stream.first_message;
            return layout_error(ErrorCode::FileCorrupt, "bad header: " + why, path);
        }
        const exr_const_context_t c = context.get();
        const auto failed = [&](const char* what) {
            std::string why = stream.first_message.empty() ? std::string(what)
                                                           : what + (": " + stream.first_message);
            return layout_error(ErrorCode::FileCorrupt, "bad header: " + why, path);
        };
        int parts = 0;
        exr_storage_t storage = EXR_STORAGE_SCANLINE;
        if (exr_get_count(c, &parts) != EXR_ERR_SUCCESS || parts != 1 ||
            exr_get_storage(c, 0, &storage) != EXR_ERR_SUCCESS) {
            return failed("part count or storage type");
        }
        if (storage == EXR_STORAGE_DEEP_SCANLINE || storage == EXR_STORAGE_DEEP_TILED) {
            return layout_error(ErrorCode::UnsupportedFormat, "deep data", path);
        }
        layout.tiled = storage == EXR_STORAGE_TILED;

        exr_attr_box2i_t data_window{};
        exr_attr_box2i_t display_window{};
        exr_attr_v2f_t center{};
        exr_compression_t compression = EXR_COMPRESSION_NONE;
        exr_lineorder_t line_order = EXR_LINEORDER_INCREASING_Y;
        const exr_attr_chlist_t* channels = nullptr;
        if (exr_get_data_window(c, 0, &data_window) != EXR_ERR_SUCCESS ||
            exr_get_display_window(c, 0, &display_window) != EXR_ERR_SUCCESS ||
            exr_get_pixel_aspect_ratio(c, 0, &layout.pixel_aspect_ratio) != EXR_ERR_SUCCESS ||
            exr_get_screen_window_center(c, 0, &center) != EXR_ERR_SUCCESS ||
            exr_get_screen_window_width(c, 0, &layout.screen_window_width) != EXR_ERR_SUCCESS ||
            exr_get_compression(c, 0, &compression) != EXR_ERR_SUCCESS ||
            exr_get_lineorder(c, 0, &line_order) != EXR_ERR_SUCCESS ||
            exr_get_channels(c, 0, &channels) != EXR_ERR_SUCCESS || channels == nullptr) {
            return failed("required attributes");
        }
        layout.data_window = box(data_window);
        layout.display_window = box(display_window);
        layout.screen_window_center_x = center.x;
        layout.screen_window_center_y = center.y;
        layout.compression = static_cast<int>(compression);
        layout.line_order = static_cast<int>(line_order);
        for (int i = 0; i < channels->num_channels; ++i) {
            const exr_attr_chlist_entry_t& entry = channels->entries[i];
            ExrChannel channel;
            channel.name.assign(entry.name.str, static_cast<std::size_t>(entry.name.length));
            channel.type = static_cast<PixelType>(entry.pixel_type);
            channel.perceptually_linear = entry.p_linear != 0;
            channel.x_sampling = entry.x_sampling;
            channel.y_sampling = entry.y_sampling;
            layout.channels.push_back(std::move(channel));
        }
        if (layout.tiled) {
            exr_tile_level_mode_t level_mode = EXR_TILE_ONE_LEVEL;
            exr_tile_round_mode_t rounding = EXR_TILE_ROUND_DOWN;
            if (exr_get_tile_descriptor(c, 0, &layout.tile_width, &layout.tile_height, &level_mode,
                                        &rounding) != EXR_ERR_SUCCESS) {
                return failed("tile description");
            }
            layout.tile_level_mode = static_cast<int>(level_mode);
            layout.tile_rounding_mode = static_cast<int>(rounding);
        } else if (exr_get_scanlines_per_chunk(c, 0, &lines_per_chunk) != EXR_ERR_SUCCESS ||
                   lines_per_chunk < 1) {
            return failed("lines per chunk");
        }
        exr_attr_chromaticities_t chromaticities{};
        if (exr_attr_get_chromaticities(c, 0, "chromaticities", &chromaticities) ==
            EXR_ERR_SUCCESS) {
            layout.chromaticities = ExrChromaticities{
                chromaticities.red_x,   chromaticities.red_y,  chromaticities.green_x,
                chromaticities.green_y, chromaticities.blue_x, chromaticities.blue_y,
                chromaticities.white_x, chromaticities.white_y};
        }
        if (exr_get_chunk_count(c, 0, &chunk_count) != EXR_ERR_SUCCESS || chunk_count < 1 ||
            exr_get_chunk_unpacked_size(c, 0, &layout.chunk_unpacked_bytes) != EXR_ERR_SUCCESS) {
            return failed("chunk count");
        }
    }

    layout.chunk_table_offset = header_end.value();
    const std::uint64_t table_bytes = 8 * static_cast<std::uint64_t>(chunk_count);
    if (table_bytes > size - layout.chunk_table_offset) {
        Error e = layout_error(ErrorCode::FileTruncated,
                               "the file ends inside the chunk offset table", path);
        e.with("chunks", std::to_string(chunk_count)).with("file_bytes", std::to_string(size));
        return e;
    }
    std::vector<std::uint8_t> table(static_cast<std::size_t>(table_bytes));
    if (!source.read(layout.chunk_table_offset, table.data(), table.size())) {
        return layout_error(ErrorCode::FileUnreadable, "cannot read the chunk offset table", path);
    }
    layout.chunk_offsets.resize(static_cast<std::size_t>(chunk_count));
    for (std::size_t i = 0; i < layout.chunk_offsets.size(); ++i) {
        layout.chunk_offsets[i] = std::uint64_t{load_u32(table.data() + 8 * i)} |
                                  (std::uint64_t{load_u32(table.data() + 8 * i + 4)} << 32);
    }
    check_chunks(source, lines_per_chunk, layout);
    return layout;
}

}  // namespace engine::io::exr_detail
