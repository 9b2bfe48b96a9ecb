// net/kernel/wire/result.hpp — the one error list of the wire codecs, and Result<T>.
//
// Every codec in net::kernel::wire reports failure as a WireError plus the byte offset (into the
// input it was given) where the problem was found. Nothing here throws or allocates.
#pragma once

#include <cstdint>
#include <string_view>

namespace net::kernel::wire {

// X(name, description). One list makes the enum and both name functions.
#define NET_WIRE_ERRORS(X)                                                            \
    X(none, "no error")                                                               \
    X(too_short, "input shorter than the fixed-size encoding")                        \
    X(bad_magic, "magic number does not match")                                       \
    X(bad_version, "unsupported version")                                             \
    X(reserved_bits, "a reserved bit or byte is not zero")                            \
    X(payload_too_large, "payload length exceeds the packet limit")                   \
    X(packet_too_large, "datagram exceeds the packet limit")                          \
    X(length_mismatch, "datagram size differs from header size plus payload length")  \
    X(flags_inconsistent, "flag combination is not allowed")                          \
    X(fragment_inconsistent, "fragment fields contradict the fragment flags")         \
    X(event_count_inconsistent, "event count cannot fit in the payload")              \
    X(hop_limit, "hop count exceeds the hop ttl or the 16-hop limit")                 \
    X(ttl_expired, "ttl is zero; the packet must not be forwarded")                   \
    X(buffer_too_small, "output buffer too small")                                    \
    X(event_too_large, "event does not fit a u32 length prefix or the payload")       \
    X(too_many_events, "more events than a u16 event count can carry")                \
    X(truncated_length, "fewer than 4 bytes left for an event length prefix")         \
    X(event_overrun, "event length runs past the end of the payload")                 \
    X(event_count_mismatch, "number of events differs from the header's event count") \
    X(odd_length, "hex text has an odd number of characters")                         \
    X(address_out_of_range, "node address does not fit in 48 bits")                   \
    X(not_hex, "character is not a hex digit")

enum class WireError : std::uint8_t {
#define NET_WIRE_ERROR_ENUM(name, text) name,
    NET_WIRE_ERRORS(NET_WIRE_ERROR_ENUM)
#undef NET_WIRE_ERROR_ENUM
};

// "bad_magic" etc.; "unknown" for a value outside the list.
std::string_view wire_error_name(WireError error) noexcept;
// A one-line English description.
std::string_view wire_error_description(WireError error) noexcept;

// A failure: what went wrong and where (a byte offset into the input; for hex, the index of the
// offending character).
struct Fault {
    WireError error = WireError::none;
    std::uint32_t offset = 0;
};

// Either a T or a Fault. T must be default-constructible and cheap to copy (all wire values are).
// value() and operator* on a failed result return a default T; check ok() first.
template <class T>
class [[nodiscard]] Result {
public:
    constexpr Result(const T& value) noexcept : value_(value) {}  // NOLINT: implicit by design
    constexpr Result(Fault fault) noexcept : fault_(fault) {}     // NOLINT: implicit by design

    // A successful result whose value fill(T&) writes in place: lets a hot decoder copy bytes
    // straight into the caller's result instead of through a temporary.
    template <class Fill>
    static constexpr Result filled_by(Fill&& fill) noexcept
    {
        Result r{T{}};
        fill(r.value_);
        return r;
    }

    constexpr bool ok() const noexcept { return fault_.error == WireError::none; }
    constexpr explicit operator bool() const noexcept { return ok(); }
    constexpr WireError error() const noexcept { return fault_.error; }
    constexpr std::uint32_t offset() const noexcept { return fault_.offset; }
    constexpr Fault fault() const noexcept { return fault_; }
    constexpr const T& value() const noexcept { return value_; }
    constexpr const T& operator*() const noexcept { return value_; }
    constexpr const T* operator->() const noexcept { return &value_; }

private:
    T value_{};
    Fault fault_{};
};

// Success or a Fault, for operations that produce nothing.
class [[nodiscard]] Status {
public:
    constexpr Status() noexcept = default;
    constexpr Status(Fault fault) noexcept : fault_(fault) {}  // NOLINT: implicit by design

    constexpr bool ok() const noexcept { return fault_.error == WireError::none; }
    constexpr explicit operator bool() const noexcept { return ok(); }
    constexpr WireError error() const noexcept { return fault_.error; }
    constexpr std::uint32_t offset() const noexcept { return fault_.offset; }
    constexpr Fault fault() const noexcept { return fault_; }

private:
    Fault fault_{};
};

}  // namespace net::kernel::wire
