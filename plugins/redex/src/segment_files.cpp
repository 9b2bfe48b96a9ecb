#include "segment_files.hpp"

#include <algorithm>
#include <cstdio>

#include "record_format.hpp"

namespace net::redex {
namespace {

constexpr std::size_t kBaseDigits = 20;

std::filesystem::path file_of(const std::filesystem::path& dir, std::uint64_t base, const char* extension)
{
    char name[kBaseDigits + 8];
    std::snprintf(name, sizeof(name), "%020llu%s", static_cast<unsigned long long>(base), extension);
    return dir / name;
}

constexpr const char* kExtensions[] = {".idx", ".dat", ".ts"};

}  // namespace

std::vector<std::uint64_t> SegmentFiles::list(const std::filesystem::path& dir)
{
    std::vector<std::uint64_t> bases;
    for (const auto& item : std::filesystem::directory_iterator(dir)) {
        const std::string name = item.path().filename().string();
        if (name.size() != kBaseDigits + 4 || name.compare(kBaseDigits, 4, ".idx") != 0) continue;
        if (!std::all_of(name.begin(), name.begin() + kBaseDigits, [](char c) { return c >= '0' && c <= '9'; })) continue;
        bases.push_back(std::stoull(name.substr(0, kBaseDigits)));
    }
    std::sort(bases.begin(), bases.end());
    return bases;
}

SegmentContents SegmentFiles::read(const std::filesystem::path& dir, std::uint64_t base)
{
    return SegmentContents{FileHandle::read_whole(file_of(dir, base, ".idx")), FileHandle::read_whole(file_of(dir, base, ".dat")),
                           FileHandle::read_whole(file_of(dir, base, ".ts"))};
}

std::unique_ptr<SegmentFiles> SegmentFiles::create(const std::filesystem::path& dir, std::uint64_t base, bool durable,
                                                   std::uint64_t write_buffer_bytes)
{
    using M = FileHandle::Mode;
    // Data files first, the index last: a crash in between leaves no index, hence no segment.
    FileHandle data(file_of(dir, base, ".dat"), M::create_empty);
    FileHandle timestamps(file_of(dir, base, ".ts"), M::create_empty);
    FileHandle index(file_of(dir, base, ".idx"), M::create_empty);
    index.append(encode_header(IndexHeader{base}));
    if (durable) {
        index.sync();
        FileHandle::sync_directory(dir);
    }
    return std::unique_ptr<SegmentFiles>(
        new SegmentFiles(base, std::move(index), std::move(data), std::move(timestamps), write_buffer_bytes));
}

std::unique_ptr<SegmentFiles> SegmentFiles::open(const std::filesystem::path& dir, std::uint64_t base,
                                                 std::uint64_t index_bytes, std::uint64_t data_bytes,
                                                 std::uint64_t timestamp_bytes, std::uint64_t write_buffer_bytes)
{
    auto open_cut = [&](const char* extension, std::uint64_t keep) {
        const std::filesystem::path path = file_of(dir, base, extension);
        FileHandle f(path, std::filesystem::exists(path) ? FileHandle::Mode::open_existing : FileHandle::Mode::create_empty);
        if (f.size() != keep) f.truncate(keep);
        return f;
    };
    FileHandle data = open_cut(".dat", data_bytes);
    FileHandle timestamps = open_cut(".ts", timestamp_bytes);
    FileHandle index = open_cut(".idx", index_bytes);
    return std::unique_ptr<SegmentFiles>(
        new SegmentFiles(base, std::move(index), std::move(data), std::move(timestamps), write_buffer_bytes));
}

void SegmentFiles::remove(const std::filesystem::path& dir, std::uint64_t base)
{
    std::error_code ec;
    // The index first: without it the segment no longer exists for recovery.
    for (const char* extension : kExtensions) std::filesystem::remove(file_of(dir, base, extension), ec);
}

void SegmentFiles::set_aside(const std::filesystem::path& dir, std::uint64_t base)
{
    std::error_code ec;
    for (const char* extension : kExtensions) {
        const std::filesystem::path path = file_of(dir, base, extension);
        std::filesystem::rename(path, path.string() + ".damaged", ec);
    }
}

void SegmentFiles::append_data(std::span<const std::span<const std::uint8_t>> payloads,
                               std::span<const std::uint8_t> timestamps)
{
    std::uint64_t incoming = timestamps.size();
    for (const auto& p : payloads) incoming += p.size();
    if (write_buffer_bytes_ == 0 || incoming > write_buffer_bytes_) {
        data_.write_gather(payloads);
        timestamps_.write(timestamps);
        return;
    }
    if (pending_bytes() + incoming > write_buffer_bytes_) flush();
    data_.buffer_gather(payloads);
    timestamps_.buffer(timestamps);
}

void SegmentFiles::append_index(std::span<const std::uint8_t> records)
{
    if (write_buffer_bytes_ == 0 || records.size() > write_buffer_bytes_) {
        flush();  // the data the records point at goes first
        index_.write(records);
        return;
    }
    index_.buffer(records);
}

std::uint64_t SegmentFiles::pending_bytes() const noexcept
{
    return data_.pending_bytes() + timestamps_.pending_bytes() + index_.pending_bytes();
}

void SegmentFiles::flush()
{
    data_.flush();
    timestamps_.flush();
    index_.flush();
}

void SegmentFiles::roll_back(std::uint64_t index_bytes, std::uint64_t data_bytes, std::uint64_t timestamp_bytes) noexcept
{
    try {
        index_.truncate(index_bytes);
        data_.truncate(data_bytes);
        timestamps_.truncate(timestamp_bytes);
    } catch (const IoError&) {
        // Recovery on the next open cuts whatever is left past the last intact record.
    }
}

void SegmentFiles::sync_data()
{
    data_.sync();
    timestamps_.sync();
}

void SegmentFiles::sync_index()
{
    flush();
    index_.sync();
}

void SegmentFiles::read_data(std::uint64_t offset, std::span<std::uint8_t> out) const { data_.read_at(offset, out); }

}  // namespace net::redex
