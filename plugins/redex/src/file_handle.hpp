// An open file descriptor that knows its length and appends at its end. Errors throw IoError.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace net::redex {

class IoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class FileHandle {
public:
    enum class Mode { create_empty, open_existing };

    FileHandle(const std::filesystem::path& path, Mode mode);
    FileHandle(FileHandle&& other) noexcept
        : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), size_(other.size_)
    {
    }
    FileHandle& operator=(FileHandle&&) = delete;
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
    ~FileHandle();

    std::uint64_t size() const noexcept { return size_; }
    void append(std::span<const std::uint8_t> bytes);
    // Appends the parts back to back with as few system calls as pwritev allows (one per
    // IOV_MAX parts). On an error some parts may be written: the caller truncates them away.
    void append_gather(std::span<const std::span<const std::uint8_t>> parts);
    void truncate(std::uint64_t size);
    void sync();
    void read_at(std::uint64_t offset, std::span<std::uint8_t> out) const;

    static std::vector<std::uint8_t> read_whole(const std::filesystem::path& path);
    static void sync_directory(const std::filesystem::path& dir);

private:
    [[noreturn]] void fail(const char* what) const;

    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace net::redex
