#include "engine/core/paths.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace engine {
namespace fs = std::filesystem;

namespace {

fs::path xdg_dir(const char* variable, const char* fallback_below_home) {
    const char* value = std::getenv(variable);
    if (value != nullptr && value[0] == '/') {
        return fs::path(value) / "flashvsr-studio";
    }
    const char* home = std::getenv("HOME");
    fs::path base =
        (home != nullptr && home[0] != '\0') ? fs::path(home) : fs::temp_directory_path();
    return base / fallback_below_home / "flashvsr-studio";
}

Status fsync_directory(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return error_from_errno(errno, "open directory for fsync", dir);
    }
    ::fsync(fd);  // best effort: some filesystems refuse fsync on directories
    ::close(fd);
    return {};
}

}  // namespace

fs::path user_data_dir() {
    return xdg_dir("XDG_DATA_HOME", ".local/share");
}
fs::path user_cache_dir() {
    return xdg_dir("XDG_CACHE_HOME", ".cache");
}
fs::path user_config_dir() {
    return xdg_dir("XDG_CONFIG_HOME", ".config");
}

fs::path default_model_dir() {
    const char* value = std::getenv("FLASHVSR_MODEL_DIR");
    if (value != nullptr && value[0] != '\0') {
        return fs::path(value);
    }
    return user_data_dir() / "models";
}

fs::path partial_path_for(const fs::path& final_path) {
    fs::path name = final_path.filename();
    std::string partial = "." + name.stem().u8string() + ".partial-" + std::to_string(::getpid()) +
                          name.extension().u8string();
    return final_path.parent_path() / fs::u8path(partial);
}

Error error_from_errno(int err, std::string_view what, const fs::path& path) {
    ErrorCode code = ErrorCode::OutputNotWritable;
    if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
        code = ErrorCode::DiskFull;
    } else if (err == ENOENT) {
        code = ErrorCode::FileNotFound;
    }
    Error e(code, std::string(what) + ": " + std::strerror(err));
    e.with("path", path_string(path)).with("errno", std::to_string(err));
    return e;
}

Status write_file_atomically(const fs::path& path, std::string_view bytes) {
    fs::path temp = partial_path_for(path);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return error_from_errno(errno, "create temporary file", temp);
    }
    std::size_t written = 0;
    while (written < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            return error_from_errno(err, "write", temp);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int err = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return error_from_errno(err, "fsync", temp);
    }
    ::close(fd);
    return commit_rename(temp, path);
}

Status commit_rename(const fs::path& from, const fs::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        int err = errno;
        ::unlink(from.c_str());
        return error_from_errno(err, "rename into place", to);
    }
    fs::path dir = to.parent_path();
    return fsync_directory(dir.empty() ? fs::path(".") : dir);
}

namespace {

// Removes the entries of the directory open as `dir_fd` (closed here), depth first.
bool remove_directory_contents(int dir_fd, std::uintmax_t& removed, std::error_code& error) {
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
        error.assign(errno, std::generic_category());
        ::close(dir_fd);
        return false;
    }
    bool ok = true;
    while (dirent* entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        struct stat st {};
        if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) {
                continue;
            }
            error.assign(errno, std::generic_category());
            ok = false;
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            const int child =
                ::openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0 || !remove_directory_contents(child, removed, error)) {
                if (child < 0) {
                    error.assign(errno, std::generic_category());
                }
                ok = false;
                break;
            }
            if (::unlinkat(dir_fd, entry->d_name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
                error.assign(errno, std::generic_category());
                ok = false;
                break;
            }
        } else if (::unlinkat(dir_fd, entry->d_name, 0) != 0 && errno != ENOENT) {
            error.assign(errno, std::generic_category());
            ok = false;
            break;
        }
        ++removed;
    }
    ::closedir(dir);  // closes dir_fd
    return ok;
}

}  // namespace

std::uintmax_t remove_tree(const std::filesystem::path& path, std::error_code& error) {
    error.clear();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            error.assign(errno, std::generic_category());
            return static_cast<std::uintmax_t>(-1);
        }
        return 0;
    }
    std::uintmax_t removed = 0;
    if (S_ISDIR(st.st_mode)) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            error.assign(errno, std::generic_category());
            return static_cast<std::uintmax_t>(-1);
        }
        if (!remove_directory_contents(fd, removed, error)) {
            return static_cast<std::uintmax_t>(-1);
        }
        if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
            error.assign(errno, std::generic_category());
            return static_cast<std::uintmax_t>(-1);
        }
    } else if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        error.assign(errno, std::generic_category());
        return static_cast<std::uintmax_t>(-1);
    }
    return removed + 1;
}

std::uintmax_t remove_tree(const std::filesystem::path& path) {
    std::error_code error;
    const auto removed = remove_tree(path, error);
    if (error) {
        throw std::filesystem::filesystem_error("remove_tree", path, error);
    }
    return removed;
}

}  // namespace engine
