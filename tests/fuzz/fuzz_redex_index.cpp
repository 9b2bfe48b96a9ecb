// RedEX segment recovery on arbitrary file contents: never crashes, and whatever it keeps is
// consistent (contiguous offsets inside the data, intact records, cut lengths within the files).
// Input: [u16 index length][u16 timestamp length][index bytes][timestamp bytes][data bytes].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "record_format.hpp"
#include "segment_recovery.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    if (size < 4) return 0;
    const std::size_t index_len = static_cast<std::size_t>(bytes[0] | (bytes[1] << 8));
    const std::size_t ts_len = static_cast<std::size_t>(bytes[2] | (bytes[3] << 8));
    std::span<const std::uint8_t> rest(bytes + 4, size - 4);
    const std::span<const std::uint8_t> index = rest.first(std::min(index_len, rest.size()));
    rest = rest.subspan(index.size());
    const std::span<const std::uint8_t> timestamps = rest.first(std::min(ts_len, rest.size()));
    const std::span<const std::uint8_t> data = rest.subspan(timestamps.size());

    using namespace net::redex;
    const SegmentRecovery r = recover_segment(index, data, timestamps);
    if (!r.base_sequence) {
        if (!r.entries.empty() || r.damage != Damage::corrupt) std::abort();
        return 0;
    }
    if (r.index_bytes > index.size() || r.data_bytes > data.size() || r.timestamp_bytes > timestamps.size()) std::abort();
    if (r.index_bytes != kIndexHeaderSize + r.entries.size() * kIndexRecordSize) std::abort();
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < r.entries.size(); ++i) {
        const EntryLocation& e = r.entries[i];
        if (e.data_offset != offset) std::abort();
        if (payload_check(data.subspan(e.data_offset, e.length)) !=
            decode_record(index.subspan(kIndexHeaderSize + i * kIndexRecordSize).first<kIndexRecordSize>()).data_check) {
            std::abort();
        }
        offset += e.length;
    }
    if (offset != r.data_bytes) std::abort();
    // Recovering the cut files again finds nothing more to repair.
    const SegmentRecovery again =
        recover_segment(index.first(r.index_bytes), data.first(r.data_bytes), timestamps.first(r.timestamp_bytes));
    if (again.damage != Damage::none || again.entries.size() != r.entries.size()) std::abort();
    return 0;
}
