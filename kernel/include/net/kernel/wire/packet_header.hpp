// net/kernel/wire/packet_header.hpp — the 64-byte packet header (docs/wire.md has the byte table).
//
// Little-endian, fixed layout, magic 0x4E45, version 1. A packet is the header followed by
// payload_length bytes of AEAD ciphertext (tag included), 8192 bytes at most in all. Only the
// payload is encrypted; the associated data is the header with the nonce and hop count zeroed.
//
// PacketHeader's members are declared in wire order with natural alignment and no padding, so on
// a little-endian host encode is a 64-byte copy with two words patched, and decode checks three
// 8-byte words of the input and then copies it (a slow path out of line handles heartbeats,
// fragments and errors). Inline because they run once per packet and must cost a few ns.
// All functions are [any-thread], noexcept, and never allocate.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "net/kernel/wire/byte_order.hpp"
#include "net/kernel/wire/result.hpp"

namespace net::kernel::wire {

inline constexpr std::uint16_t kPacketMagic = 0x4E45;
inline constexpr std::uint8_t kPacketVersion = 1;
inline constexpr std::size_t kPacketHeaderSize = 64;
inline constexpr std::size_t kMaxPacketSize = 8192;
inline constexpr std::size_t kMaxPayloadSize = kMaxPacketSize - kPacketHeaderSize;  // 8128
inline constexpr std::size_t kNonceSize = 12;
inline constexpr std::size_t kAssociatedDataSize = kPacketHeaderSize;
// A packet (and a routed packet) crosses at most this many relays.
inline constexpr std::uint8_t kMaxHops = 16;

// Bits of PacketHeader::flags. Bits 6 and 7 are reserved (zero).
namespace packet_flag {
inline constexpr std::uint8_t reliable = 0x01;   // delivered by a reliable stream
inline constexpr std::uint8_t nack = 0x02;       // payload is a selective NACK
inline constexpr std::uint8_t priority = 0x04;   // the priority field is meaningful
inline constexpr std::uint8_t fin = 0x08;        // last packet of the stream
inline constexpr std::uint8_t handshake = 0x10;  // payload is a Noise handshake message
inline constexpr std::uint8_t heartbeat = 0x20;  // authenticated empty payload (tag only)
inline constexpr std::uint8_t known = 0x3F;
}  // namespace packet_flag

// Bits of PacketHeader::fragment_flags. Bits 2..7 are reserved (zero).
namespace fragment_flag {
inline constexpr std::uint8_t fragment = 0x01;  // this packet carries one fragment of a message
inline constexpr std::uint8_t last = 0x02;      // ... and it is the message's last fragment
inline constexpr std::uint8_t known = 0x03;
}  // namespace fragment_flag

// Byte offset of each field in the encoded header (and in Fault::offset).
namespace packet_offset {
inline constexpr std::size_t magic = 0;
inline constexpr std::size_t version = 2;
inline constexpr std::size_t flags = 3;
inline constexpr std::size_t priority = 4;
inline constexpr std::size_t hop_ttl = 5;
inline constexpr std::size_t hop_count = 6;
inline constexpr std::size_t fragment_flags = 7;
inline constexpr std::size_t subprotocol_id = 8;
inline constexpr std::size_t channel_hash = 10;
inline constexpr std::size_t nonce = 12;
inline constexpr std::size_t session_id = 24;
inline constexpr std::size_t sequence = 32;
inline constexpr std::size_t stream_id = 40;
inline constexpr std::size_t subnet_id = 44;
inline constexpr std::size_t origin_hash = 48;
inline constexpr std::size_t fragment_offset = 52;
inline constexpr std::size_t fragment_id = 56;
inline constexpr std::size_t payload_length = 58;
inline constexpr std::size_t event_count = 60;
inline constexpr std::size_t reserved = 62;
}  // namespace packet_offset

struct PacketHeader {
    std::uint16_t magic = kPacketMagic;            // encode always writes kPacketMagic
    std::uint8_t version = kPacketVersion;         // encode always writes kPacketVersion
    std::uint8_t flags = 0;                        // packet_flag bits
    std::uint8_t priority = 0;                     // 0 = lowest
    std::uint8_t hop_ttl = 0;                      // hop budget set by the origin, <= kMaxHops
    std::uint8_t hop_count = 0;                    // relays passed so far, <= hop_ttl (not in the AD)
    std::uint8_t fragment_flags = 0;               // fragment_flag bits
    std::uint16_t subprotocol_id = 0;              // what the payload is (stream, NACK, RedEX, ...)
    std::uint16_t channel_hash = 0;                // 16-bit hash of the channel name
    std::array<std::uint8_t, kNonceSize> nonce{};  // AEAD nonce (not in the AD)
    std::uint64_t session_id = 0;
    std::uint64_t sequence = 0;  // per-stream packet sequence
    std::uint32_t stream_id = 0;
    std::uint32_t subnet_id = 0;
    std::uint32_t origin_hash = 0;      // hash of the originating node id
    std::uint32_t fragment_offset = 0;  // byte offset of this fragment in the whole message
    std::uint16_t fragment_id = 0;      // groups the fragments of one message
    std::uint16_t payload_length = 0;   // bytes after the header (ciphertext + tag)
    std::uint16_t event_count = 0;      // events framed in the (decrypted) payload
    std::uint16_t reserved = 0;         // encode always writes 0; decode requires 0

