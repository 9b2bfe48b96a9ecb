#include "bus_record.hpp"

namespace net::bus_redex {
namespace {

void put_u64(std::uint8_t* at, std::uint64_t v) noexcept
{
    for (int i = 0; i < 8; ++i) at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_u64(const std::uint8_t* at) noexcept
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | at[i];
    return v;
}

}  // namespace

void encode_record_header(const net_bus_event_t& event, std::span<std::uint8_t, kRecordHeaderSize> out) noexcept
{
    out[0] = kRecordVersion;
    out[1] = out[2] = out[3] = 0;
    put_u64(&out[4], event.dedup_id);
    put_u64(&out[12], event.producer_id);
    put_u64(&out[20], event.producer_sequence);
    put_u64(&out[28], event.channel_hash);
}

net_status_t decode_record_header(std::span<const std::uint8_t> record, RecordHeader& out, std::string& why)
{
    if (record.size() < kRecordHeaderSize) {
        why = "record of " + std::to_string(record.size()) + " bytes is shorter than the " +
              std::to_string(kRecordHeaderSize) + "-byte header";
        return NET_E_MALFORMED;
    }
    if (record[0] != kRecordVersion) {
        why = "record version " + std::to_string(record[0]) + " (expected " + std::to_string(kRecordVersion) + ")";
        return NET_E_MALFORMED;
    }
    if (record[1] != 0 || record[2] != 0 || record[3] != 0) {
        why = "record reserved bytes are not zero";
        return NET_E_MALFORMED;
    }
    out.dedup_id = get_u64(&record[4]);
    out.producer_id = get_u64(&record[12]);
    out.producer_sequence = get_u64(&record[20]);
    out.channel_hash = get_u64(&record[28]);
    return NET_OK;
}

}  // namespace net::bus_redex
