#include "record_format.hpp"

#include <xxhash.h>

#include "little_endian.hpp"

namespace net::redex {
namespace {

constexpr std::size_t kHeaderCheckedBytes = 28;
constexpr std::uint32_t kRecordCheckBits = 24;

std::uint32_t low32(XXH64_hash_t h) { return static_cast<std::uint32_t>(h); }

}  // namespace

IndexHeaderBytes encode_header(const IndexHeader& header)
{
    IndexHeaderBytes out{};
    store_le<std::uint32_t>(&out[0], kIndexMagic);
    store_le<std::uint16_t>(&out[4], kFormatVersion);
    store_le<std::uint16_t>(&out[6], static_cast<std::uint16_t>(kIndexRecordSize));
    store_le<std::uint64_t>(&out[8], header.base_sequence);
    store_le<std::uint32_t>(&out[28], low32(XXH3_64bits(out.data(), kHeaderCheckedBytes)));
    return out;
}

std::optional<IndexHeader> decode_header(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() < kIndexHeaderSize) return std::nullopt;
    if (load_le<std::uint32_t>(&bytes[0]) != kIndexMagic) return std::nullopt;
    if (load_le<std::uint16_t>(&bytes[4]) != kFormatVersion) return std::nullopt;
    if (load_le<std::uint16_t>(&bytes[6]) != kIndexRecordSize) return std::nullopt;
    if (load_le<std::uint32_t>(&bytes[28]) != low32(XXH3_64bits(bytes.data(), kHeaderCheckedBytes))) return std::nullopt;
    return IndexHeader{load_le<std::uint64_t>(&bytes[8])};
}

std::uint32_t payload_check(std::span<const std::uint8_t> payload)
{
    return low32(XXH3_64bits(payload.data(), payload.size()));
}

std::uint32_t record_check(std::uint64_t sequence, std::uint64_t data_offset, std::uint32_t length,
                           std::uint32_t data_check, std::uint8_t flags, std::int64_t timestamp_ns)
{
    std::uint8_t input[25];
    store_le<std::uint64_t>(&input[0], data_offset);
    store_le<std::uint32_t>(&input[8], length);
    store_le<std::uint32_t>(&input[12], data_check);
    input[16] = flags;
    store_le<std::uint64_t>(&input[17], static_cast<std::uint64_t>(timestamp_ns));
    return static_cast<std::uint32_t>(XXH3_64bits_withSeed(input, sizeof(input), sequence) >> (64 - kRecordCheckBits));
}

IndexRecordBytes encode_record(std::uint64_t sequence, const IndexRecord& record, std::int64_t timestamp_ns)
{
    IndexRecordBytes out{};
    store_le<std::uint64_t>(&out[0], record.data_offset);
    store_le<std::uint32_t>(&out[8], record.length);
    store_le<std::uint32_t>(&out[12], record.data_check);
    const std::uint32_t check =
        record_check(sequence, record.data_offset, record.length, record.data_check, record.flags, timestamp_ns);
    store_le<std::uint32_t>(&out[16], static_cast<std::uint32_t>(record.flags) | (check << 8));
    return out;
}

IndexRecord decode_record(std::span<const std::uint8_t, kIndexRecordSize> bytes)
{
    IndexRecord r;
    r.data_offset = load_le<std::uint64_t>(&bytes[0]);
    r.length = load_le<std::uint32_t>(&bytes[8]);
    r.data_check = load_le<std::uint32_t>(&bytes[12]);
    const std::uint32_t meta = load_le<std::uint32_t>(&bytes[16]);
    r.flags = static_cast<std::uint8_t>(meta & 0xFFu);
    r.record_check = meta >> 8;
    return r;
}

bool record_is_intact(std::uint64_t sequence, const IndexRecord& record, std::int64_t timestamp_ns)
{
    return record.record_check ==
           record_check(sequence, record.data_offset, record.length, record.data_check, record.flags, timestamp_ns);
}

std::array<std::uint8_t, kTimestampSize> encode_timestamp(std::int64_t timestamp_ns)
{
    std::array<std::uint8_t, kTimestampSize> out{};
    store_le<std::uint64_t>(out.data(), static_cast<std::uint64_t>(timestamp_ns));
    return out;
}

std::int64_t decode_timestamp(std::span<const std::uint8_t, kTimestampSize> bytes)
{
    return static_cast<std::int64_t>(load_le<std::uint64_t>(bytes.data()));
}

}  // namespace net::redex
