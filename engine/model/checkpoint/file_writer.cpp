#include "checkpoint/file_writer.h"

#include "engine/core/paths.h"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

namespace engine::model::detail {

FileWriter::~FileWriter() {
    if (m_fd >= 0) {
        ::close(m_fd);
        std::error_code ignored;
        std::filesystem::remove(m_partial_path, ignored);
    }
}

Status FileWriter::open(const std::filesystem::path& final_path) {
    m_final_path = final_path;
    m_partial_path = partial_path_for(final_path);
    m_fd = ::open(m_partial_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        return error_from_errno(errno, "create", m_partial_path);
    }
    return {};
}

void FileWriter::write(const void* data, std::size_t size_bytes) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (size_bytes > 0 && !m_error) {
        const ssize_t n = ::write(m_fd, p, size_bytes);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            m_error = error_from_errno(errno, "write", m_partial_path);
            return;
        }
        p += n;
        size_bytes -= static_cast<std::size_t>(n);
        m_position += static_cast<std::uint64_t>(n);
    }
}

void FileWriter::write_zeros(std::size_t size_bytes) {
    static const std::uint8_t kZeros[256] = {};
    while (size_bytes > 0) {
        const std::size_t n = size_bytes < sizeof(kZeros) ? size_bytes : sizeof(kZeros);
        write(kZeros, n);
        size_bytes -= n;
    }
}

Status FileWriter::commit() {
    if (m_fd < 0) {
        return Error(ErrorCode::Internal, "FileWriter::commit without open");
    }
    if (!m_error && ::fsync(m_fd) != 0) {
        m_error = error_from_errno(errno, "fsync", m_partial_path);
    }
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0 && !m_error) {
        m_error = error_from_errno(errno, "close", m_partial_path);
    }
    if (m_error) {
        std::error_code ignored;
        std::filesystem::remove(m_partial_path, ignored);
        return *m_error;
    }
    return commit_rename(m_partial_path, m_final_path);
}

}  // namespace engine::model::detail
