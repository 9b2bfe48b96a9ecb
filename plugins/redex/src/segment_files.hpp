// The three files of one disk segment: <base>.idx, <base>.dat, <base>.ts (base = the sequence of
// the segment's first entry, 20 decimal digits). Appends go to the end of each file, at once or,
// with a write buffer, when the buffer fills or a sync, seal or flush asks for them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "buffered_file.hpp"
#include "file_handle.hpp"

namespace net::redex {

struct SegmentContents {
    std::vector<std::uint8_t> index, data, timestamps;
};

class SegmentFiles {
public:
    // Base sequences of the segments in `dir`, ascending (from the names of the .idx files).
    static std::vector<std::uint64_t> list(const std::filesystem::path& dir);
    static SegmentContents read(const std::filesystem::path& dir, std::uint64_t base);
    // Creates (or empties) the files and writes the index header; syncs them and the directory
    // when `durable`. `write_buffer_bytes`: 0 writes every append at once; more collects appends
    // of the three files together up to that many bytes.
    static std::unique_ptr<SegmentFiles> create(const std::filesystem::path& dir, std::uint64_t base, bool durable,
                                                std::uint64_t write_buffer_bytes);
    // Opens existing files after recovery, cutting them to the given lengths first.
    static std::unique_ptr<SegmentFiles> open(const std::filesystem::path& dir, std::uint64_t base,
                                              std::uint64_t index_bytes, std::uint64_t data_bytes,
                                              std::uint64_t timestamp_bytes, std::uint64_t write_buffer_bytes);
    static void remove(const std::filesystem::path& dir, std::uint64_t base);
    // Renames the files to <name>.damaged so an operator can inspect them; later opens ignore them.
    static void set_aside(const std::filesystem::path& dir, std::uint64_t base);

    std::uint64_t base() const noexcept { return base_; }
    std::uint64_t data_bytes() const noexcept { return data_.size(); }

    // Payloads back to back to the data file (one gathered write), their timestamps to the
    // timestamp file; then, separately, their records to the index. With a write buffer, a full
    // buffer is flushed first, and a group larger than the buffer is written at once.
    void append_data(std::span<const std::span<const std::uint8_t>> payloads, std::span<const std::uint8_t> timestamps);
    void append_index(std::span<const std::uint8_t> records);
    // Undo a failed append: cut every file back to what it held before.
    void roll_back(std::uint64_t index_bytes, std::uint64_t data_bytes, std::uint64_t timestamp_bytes) noexcept;
    std::uint64_t index_bytes() const noexcept { return index_.size(); }
    std::uint64_t timestamp_bytes() const noexcept { return timestamps_.size(); }

    // Writes what is buffered: data and timestamps first, then the index. On failure what was
    // buffered stays buffered (see BufferedFile::flush).
    void flush();
    std::uint64_t pending_bytes() const noexcept;
    void sync_data();   // flushes and syncs data and timestamps
    void sync_index();  // flushes everything and syncs the index
    void read_data(std::uint64_t offset, std::span<std::uint8_t> out) const;

private:
    SegmentFiles(std::uint64_t base, FileHandle index, FileHandle data, FileHandle timestamps,
                 std::uint64_t write_buffer_bytes)
        : base_(base),
          write_buffer_bytes_(write_buffer_bytes),
          index_(std::move(index)),
          data_(std::move(data)),
          timestamps_(std::move(timestamps))
    {
    }

    std::uint64_t base_;
    std::uint64_t write_buffer_bytes_;
    BufferedFile index_, data_, timestamps_;
};

}  // namespace net::redex
