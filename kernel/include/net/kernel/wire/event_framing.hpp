// net/kernel/wire/event_framing.hpp — events in a payload, each framed [u32 len LE][len bytes].
//
// EventWriter appends into a caller's span with capacity checks; measure_events gives the framed
// size without encoding (so buffers are pre-sized); EventReader walks a payload with bounds checks
// and never reads outside it. Single-threaded objects; noexcept; no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "net/kernel/wire/result.hpp"

namespace net::kernel::wire {

inline constexpr std::size_t kEventLengthPrefix = 4;
// The header's event_count is a u16.
inline constexpr std::size_t kMaxEventsPerPayload = std::numeric_limits<std::uint16_t>::max();

constexpr std::size_t framed_size(std::size_t event_size) noexcept
{
    return kEventLengthPrefix + event_size;
}

// The encoded size of events of the given sizes. event_too_large (offset = index) for a size above
// u32 max, too_many_events (offset = kMaxEventsPerPayload) for more than 65535 sizes.
Result<std::size_t> measure_events(std::span<const std::size_t> sizes) noexcept;

class EventWriter {
public:
    explicit EventWriter(std::span<std::uint8_t> out) noexcept : out_(out) {}

    // Appends one framed event. Errors (offset = bytes written so far; nothing is written):
    // buffer_too_small, event_too_large (above u32 max), too_many_events (a 65536th event).
    Status append(std::span<const std::uint8_t> event) noexcept;
    // Writes the length prefix and returns the `size` bytes after it for the caller to fill in
    // place. Same errors as append.
    Result<std::span<std::uint8_t>> claim(std::size_t size) noexcept;

    std::size_t size() const noexcept { return used_; }
    std::size_t remaining() const noexcept { return out_.size() - used_; }
    std::uint16_t count() const noexcept { return count_; }
    std::span<std::uint8_t> written() const noexcept { return out_.first(used_); }

private:
    std::span<std::uint8_t> out_;
    std::size_t used_ = 0;
    std::uint16_t count_ = 0;
};

class EventReader {
public:
    // Reads every event in `payload`, however many there are.
    explicit EventReader(std::span<const std::uint8_t> payload) noexcept : payload_(payload) {}
    // Reads `payload` expecting exactly `expected_count` events that use all of its bytes.
    EventReader(std::span<const std::uint8_t> payload, std::uint16_t expected_count) noexcept
        : payload_(payload), expected_(expected_count)
    {
    }

    // Sets `event` to the next event (a view into the payload) and returns true; returns false at
    // the end or on an error, after which status() says which. Errors (offset = where the bad
    // event starts): truncated_length (1..3 bytes left), event_overrun (length past the end),
    // event_count_mismatch (payload ends before expected_count events, or bytes remain after).
    bool next(std::span<const std::uint8_t>& event) noexcept;

    // ok() while reading and after a clean end.
    Status status() const noexcept { return status_; }
    // True after a clean end or an error.
    bool done() const noexcept { return done_; }
    // Events returned so far.
    std::size_t count() const noexcept { return read_; }
    // Bytes consumed so far.
    std::size_t offset() const noexcept { return pos_; }

private:
    bool fail(WireError error) noexcept;

    static constexpr std::size_t kAnyCount = std::numeric_limits<std::size_t>::max();

    std::span<const std::uint8_t> payload_;
    std::size_t expected_ = kAnyCount;
    std::size_t pos_ = 0;
    std::size_t read_ = 0;
    Status status_{};
    bool done_ = false;
};

// Walks the whole payload; the first error EventReader would report, or ok.
Status validate_events(std::span<const std::uint8_t> payload, std::uint16_t expected_count) noexcept;

}  // namespace net::kernel::wire
