#include "file_handle.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace net::redex {

FileHandle::FileHandle(const std::filesystem::path& path, Mode mode) : path_(path)
{
    const int flags = O_RDWR | O_CLOEXEC | (mode == Mode::create_empty ? O_CREAT | O_TRUNC : 0);
    fd_ = ::open(path.c_str(), flags, 0644);
    if (fd_ < 0) fail("open");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("fstat");
    size_ = static_cast<std::uint64_t>(st.st_size);
}

FileHandle::~FileHandle()
{
    if (fd_ >= 0) ::close(fd_);
}

void FileHandle::append(std::span<const std::uint8_t> bytes)
{
    const std::span<const std::uint8_t> one[] = {bytes};
    append_gather(one);
}

void FileHandle::append_gather(std::span<const std::span<const std::uint8_t>> parts)
{
    constexpr std::size_t kMaxParts = IOV_MAX;
    iovec vectors[kMaxParts];
    std::size_t next = 0;      // first part not yet (completely) written
    std::size_t skip = 0;      // bytes of parts[next] already written
    while (next < parts.size()) {
        std::size_t count = 0;
        for (std::size_t i = next; i < parts.size() && count < kMaxParts; ++i) {
            const std::size_t from = i == next ? skip : 0;
            if (parts[i].size() == from) continue;
            vectors[count++] = iovec{const_cast<std::uint8_t*>(parts[i].data() + from), parts[i].size() - from};
        }
        if (count == 0) break;
        const ssize_t n = ::pwritev(fd_, vectors, static_cast<int>(count), static_cast<off_t>(size_));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write");
        size_ += static_cast<std::uint64_t>(n);
        std::size_t left = static_cast<std::size_t>(n);
        while (next < parts.size() && left >= parts[next].size() - skip) {
            left -= parts[next].size() - skip;
            skip = 0;
            ++next;
        }
        skip += left;
    }
}

void FileHandle::truncate(std::uint64_t size)
{
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("ftruncate");
    size_ = size;
}

void FileHandle::sync()
{
    if (::fdatasync(fd_) != 0) fail("fdatasync");
}

void FileHandle::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const
{
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("read");
        done += static_cast<std::size_t>(n);
    }
}

std::vector<std::uint8_t> FileHandle::read_whole(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    FileHandle f(path, Mode::open_existing);
    std::vector<std::uint8_t> bytes(f.size());
    f.read_at(0, bytes);
    return bytes;
}

void FileHandle::sync_directory(const std::filesystem::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw IoError("open " + dir.string() + ": " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) throw IoError("fsync " + dir.string() + ": " + std::strerror(err));
}

void FileHandle::fail(const char* what) const
{
    throw IoError(std::string(what) + " " + path_.string() + ": " + std::strerror(errno));
}

}  // namespace net::redex
