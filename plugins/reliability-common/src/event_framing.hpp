// Events in a packet payload are framed back to back as [u32 little-endian length][bytes]
// (docs/wire.md). This file plans how a batch of events splits into packets, writes one packet's
// payload, and validates/walks a received payload without copying it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/buffer.h"

namespace net::reliability {

constexpr std::size_t kEventHeaderBytes = 4;
constexpr std::size_t kMaxEventsPerPacket = 0xFFFF;  // event_count is a u16 in the frame

// A run of consecutive events that fills one packet.
struct PacketPlan {
    std::size_t first_event;
    std::size_t event_count;
    std::size_t payload_bytes;
};

// Splits `events` greedily into packets of at most `max_payload` bytes. Returns false (and
// leaves `out` unspecified) when one event cannot fit in a packet on its own.
bool plan_packets(std::span<const net_bytes_t> events, std::size_t max_payload, std::vector<PacketPlan>& out);

// The framed size of `events`: sum of (4 + len).
std::size_t framed_size(std::span<const net_bytes_t> events) noexcept;

// Writes the events of `plan` into `out` (exactly plan.payload_bytes long).
void write_packet(std::span<const net_bytes_t> events, const PacketPlan& plan, std::uint8_t* out) noexcept;

// Splits a received payload into views of its events (pointing into `payload`). Returns false
// when the payload does not hold exactly `event_count` well-formed events and nothing else.
bool read_events(net_bytes_t payload, std::uint16_t event_count, std::vector<net_bytes_t>& out);

}  // namespace net::reliability
