// A file appended to directly or through a user-space buffer. Buffered bytes count in size() and
// are readable with read_at at once; they reach the file at flush(). Errors throw IoError.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "file_handle.hpp"

namespace net::redex {

class BufferedFile {
public:
    explicit BufferedFile(FileHandle file) : file_(std::move(file)) {}

    std::uint64_t size() const noexcept { return file_.size() + pending_.size(); }
    std::uint64_t pending_bytes() const noexcept { return pending_.size(); }

    // Writes at once (after any buffered bytes, which are flushed first).
    void write(std::span<const std::uint8_t> bytes);
    void write_gather(std::span<const std::span<const std::uint8_t>> parts);
    // Adds to the buffer.
    void buffer(std::span<const std::uint8_t> bytes);
    void buffer_gather(std::span<const std::span<const std::uint8_t>> parts);
    // Writes the buffered bytes. On failure the file is cut back to what it held before, the
    // bytes stay buffered (a later flush tries again), and the IoError is rethrown.
    void flush();
    // Cuts the content (file and buffer together) back to `size`.
    void truncate(std::uint64_t size);
    // flush(), then fdatasync.
    void sync();
    void read_at(std::uint64_t offset, std::span<std::uint8_t> out) const;

private:
    // Appends to the file; on failure cuts it back to its previous size and rethrows.
    void append_or_cut_back(std::span<const std::span<const std::uint8_t>> parts);

    FileHandle file_;
    std::vector<std::uint8_t> pending_;
};

}  // namespace net::redex