    friend bool operator==(const PacketHeader&, const PacketHeader&) = default;
};

static_assert(sizeof(PacketHeader) == kPacketHeaderSize);
static_assert(std::is_trivially_copyable_v<PacketHeader>);
static_assert(offsetof(PacketHeader, nonce) == packet_offset::nonce);
static_assert(offsetof(PacketHeader, session_id) == packet_offset::session_id);
static_assert(offsetof(PacketHeader, stream_id) == packet_offset::stream_id);
static_assert(offsetof(PacketHeader, fragment_offset) == packet_offset::fragment_offset);
static_assert(offsetof(PacketHeader, reserved) == packet_offset::reserved);

// A whole datagram: its header and the payload bytes that follow it (a view into the input).
struct DecodedPacket {
    PacketHeader header;
    std::span<const std::uint8_t> payload;
};

namespace detail {

// Field-by-field codecs: the portable path (big-endian hosts) and the reference the tests
// compare the fast path against.
inline void encode_fields(const PacketHeader& h, std::uint8_t* p) noexcept
{
    store_le<std::uint16_t>(p + packet_offset::magic, kPacketMagic);
    p[packet_offset::version] = kPacketVersion;
    p[packet_offset::flags] = h.flags;
    p[packet_offset::priority] = h.priority;
    p[packet_offset::hop_ttl] = h.hop_ttl;
    p[packet_offset::hop_count] = h.hop_count;
    p[packet_offset::fragment_flags] = h.fragment_flags;
    store_le(p + packet_offset::subprotocol_id, h.subprotocol_id);
    store_le(p + packet_offset::channel_hash, h.channel_hash);
    std::memcpy(p + packet_offset::nonce, h.nonce.data(), kNonceSize);
    store_le(p + packet_offset::session_id, h.session_id);
    store_le(p + packet_offset::sequence, h.sequence);
    store_le(p + packet_offset::stream_id, h.stream_id);
    store_le(p + packet_offset::subnet_id, h.subnet_id);
    store_le(p + packet_offset::origin_hash, h.origin_hash);
    store_le(p + packet_offset::fragment_offset, h.fragment_offset);
    store_le(p + packet_offset::fragment_id, h.fragment_id);
    store_le(p + packet_offset::payload_length, h.payload_length);
    store_le(p + packet_offset::event_count, h.event_count);
    store_le<std::uint16_t>(p + packet_offset::reserved, 0);
}

inline void decode_fields(const std::uint8_t* p, PacketHeader& h) noexcept
{
    h.magic = load_le<std::uint16_t>(p + packet_offset::magic);
    h.version = p[packet_offset::version];
    h.flags = p[packet_offset::flags];
    h.priority = p[packet_offset::priority];
    h.hop_ttl = p[packet_offset::hop_ttl];
    h.hop_count = p[packet_offset::hop_count];
    h.fragment_flags = p[packet_offset::fragment_flags];
    h.subprotocol_id = load_le<std::uint16_t>(p + packet_offset::subprotocol_id);
    h.channel_hash = load_le<std::uint16_t>(p + packet_offset::channel_hash);
    std::memcpy(h.nonce.data(), p + packet_offset::nonce, kNonceSize);
    h.session_id = load_le<std::uint64_t>(p + packet_offset::session_id);
    h.sequence = load_le<std::uint64_t>(p + packet_offset::sequence);
    h.stream_id = load_le<std::uint32_t>(p + packet_offset::stream_id);
    h.subnet_id = load_le<std::uint32_t>(p + packet_offset::subnet_id);
    h.origin_hash = load_le<std::uint32_t>(p + packet_offset::origin_hash);
    h.fragment_offset = load_le<std::uint32_t>(p + packet_offset::fragment_offset);
    h.fragment_id = load_le<std::uint16_t>(p + packet_offset::fragment_id);
    h.payload_length = load_le<std::uint16_t>(p + packet_offset::payload_length);
    h.event_count = load_le<std::uint16_t>(p + packet_offset::event_count);
    h.reserved = load_le<std::uint16_t>(p + packet_offset::reserved);
}

constexpr Fault fault_at(WireError e, std::size_t offset) noexcept
{
    return Fault{e, static_cast<std::uint32_t>(offset)};
}

}  // namespace detail

// The checks decode applies, for a header built in memory. In order: bad_magic, bad_version,
// reserved_bits (flags bits 6-7, fragment_flags bits 2-7, the reserved u16), payload_too_large
// (> kMaxPayloadSize), hop_limit (hop_ttl > kMaxHops or hop_count > hop_ttl), flags_inconsistent
// (heartbeat with handshake), event_count_inconsistent (a heartbeat with events, or an unfragmented
// packet whose event_count * 4 exceeds payload_length), fragment_inconsistent (fragment fields set
// without the fragment flag, a fragmented heartbeat, or fragment_offset + payload_length > 2^32).
constexpr Status check(const PacketHeader& h) noexcept
{
    using detail::fault_at;
    if (h.magic != kPacketMagic) return fault_at(WireError::bad_magic, packet_offset::magic);
    if (h.version != kPacketVersion) return fault_at(WireError::bad_version, packet_offset::version);
    if ((h.flags & ~packet_flag::known) != 0) return fault_at(WireError::reserved_bits, packet_offset::flags);
    if ((h.fragment_flags & ~fragment_flag::known) != 0) {
        return fault_at(WireError::reserved_bits, packet_offset::fragment_flags);
    }
    if (h.reserved != 0) return fault_at(WireError::reserved_bits, packet_offset::reserved);
    if (h.payload_length > kMaxPayloadSize) {
        return fault_at(WireError::payload_too_large, packet_offset::payload_length);
    }
    if (h.hop_ttl > kMaxHops) return fault_at(WireError::hop_limit, packet_offset::hop_ttl);
    if (h.hop_count > h.hop_ttl) return fault_at(WireError::hop_limit, packet_offset::hop_count);
    if ((h.flags & packet_flag::heartbeat) != 0) {
        if ((h.flags & packet_flag::handshake) != 0) {
            return fault_at(WireError::flags_inconsistent, packet_offset::flags);
        }
        if (h.event_count != 0) return fault_at(WireError::event_count_inconsistent, packet_offset::event_count);
        if (h.fragment_flags != 0) {
            return fault_at(WireError::fragment_inconsistent, packet_offset::fragment_flags);
        }
    }
    if ((h.fragment_flags & fragment_flag::fragment) == 0) {
        if (h.fragment_flags != 0) return fault_at(WireError::fragment_inconsistent, packet_offset::fragment_flags);
        if (h.fragment_id != 0) return fault_at(WireError::fragment_inconsistent, packet_offset::fragment_id);
        if (h.fragment_offset != 0) {
            return fault_at(WireError::fragment_inconsistent, packet_offset::fragment_offset);
        }
        // Each event needs at least its 4-byte length prefix, and the plaintext is shorter than
        // the ciphertext, so this bound holds before decryption.
        if (std::uint32_t{h.event_count} * 4u > h.payload_length) {
            return fault_at(WireError::event_count_inconsistent, packet_offset::event_count);
        }
    } else if (std::uint64_t{h.fragment_offset} + h.payload_length > std::uint64_t{1} << 32) {
        return fault_at(WireError::fragment_inconsistent, packet_offset::fragment_offset);
    }
    return {};
}

// Writes `h` (magic, version and reserved forced to their fixed values). Does not check `h`;
// call check() first for headers that did not come from decode.
inline void encode(const PacketHeader& h, std::span<std::uint8_t, kPacketHeaderSize> out) noexcept
{
    if constexpr (std::endian::native == std::endian::little) {
        // Patch the fixed fields in registers, then store each 8-byte word once.
        std::uint64_t first;
        std::uint64_t last;
        std::memcpy(&first, &h, 8);
        std::memcpy(&last, reinterpret_cast<const std::uint8_t*>(&h) + 56, 8);
        first = (first & ~std::uint64_t{0xFFFFFF}) | kPacketMagic | (std::uint64_t{kPacketVersion} << 16);
        last &= 0x0000FFFFFFFFFFFFull;
        std::memcpy(out.data(), &first, 8);
        std::memcpy(out.data() + 8, reinterpret_cast<const std::uint8_t*>(&h) + 8, 48);
        std::memcpy(out.data() + 56, &last, 8);
    } else {
        detail::encode_fields(h, out.data());
    }
}

namespace detail {

// True for the common packet (no heartbeat, no fragment) when every check() rule holds, tested on
// three 8-byte words of the wire bytes. False means "ask check()", not "invalid": heartbeats and
// fragments always take the slow path.
inline bool passes_common_case(const std::uint8_t* p) noexcept
{
    const auto w0 = load_le<std::uint64_t>(p);       // magic, version, flags, priority, hops, fragment flags
    const auto w6 = load_le<std::uint64_t>(p + 48);  // origin hash, fragment offset
    const auto w7 = load_le<std::uint64_t>(p + 56);  // fragment id, payload length, event count, reserved
    // Magic, version, reserved flag bits and the heartbeat bit, all fragment flags.
    constexpr std::uint64_t fixed_mask = 0xFF000000E0FFFFFFull;
    constexpr std::uint64_t fixed_value = kPacketMagic | (std::uint64_t{kPacketVersion} << 16);
    // Fragment offset, fragment id and reserved must be zero.
    const std::uint64_t must_be_zero = ((w0 & fixed_mask) ^ fixed_value) | (w6 >> 32) | (w7 & 0xFFFF00000000FFFFull);
    // The four range rules (ttl <= 16, hops <= ttl, payload <= 8128, 4 * events <= payload) as
    // differences that are all >= 0 exactly when the rules hold; the operands are small, so the
    // int arithmetic cannot overflow and one sign test covers them all.
    const int ttl = p[packet_offset::hop_ttl];
    const int hops = p[packet_offset::hop_count];
    const int payload = load_le<std::uint16_t>(p + packet_offset::payload_length);
    const int events = load_le<std::uint16_t>(p + packet_offset::event_count);
    const int ranges =
        (kMaxHops - ttl) | (ttl - hops) | (static_cast<int>(kMaxPayloadSize) - payload) | (payload - 4 * events);
    return must_be_zero == 0 && ranges >= 0;
}

// decode()'s slow path: a full check() with its error.
Result<PacketHeader> decode_checked(const std::uint8_t* p) noexcept;

}  // namespace detail

// Reads and checks the first 64 bytes of `bytes` (anything after them is ignored).
// Errors: too_short (offset = bytes.size()) and everything check() reports.
inline Result<PacketHeader> decode(std::span<const std::uint8_t> bytes) noexcept
{
    if (bytes.size() < kPacketHeaderSize) return detail::fault_at(WireError::too_short, bytes.size());
    if (!detail::passes_common_case(bytes.data())) return detail::decode_checked(bytes.data());
    return Result<PacketHeader>::filled_by([p = bytes.data()](PacketHeader& h) {
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&h, p, kPacketHeaderSize);
        } else {
            detail::decode_fields(p, h);
        }
    });
}

