// The 18-byte routing header: encode, decode, and the forwarders' in-place ttl/hop rewrite.
#include "net/kernel/wire/routing_header.hpp"

#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::wire {

using detail::fault_at;

Status check(const RoutingHeader& h) noexcept
{
    if (unsigned{h.ttl} + h.hop_count > kMaxHops) return fault_at(WireError::hop_limit, routing_offset::ttl);
    if ((h.flags & ~route_flag::known) != 0) return fault_at(WireError::reserved_bits, routing_offset::flags);
    if (h.src > kMaxNodeAddress) return fault_at(WireError::address_out_of_range, routing_offset::src);
    if (h.dest > kMaxNodeAddress) return fault_at(WireError::address_out_of_range, routing_offset::dest);
    return {};
}

Status encode(const RoutingHeader& h, std::span<std::uint8_t, kRoutingHeaderSize> out) noexcept
{
    if (const Status s = check(h); !s) return s;
    std::uint8_t* p = out.data();
    store_le<std::uint16_t>(p + routing_offset::magic, kRoutingMagic);
    p[routing_offset::ttl] = h.ttl;
    p[routing_offset::hop_count] = h.hop_count;
    store_le(p + routing_offset::flags, h.flags);
    store_le48(p + routing_offset::src, h.src);
    store_le48(p + routing_offset::dest, h.dest);
    return {};
}

Result<RoutingHeader> decode_routing(std::span<const std::uint8_t> bytes) noexcept
{
    if (bytes.size() < kRoutingHeaderSize) return fault_at(WireError::too_short, bytes.size());
    const std::uint8_t* p = bytes.data();
    if (load_le<std::uint16_t>(p + routing_offset::magic) != kRoutingMagic) {
        return fault_at(WireError::bad_magic, routing_offset::magic);
    }
    RoutingHeader h;
    h.ttl = p[routing_offset::ttl];
    h.hop_count = p[routing_offset::hop_count];
    h.flags = load_le<std::uint16_t>(p + routing_offset::flags);
    h.src = load_le48(p + routing_offset::src);
    h.dest = load_le48(p + routing_offset::dest);
    if (const Status s = check(h); !s) return s.fault();
    return h;
}

Result<RoutingHeader> forward_in_place(std::span<std::uint8_t> bytes) noexcept
{
    Result<RoutingHeader> decoded = decode_routing(bytes);
    if (!decoded) return decoded;
    RoutingHeader h = *decoded;
    if (h.ttl == 0) return fault_at(WireError::ttl_expired, routing_offset::ttl);
    if (h.hop_count >= kMaxHops) return fault_at(WireError::hop_limit, routing_offset::hop_count);
    h.ttl = static_cast<std::uint8_t>(h.ttl - 1);
    h.hop_count = static_cast<std::uint8_t>(h.hop_count + 1);
    bytes[routing_offset::ttl] = h.ttl;
    bytes[routing_offset::hop_count] = h.hop_count;
    return h;
}

}  // namespace net::kernel::wire
