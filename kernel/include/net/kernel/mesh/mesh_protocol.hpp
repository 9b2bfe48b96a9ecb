// net/kernel/mesh/mesh_protocol.hpp — the kernel's own subprotocols and their payloads (wire.md).
//
// Every payload here is the plaintext of a sealed session packet; its fields are little-endian.
//   stream    0x0001  stream data (events, [u32 len][bytes]) and control (NACK flag): the
//                     reliability mode owns the payload (docs/reliability.md)
//   probe     0x0002  [kind u8: 1 ping, 2 pong][id u64][sent_ns u64]: RTT and `net-mesh ping`
//   pingwave  0x0003  [origin u64 (48-bit address)][sequence u64][hops u8]: route discovery
//   channel_membership 0x0004, channel_events 0x0005: the channel layer (docs/channels.md)
// Handshake packets carry no subprotocol: header flag handshake, session_id = the initiator's
// handshake id (echoed in the response), payload = the handshake message (session_frame.hpp).
// Heartbeats: header flag heartbeat, payload = the 16-byte tag of an empty plaintext.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::mesh {

namespace subprotocol {
inline constexpr std::uint16_t stream = 0x0001;
inline constexpr std::uint16_t probe = 0x0002;
inline constexpr std::uint16_t pingwave = 0x0003;
inline constexpr std::uint16_t channel_membership = 0x0004;
inline constexpr std::uint16_t channel_events = 0x0005;
inline constexpr std::uint16_t first_plugin = 0x0100;

// Ids the mesh handles itself; kernel services (channels) register the other ids below
// first_plugin through Mesh's C++ API, plugins only ids from first_plugin up (net/iface/mesh.h).
constexpr bool is_mesh_internal(std::uint16_t id) noexcept
{
    return id == 0 || id == stream || id == probe || id == pingwave;
}
}  // namespace subprotocol

struct Probe {
    static constexpr std::size_t size = 17;
    static constexpr std::uint8_t ping = 1;
    static constexpr std::uint8_t pong = 2;
    std::uint8_t kind = ping;
    std::uint64_t id = 0;
    std::uint64_t sent_ns = 0;
};

struct Pingwave {
    static constexpr std::size_t size = 17;
    std::uint64_t origin = 0;
    std::uint64_t sequence = 0;
    std::uint8_t hops = 0;
};

inline void encode(const Probe& p, std::uint8_t* out) noexcept
{
    out[0] = p.kind;
    wire::store_le(out + 1, p.id);
    wire::store_le(out + 9, p.sent_ns);
}

inline std::optional<Probe> decode_probe(std::span<const std::uint8_t> in) noexcept
{
    if (in.size() != Probe::size || (in[0] != Probe::ping && in[0] != Probe::pong)) return std::nullopt;
    return Probe{in[0], wire::load_le<std::uint64_t>(in.data() + 1), wire::load_le<std::uint64_t>(in.data() + 9)};
}

inline void encode(const Pingwave& p, std::uint8_t* out) noexcept
{
    wire::store_le(out, p.origin);
    wire::store_le(out + 8, p.sequence);
    out[16] = p.hops;
}

inline std::optional<Pingwave> decode_pingwave(std::span<const std::uint8_t> in) noexcept
{
    if (in.size() != Pingwave::size) return std::nullopt;
    Pingwave p{wire::load_le<std::uint64_t>(in.data()), wire::load_le<std::uint64_t>(in.data() + 8), in[16]};
    if (p.origin > (std::uint64_t{1} << 48) - 1) return std::nullopt;
    return p;
}

}  // namespace net::kernel::mesh
