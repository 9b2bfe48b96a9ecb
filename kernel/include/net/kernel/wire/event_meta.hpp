// net/kernel/wire/event_meta.hpp — the 24-byte meta prefix at the start of a stored or carried
// event: timestamp_ns u64, producer_id u64, sequence u64, little-endian (docs/wire.md).
// [any-thread], noexcept, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "net/kernel/wire/result.hpp"

namespace net::kernel::wire {

inline constexpr std::size_t kEventMetaSize = 24;

struct EventMeta {
    std::uint64_t timestamp_ns = 0;  // producer's clock, nanoseconds since the Unix epoch
    std::uint64_t producer_id = 0;   // who produced the event (node id hash or plugin-chosen)
    std::uint64_t sequence = 0;      // per-producer sequence, for dedup and ordering

    friend bool operator==(const EventMeta&, const EventMeta&) = default;
};

void encode(const EventMeta& meta, std::span<std::uint8_t, kEventMetaSize> out) noexcept;

// Reads the first 24 bytes; too_short when there are fewer. Every bit pattern is a valid meta.
Result<EventMeta> decode_event_meta(std::span<const std::uint8_t> bytes) noexcept;

}  // namespace net::kernel::wire
