#pragma once
// Our own MD5, SHA-256 and CRC-32 (no crypto library dependency). MD5 exists only because
// upstream recognises models by an MD5 of their key list; none of these is used for security.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace engine::model::detail {

class Md5 {
  public:
    Md5();
    void update(const void* data, std::size_t size_bytes);
    // Lowercase hex digest; the object must not be updated afterwards.
    std::string finish_hex();

  private:
    void process_block(const std::uint8_t* block);
    std::array<std::uint32_t, 4> m_state;
    std::array<std::uint8_t, 64> m_buffer{};
    std::uint64_t m_length_bytes = 0;
};

class Sha256 {
  public:
    Sha256();
    void update(const void* data, std::size_t size_bytes);
    std::string finish_hex();

  private:
    void process_block(const std::uint8_t* block);
    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_buffer{};
    std::uint64_t m_length_bytes = 0;
};

std::string md5_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

// CRC-32 as used by ZIP (reflected polynomial 0xEDB88320); pass the previous value to continue.
std::uint32_t crc32_update(std::uint32_t crc, const void* data, std::size_t size_bytes);

}  // namespace engine::model::detail
