// net/kernel/wire/routing_header.hpp — the 18-byte routing header of relayed packets.
//
// Layout (little-endian; docs/wire.md): magic u16 = 0x5452, ttl u8, hop_count u8, flags u16,
// src u48, dest u48. Forwarders rewrite ttl and hop_count in place (forward_in_place); every
// rewrite keeps ttl + hop_count constant, and that sum may not exceed kMaxHops (16).
// All functions are [any-thread], noexcept, and never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "net/kernel/wire/packet_header.hpp"
#include "net/kernel/wire/result.hpp"

namespace net::kernel::wire {

inline constexpr std::uint16_t kRoutingMagic = 0x5452;
inline constexpr std::size_t kRoutingHeaderSize = 18;
inline constexpr std::uint64_t kMaxNodeAddress = (std::uint64_t{1} << 48) - 1;

// Bits of RoutingHeader::flags. Bits 1..15 are reserved (zero).
namespace route_flag {
inline constexpr std::uint16_t priority = 0x0001;  // relays queue it ahead of bulk traffic
inline constexpr std::uint16_t known = 0x0001;
}  // namespace route_flag

namespace routing_offset {
inline constexpr std::size_t magic = 0;
inline constexpr std::size_t ttl = 2;
inline constexpr std::size_t hop_count = 3;
inline constexpr std::size_t flags = 4;
inline constexpr std::size_t src = 6;
inline constexpr std::size_t dest = 12;
}  // namespace routing_offset

struct RoutingHeader {
    std::uint8_t ttl = kMaxHops;  // hops still allowed
    std::uint8_t hop_count = 0;   // hops taken
    std::uint16_t flags = 0;      // route_flag bits
    std::uint64_t src = 0;        // 48-bit address of the origin node
    std::uint64_t dest = 0;       // 48-bit address of the destination node

    friend bool operator==(const RoutingHeader&, const RoutingHeader&) = default;
};

// hop_limit (ttl + hop_count > kMaxHops), reserved_bits (unknown flags), address_out_of_range
// (src or dest above 48 bits).
Status check(const RoutingHeader& h) noexcept;

// Writes `h`; address_out_of_range or another check() error leaves `out` untouched.
Status encode(const RoutingHeader& h, std::span<std::uint8_t, kRoutingHeaderSize> out) noexcept;

// Reads and checks the first 18 bytes: too_short, bad_magic, then check()'s errors.
Result<RoutingHeader> decode_routing(std::span<const std::uint8_t> bytes) noexcept;

// A forwarder's rewrite of an encoded header: ttl -= 1 and hop_count += 1, in place, after a full
// decode. ttl_expired when ttl is 0, hop_limit when hop_count would exceed kMaxHops. On success
// returns the header as rewritten; on error the bytes are unchanged.
Result<RoutingHeader> forward_in_place(std::span<std::uint8_t> bytes) noexcept;

}  // namespace net::kernel::wire
