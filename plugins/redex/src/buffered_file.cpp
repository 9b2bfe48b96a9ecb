#include "buffered_file.hpp"

#include <algorithm>
#include <cstring>

namespace net::redex {

void BufferedFile::write(std::span<const std::uint8_t> bytes)
{
    const std::span<const std::uint8_t> one[] = {bytes};
    write_gather(one);
}

void BufferedFile::write_gather(std::span<const std::span<const std::uint8_t>> parts)
{
    flush();
    append_or_cut_back(parts);
}

void BufferedFile::append_or_cut_back(std::span<const std::span<const std::uint8_t>> parts)
{
    const std::uint64_t before = file_.size();
    try {
        file_.append_gather(parts);
    } catch (const IoError&) {
        try {
            file_.truncate(before);
        } catch (const IoError&) {
            // Recovery on the next open cuts whatever is left past the last intact record.
        }
        throw;
    }
}

void BufferedFile::buffer(std::span<const std::uint8_t> bytes) { pending_.insert(pending_.end(), bytes.begin(), bytes.end()); }

void BufferedFile::buffer_gather(std::span<const std::span<const std::uint8_t>> parts)
{
    for (const auto& part : parts) buffer(part);
}

void BufferedFile::flush()
{
    if (pending_.empty()) return;
    const std::span<const std::uint8_t> all[] = {pending_};
    append_or_cut_back(all);
    pending_.clear();
}

void BufferedFile::truncate(std::uint64_t size)
{
    if (size >= file_.size()) {
        pending_.resize(static_cast<std::size_t>(size - file_.size()));
        return;
    }
    pending_.clear();
    file_.truncate(size);
}

void BufferedFile::sync()
{
    flush();
    file_.sync();
}

void BufferedFile::read_at(std::uint64_t offset, std::span<std::uint8_t> out) const
{
    const std::uint64_t on_disk = file_.size();
    std::size_t done = 0;
    if (offset < on_disk) {
        done = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), on_disk - offset));
        file_.read_at(offset, out.first(done));
    }
    if (done == out.size()) return;
    const std::uint64_t from = offset + done - on_disk;
    if (from + (out.size() - done) > pending_.size()) throw IoError("read past the end of the buffered data");
    std::memcpy(out.data() + done, pending_.data() + from, out.size() - done);
}

}  // namespace net::redex