// Decodes a whole datagram: the header, plus packet_too_large (offset kMaxPacketSize) when the
// datagram exceeds 8192 bytes and length_mismatch (offset of payload_length) when its size is not
// 64 + payload_length.
inline Result<DecodedPacket> decode_packet(std::span<const std::uint8_t> datagram) noexcept
{
    if (datagram.size() > kMaxPacketSize) return detail::fault_at(WireError::packet_too_large, kMaxPacketSize);
    const Result<PacketHeader> h = decode(datagram);
    if (!h) return h.fault();
    if (kPacketHeaderSize + h->payload_length != datagram.size()) {
        return detail::fault_at(WireError::length_mismatch, packet_offset::payload_length);
    }
    return DecodedPacket{*h, datagram.subspan(kPacketHeaderSize)};
}

// The AEAD associated data: the 64 encoded header bytes with the nonce (bytes 12..23) and the
// hop count (byte 6) zeroed, because relays change them. Sender and receiver build it from the
// same wire bytes, so it authenticates every other field, the reserved bytes included.
inline void build_associated_data(std::span<const std::uint8_t, kPacketHeaderSize> header_bytes,
                                  std::span<std::uint8_t, kAssociatedDataSize> ad) noexcept
{
    std::memcpy(ad.data(), header_bytes.data(), kPacketHeaderSize);
    ad[packet_offset::hop_count] = 0;
    std::memset(ad.data() + packet_offset::nonce, 0, kNonceSize);
}

inline void build_associated_data(const PacketHeader& h, std::span<std::uint8_t, kAssociatedDataSize> ad) noexcept
{
    encode(h, ad);
    ad[packet_offset::hop_count] = 0;
    std::memset(ad.data() + packet_offset::nonce, 0, kNonceSize);
}

// What a relay does to an encoded header before forwarding it: hop_count += 1, in place.
// Errors: too_short, bad_magic, bad_version, hop_limit (hop_count already equals hop_ttl, or
// either exceeds kMaxHops); on error the bytes are unchanged.
Status relay_increment_hop(std::span<std::uint8_t> header_bytes) noexcept;

}  // namespace net::kernel::wire
