#include "segment_recovery.hpp"

#include "record_format.hpp"

namespace net::redex {
namespace {

enum class RecordVerdict { intact, bad };

struct RecordCheck {
    RecordVerdict verdict = RecordVerdict::bad;
    IndexRecord record;
    std::int64_t timestamp_ns = 0;
    std::string why;
};

// Checks record `position` on its own, without knowing the previous record's end.
RecordCheck check_record(std::span<const std::uint8_t> index, std::span<const std::uint8_t> data,
                         std::span<const std::uint8_t> timestamps, std::uint64_t base, std::size_t position)
{
    RecordCheck c;
    const std::size_t at = kIndexHeaderSize + position * kIndexRecordSize;
    c.record = decode_record(index.subspan(at).first<kIndexRecordSize>());
    const std::size_t ts_at = position * kTimestampSize;
    if (timestamps.size() < ts_at + kTimestampSize) {
        c.why = "timestamp missing";
        return c;
    }
    c.timestamp_ns = decode_timestamp(timestamps.subspan(ts_at).first<kTimestampSize>());
    if (!record_is_intact(base + position, c.record, c.timestamp_ns)) {
        c.why = "index record check mismatch";
        return c;
    }
    if (c.record.data_offset > data.size() || c.record.length > data.size() - c.record.data_offset) {
        c.why = "data extends past the end of the data file";
        return c;
    }
    if (payload_check(data.subspan(c.record.data_offset, c.record.length)) != c.record.data_check) {
        c.why = "payload checksum mismatch";
        return c;
    }
    c.verdict = RecordVerdict::intact;
    return c;
}

}  // namespace

SegmentRecovery recover_segment(std::span<const std::uint8_t> index, std::span<const std::uint8_t> data,
                                std::span<const std::uint8_t> timestamps, std::optional<std::uint64_t> expected_base)
{
    SegmentRecovery out;
    const std::optional<IndexHeader> header = decode_header(index);
    if (!header) {
        out.damage = Damage::corrupt;
        out.detail = index.size() < kIndexHeaderSize ? "index header truncated" : "index header invalid";
        return out;
    }
    if (expected_base && *expected_base != header->base_sequence) {
        out.damage = Damage::corrupt;
        out.detail = "index header base sequence does not follow the previous segment";
        return out;
    }
    out.base_sequence = header->base_sequence;

    const std::size_t body = index.size() - kIndexHeaderSize;
    const std::size_t records = body / kIndexRecordSize;
    const bool partial_record = body % kIndexRecordSize != 0;
    out.entries.reserve(records);

    std::uint64_t expected_offset = 0;
    std::size_t position = 0;
    std::string why;
    for (; position < records; ++position) {
        RecordCheck c = check_record(index, data, timestamps, header->base_sequence, position);
        if (c.verdict == RecordVerdict::intact && c.record.data_offset != expected_offset) {
            c.verdict = RecordVerdict::bad;
            c.why = "data offset is not contiguous";
        }
        if (c.verdict == RecordVerdict::bad) {
            why = std::move(c.why);
            break;
        }
        out.entries.push_back(EntryLocation{c.record.data_offset, c.record.length, c.record.flags, c.timestamp_ns});
        expected_offset += c.record.length;
    }

    out.index_bytes = kIndexHeaderSize + position * kIndexRecordSize;
    out.data_bytes = expected_offset;
    out.timestamp_bytes = position * kTimestampSize;
    out.discarded_records = (records - position) + (partial_record ? 1 : 0);

    if (position < records) {
        // A later intact record means the bad one is not the remains of an interrupted append.
        bool intact_after = false;
        for (std::size_t later = position + 1; later < records && !intact_after; ++later) {
            intact_after =
                check_record(index, data, timestamps, header->base_sequence, later).verdict == RecordVerdict::intact;
        }
        out.damage = intact_after ? Damage::corrupt : Damage::torn_tail;
        out.detail = "record " + std::to_string(header->base_sequence + position) + ": " + why;
    } else if (partial_record || data.size() > out.data_bytes || timestamps.size() > out.timestamp_bytes) {
        out.damage = Damage::torn_tail;
        out.detail = partial_record ? "partial index record at the end" : "data or timestamps past the last record";
    }
    return out;
}

}  // namespace net::redex
