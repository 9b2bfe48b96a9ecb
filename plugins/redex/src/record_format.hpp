// The on-disk layout of one RedEX segment (docs/redex.md): a 32-byte index header, 20-byte index
// records, a headerless data file and a headerless timestamp file of 8 bytes per entry.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace net::redex {

inline constexpr std::uint32_t kIndexMagic = 0x49584452;  // "RDXI" as little-endian bytes
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::size_t kIndexHeaderSize = 32;
inline constexpr std::size_t kIndexRecordSize = 20;
inline constexpr std::size_t kTimestampSize = 8;

// Entry flag bits (low 8 bits of the record's last word).
inline constexpr std::uint8_t kFlagTimestampGiven = 0x01;  // the appender supplied the timestamp

struct IndexHeader {
    std::uint64_t base_sequence = 0;
};

// One index record, decoded. The sequence is implicit: base_sequence + position.
struct IndexRecord {
    std::uint64_t data_offset = 0;
    std::uint32_t length = 0;
    std::uint32_t data_check = 0;  // low 32 bits of XXH3-64 over the payload
    std::uint8_t flags = 0;
    std::uint32_t record_check = 0;  // 24 bits binding the record to its sequence and timestamp
};

using IndexHeaderBytes = std::array<std::uint8_t, kIndexHeaderSize>;
using IndexRecordBytes = std::array<std::uint8_t, kIndexRecordSize>;

IndexHeaderBytes encode_header(const IndexHeader& header);
// Empty when the bytes are not a version-1 header with a valid check.
std::optional<IndexHeader> decode_header(std::span<const std::uint8_t> bytes);

std::uint32_t payload_check(std::span<const std::uint8_t> payload);
std::uint32_t record_check(std::uint64_t sequence, std::uint64_t data_offset, std::uint32_t length,
                           std::uint32_t data_check, std::uint8_t flags, std::int64_t timestamp_ns);

// Builds the record (computing its record check) for an entry at `sequence`.
IndexRecordBytes encode_record(std::uint64_t sequence, const IndexRecord& record, std::int64_t timestamp_ns);
IndexRecord decode_record(std::span<const std::uint8_t, kIndexRecordSize> bytes);
// True when the record's own check matches `sequence` and `timestamp_ns`.
bool record_is_intact(std::uint64_t sequence, const IndexRecord& record, std::int64_t timestamp_ns);

std::array<std::uint8_t, kTimestampSize> encode_timestamp(std::int64_t timestamp_ns);
std::int64_t decode_timestamp(std::span<const std::uint8_t, kTimestampSize> bytes);

}  // namespace net::redex
