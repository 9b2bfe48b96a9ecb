// The 64-byte packet header's out-of-line parts: decode's slow path and the relay-side rewrite.
#include "net/kernel/wire/packet_header.hpp"

namespace net::kernel::wire {

Result<PacketHeader> detail::decode_checked(const std::uint8_t* p) noexcept
{
    PacketHeader h;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&h, p, kPacketHeaderSize);
    } else {
        decode_fields(p, h);
    }
    if (const Status s = check(h); !s) return s.fault();
    return h;
}

Status relay_increment_hop(std::span<std::uint8_t> header_bytes) noexcept
{
    using detail::fault_at;
    if (header_bytes.size() < kPacketHeaderSize) return fault_at(WireError::too_short, header_bytes.size());
    std::uint8_t* p = header_bytes.data();
    if (load_le<std::uint16_t>(p + packet_offset::magic) != kPacketMagic) {
        return fault_at(WireError::bad_magic, packet_offset::magic);
    }
    if (p[packet_offset::version] != kPacketVersion) return fault_at(WireError::bad_version, packet_offset::version);
    const std::uint8_t ttl = p[packet_offset::hop_ttl];
    const std::uint8_t count = p[packet_offset::hop_count];
    if (ttl > kMaxHops) return fault_at(WireError::hop_limit, packet_offset::hop_ttl);
    if (count >= ttl) return fault_at(WireError::hop_limit, packet_offset::hop_count);
    p[packet_offset::hop_count] = static_cast<std::uint8_t>(count + 1);
    return {};
}

}  // namespace net::kernel::wire
