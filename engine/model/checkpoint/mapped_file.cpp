#include "checkpoint/mapped_file.h"

#include "engine/core/paths.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace engine::model::detail {

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::filesystem::path& path) {
    const std::string where = path_string(path);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            return Error(ErrorCode::FileNotFound, "no such file: " + where).with("path", where);
        }
        return Error(ErrorCode::FileUnreadable, "cannot open " + where + ": " + std::strerror(err))
            .with("path", where);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error(ErrorCode::FileUnreadable, "not a regular file: " + where).with("path", where);
    }
    if (st.st_size == 0) {
        ::close(fd);
        return Error(ErrorCode::FileEmpty, "file is empty: " + where).with("path", where);
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int map_errno = errno;
    ::close(fd);  // the mapping keeps its own reference to the file
    if (mapping == MAP_FAILED) {
        return Error(ErrorCode::FileUnreadable,
                     "cannot map " + where + ": " + std::strerror(map_errno))
            .with("path", where);
    }
    // Tensors are copied out front to back; let the kernel read ahead and drop pages early.
    ::madvise(mapping, size, MADV_SEQUENTIAL);
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_data = static_cast<const std::uint8_t*>(mapping);
    file->m_size = size;
    file->m_path = path;
    return file;
}

MappedFile::~MappedFile() {
    if (m_data != nullptr) {
        ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
    }
}

}  // namespace engine::model::detail
