// bus_record.hpp — how one bus event is stored as a RedEX entry (docs/bus-redex.md).
//
//   offset  size  field
//   0       1     version (1)
//   1       3     reserved, zero
//   4       8     dedup id            (little-endian, as every field)
//   12      8     producer id
//   20      8     producer sequence
//   28      8     channel hash (64-bit)
//   36      n     payload
// The timestamp is the RedEX entry's own timestamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "net/iface/bus_adapter.h"
#include "net/status.h"

namespace net::bus_redex {

inline constexpr std::uint8_t kRecordVersion = 1;
inline constexpr std::size_t kRecordHeaderSize = 36;

struct RecordHeader {
    std::uint64_t dedup_id = 0;
    std::uint64_t producer_id = 0;
    std::uint64_t producer_sequence = 0;
    std::uint64_t channel_hash = 0;
};

// Writes the header of `event` into out[0..kRecordHeaderSize).
void encode_record_header(const net_bus_event_t& event, std::span<std::uint8_t, kRecordHeaderSize> out) noexcept;

// Parses a stored record. NET_E_MALFORMED (with `why` set) when it is shorter than the header,
// has another version or non-zero reserved bytes.
net_status_t decode_record_header(std::span<const std::uint8_t> record, RecordHeader& out, std::string& why);

}  // namespace net::bus_redex
