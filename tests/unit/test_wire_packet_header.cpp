// The 64-byte packet header: byte layout, round trips (fixed and seeded random), every decode
// error, truncation at every length, single-byte corruption of magic and version, the associated
// data, the relay hop rewrite, and the error names.
#define BOOST_TEST_MODULE wire_packet_header
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "net/kernel/wire/packet_header.hpp"

namespace net::kernel::wire {
// Lets BOOST_TEST print errors by name.
std::ostream& operator<<(std::ostream& os, WireError e)
{
    return os << wire_error_name(e);
}
}  // namespace net::kernel::wire

namespace wire = net::kernel::wire;
using wire::PacketHeader;
using wire::WireError;
using Bytes = std::array<std::uint8_t, wire::kPacketHeaderSize>;

namespace {

PacketHeader sample()
{
    PacketHeader h;
    h.flags = wire::packet_flag::reliable | wire::packet_flag::priority;
    h.priority = 7;
    h.hop_ttl = 5;
    h.hop_count = 2;
    h.subprotocol_id = 0x0102;
    h.channel_hash = 0xBEEF;
    for (std::size_t i = 0; i < h.nonce.size(); ++i) h.nonce[i] = static_cast<std::uint8_t>(0xA0 + i);
    h.session_id = 0x1122334455667788ULL;
    h.sequence = 0x0102030405060708ULL;
    h.stream_id = 0xCAFEBABE;
    h.subnet_id = 0x00010002;
    h.origin_hash = 0xDEADBEEF;
    h.payload_length = 1200;
    h.event_count = 3;
    return h;
}

Bytes encoded(const PacketHeader& h)
{
    Bytes b{};
    wire::encode(h, b);
    return b;
}

// A random header that passes check().
PacketHeader random_valid(std::mt19937_64& rng)
{
    PacketHeader h;
    const std::uint64_t r = rng();
    h.flags = static_cast<std::uint8_t>(r & wire::packet_flag::known);
    h.priority = static_cast<std::uint8_t>(r >> 8);
    h.hop_ttl = static_cast<std::uint8_t>((r >> 16) % (wire::kMaxHops + 1));
    h.hop_count = static_cast<std::uint8_t>((r >> 24) % (h.hop_ttl + 1));
    h.subprotocol_id = static_cast<std::uint16_t>(r >> 32);
    h.channel_hash = static_cast<std::uint16_t>(r >> 48);
    for (auto& b : h.nonce) b = static_cast<std::uint8_t>(rng());
    h.session_id = rng();
    h.sequence = rng();
    h.stream_id = static_cast<std::uint32_t>(rng());
    h.subnet_id = static_cast<std::uint32_t>(rng());
    h.origin_hash = static_cast<std::uint32_t>(rng());
    h.payload_length = static_cast<std::uint16_t>(rng() % (wire::kMaxPayloadSize + 1));
    const bool heartbeat = (h.flags & wire::packet_flag::heartbeat) != 0;
    if (heartbeat) h.flags &= static_cast<std::uint8_t>(~wire::packet_flag::handshake);
    if (!heartbeat && rng() % 2 == 0) {
        h.fragment_flags =
            static_cast<std::uint8_t>(wire::fragment_flag::fragment | (rng() & wire::fragment_flag::last));
        h.fragment_id = static_cast<std::uint16_t>(rng());
        h.fragment_offset = static_cast<std::uint32_t>(rng() % ((std::uint64_t{1} << 32) - h.payload_length + 1));
        h.event_count = static_cast<std::uint16_t>(rng());
    } else if (!heartbeat) {
        h.event_count = static_cast<std::uint16_t>(rng() % (h.payload_length / 4 + 1));
    }
    return h;
}

void expect_error(const PacketHeader& h, WireError error, std::size_t offset)
{
    const auto r = wire::decode(encoded(h));
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(wire::wire_error_name(r.error()) == wire::wire_error_name(error));
    BOOST_TEST(r.offset() == offset);
    BOOST_TEST(wire::check(h).error() == error);
}

}  // namespace

BOOST_AUTO_TEST_CASE(layout_is_little_endian_at_documented_offsets)
{
    const Bytes b = encoded(sample());
    const std::vector<std::uint8_t> expected_prefix{0x45, 0x4E, 1, 0x05, 7, 5, 2, 0, 0x02, 0x01, 0xEF, 0xBE};
    BOOST_TEST(std::vector<std::uint8_t>(b.begin(), b.begin() + 12) == expected_prefix,
               boost::test_tools::per_element());
    BOOST_TEST(b[12] == 0xA0);
    BOOST_TEST(b[23] == 0xAB);
    BOOST_TEST(b[24] == 0x88);  // session id, low byte first
    BOOST_TEST(b[31] == 0x11);
    BOOST_TEST(b[32] == 0x08);  // sequence
    BOOST_TEST(b[40] == 0xBE);  // stream id
    BOOST_TEST(b[43] == 0xCA);
    BOOST_TEST(b[44] == 0x02);  // subnet id
    BOOST_TEST(b[48] == 0xEF);  // origin hash
    BOOST_TEST(b[58] == (1200 & 0xFF));
    BOOST_TEST(b[59] == (1200 >> 8));
    BOOST_TEST(b[60] == 3);
    BOOST_TEST(b[62] == 0);
    BOOST_TEST(b[63] == 0);
}

BOOST_AUTO_TEST_CASE(round_trips_a_full_header)
{
    const PacketHeader h = sample();
    const auto r = wire::decode(encoded(h));
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST((*r == h));
}

BOOST_AUTO_TEST_CASE(random_headers_round_trip_and_match_the_field_by_field_codec)
{
    std::mt19937_64 rng(0x5EED0001);
    for (int i = 0; i < 20000; ++i) {
        const PacketHeader h = random_valid(rng);
        BOOST_TEST_REQUIRE(wire::check(h).ok());
        const Bytes fast = encoded(h);
        Bytes slow{};
        wire::detail::encode_fields(h, slow.data());
        BOOST_TEST_REQUIRE((fast == slow));
        const auto r = wire::decode(fast);
        BOOST_TEST_REQUIRE(r.ok());
        BOOST_TEST_REQUIRE((*r == h));
        PacketHeader by_fields;
        wire::detail::decode_fields(fast.data(), by_fields);
        BOOST_TEST_REQUIRE((by_fields == h));
    }
}

BOOST_AUTO_TEST_CASE(decode_agrees_with_check_on_mutated_headers)
{
    std::mt19937_64 rng(0x5EED0006);
    int refused = 0;
    for (int i = 0; i < 200000; ++i) {
        Bytes b = encoded(random_valid(rng));
        // Flip 1-3 random bits, biased towards the checked fields in the first 8 and last 12 bytes.
        for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
            const std::size_t at = rng() % 2 ? rng() % 8 : (rng() % 2 ? 52 + rng() % 12 : rng() % 64);
            b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        }
        PacketHeader h;
        wire::detail::decode_fields(b.data(), h);
        const bool ok = wire::check(h).ok();
        if (wire::detail::passes_common_case(b.data())) BOOST_TEST_REQUIRE(ok);
        const auto r = wire::decode(b);
        BOOST_TEST_REQUIRE(r.ok() == ok);
        if (!ok) BOOST_TEST_REQUIRE(r.error() == wire::check(h).error());
        if (ok) BOOST_TEST_REQUIRE((*r == h));
        refused += !ok;
    }
    BOOST_TEST(refused > 10000);  // the mutations do reach the checks
}

BOOST_AUTO_TEST_CASE(encode_forces_magic_version_and_reserved)
{
    PacketHeader h = sample();
    h.magic = 0;
    h.version = 9;
    h.reserved = 0xFFFF;
    const auto r = wire::decode(encoded(h));
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST(r->magic == wire::kPacketMagic);
    BOOST_TEST(r->version == wire::kPacketVersion);
    BOOST_TEST(r->reserved == 0);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_too_short)
{
    const Bytes b = encoded(sample());
    for (std::size_t len = 0; len < b.size(); ++len) {
        const auto r = wire::decode(std::span<const std::uint8_t>(b.data(), len));
        BOOST_TEST_REQUIRE(r.error() == WireError::too_short);
        BOOST_TEST(r.offset() == len);
    }
    BOOST_TEST(wire::decode(b).ok());
}

BOOST_AUTO_TEST_CASE(every_single_byte_corruption_of_magic_and_version_is_refused)
{
    const Bytes good = encoded(sample());
    for (std::size_t at : {std::size_t{0}, std::size_t{1}, std::size_t{2}}) {
        for (int v = 0; v < 256; ++v) {
            if (v == good[at]) continue;
            Bytes b = good;
            b[at] = static_cast<std::uint8_t>(v);
            const auto r = wire::decode(b);
            BOOST_TEST_REQUIRE(!r.ok());
            BOOST_TEST_REQUIRE(r.error() == (at < 2 ? WireError::bad_magic : WireError::bad_version));
            BOOST_TEST(r.offset() == (at < 2 ? 0u : 2u));
        }
    }
}

BOOST_AUTO_TEST_CASE(reserved_bits_are_refused_one_by_one)
{
    const Bytes good = encoded(sample());
    for (int bit = 6; bit < 8; ++bit) {
        Bytes b = good;
        b[wire::packet_offset::flags] |= static_cast<std::uint8_t>(1u << bit);
        BOOST_TEST(wire::decode(b).error() == WireError::reserved_bits);
        BOOST_TEST(wire::decode(b).offset() == wire::packet_offset::flags);
    }
    for (int bit = 2; bit < 8; ++bit) {
        Bytes b = good;
        b[wire::packet_offset::fragment_flags] |= static_cast<std::uint8_t>(1u << bit);
        BOOST_TEST(wire::decode(b).error() == WireError::reserved_bits);
        BOOST_TEST(wire::decode(b).offset() == wire::packet_offset::fragment_flags);
    }
    for (std::size_t at : {std::size_t{62}, std::size_t{63}}) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes b = good;
            b[at] = static_cast<std::uint8_t>(1u << bit);
            BOOST_TEST(wire::decode(b).error() == WireError::reserved_bits);
            BOOST_TEST(wire::decode(b).offset() == wire::packet_offset::reserved);
        }
    }
}

BOOST_AUTO_TEST_CASE(payload_length_is_bounded_by_the_packet_limit)
{
    PacketHeader h = sample();
    h.payload_length = wire::kMaxPayloadSize;
    BOOST_TEST(wire::decode(encoded(h)).ok());
    h.payload_length = wire::kMaxPayloadSize + 1;
    expect_error(h, WireError::payload_too_large, wire::packet_offset::payload_length);
    h.payload_length = 0xFFFF;
    expect_error(h, WireError::payload_too_large, wire::packet_offset::payload_length);
}

BOOST_AUTO_TEST_CASE(hop_fields_respect_ttl_and_the_16_hop_limit)
{
    PacketHeader h = sample();
    h.hop_ttl = 16;
    h.hop_count = 16;
    BOOST_TEST(wire::decode(encoded(h)).ok());
    h.hop_ttl = 17;
    expect_error(h, WireError::hop_limit, wire::packet_offset::hop_ttl);
    h.hop_ttl = 3;
    h.hop_count = 4;
    expect_error(h, WireError::hop_limit, wire::packet_offset::hop_count);
}

BOOST_AUTO_TEST_CASE(heartbeats_carry_no_events_and_no_fragments)
{
    PacketHeader h = sample();
    h.flags = wire::packet_flag::heartbeat;
    h.event_count = 0;
    h.payload_length = 16;
    BOOST_TEST(wire::decode(encoded(h)).ok());
    PacketHeader both = h;
    both.flags |= wire::packet_flag::handshake;
    expect_error(both, WireError::flags_inconsistent, wire::packet_offset::flags);
    PacketHeader with_events = h;
    with_events.event_count = 1;
    expect_error(with_events, WireError::event_count_inconsistent, wire::packet_offset::event_count);
    PacketHeader fragmented = h;
    fragmented.fragment_flags = wire::fragment_flag::fragment;
    expect_error(fragmented, WireError::fragment_inconsistent, wire::packet_offset::fragment_flags);
}

BOOST_AUTO_TEST_CASE(fragment_fields_need_the_fragment_flag)
{
    PacketHeader h = sample();
    h.fragment_flags = wire::fragment_flag::last;
    expect_error(h, WireError::fragment_inconsistent, wire::packet_offset::fragment_flags);
    h = sample();
    h.fragment_id = 9;
    expect_error(h, WireError::fragment_inconsistent, wire::packet_offset::fragment_id);
    h = sample();
    h.fragment_offset = 100;
    expect_error(h, WireError::fragment_inconsistent, wire::packet_offset::fragment_offset);

    h = sample();
    h.fragment_flags = wire::fragment_flag::fragment | wire::fragment_flag::last;
    h.fragment_id = 9;
    h.fragment_offset = 0xFFFFFFFFu - h.payload_length + 1;  // ends exactly at 2^32
    h.event_count = 60000;                                   // counts the whole message, not this fragment
    BOOST_TEST(wire::decode(encoded(h)).ok());
    h.fragment_offset += 1;
    expect_error(h, WireError::fragment_inconsistent, wire::packet_offset::fragment_offset);
}

BOOST_AUTO_TEST_CASE(event_count_must_fit_the_payload)
{
    PacketHeader h = sample();
    h.payload_length = 40;
    h.event_count = 10;
    BOOST_TEST(wire::decode(encoded(h)).ok());
    h.event_count = 11;
    expect_error(h, WireError::event_count_inconsistent, wire::packet_offset::event_count);
}

BOOST_AUTO_TEST_CASE(decode_packet_checks_the_datagram_size)
{
    PacketHeader h = sample();
    h.payload_length = 100;
    std::vector<std::uint8_t> datagram(wire::kPacketHeaderSize + 100, 0x5A);
    wire::encode(h, std::span<std::uint8_t, 64>(datagram.data(), 64));
    const auto r = wire::decode_packet(datagram);
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST((r->header == h));
    BOOST_TEST(r->payload.size() == 100u);
    BOOST_TEST(r->payload.data() == datagram.data() + 64);

    datagram.push_back(0);
    BOOST_TEST(wire::decode_packet(datagram).error() == WireError::length_mismatch);
    BOOST_TEST(wire::decode_packet(datagram).offset() == wire::packet_offset::payload_length);
    datagram.resize(wire::kPacketHeaderSize + 99);
    BOOST_TEST(wire::decode_packet(datagram).error() == WireError::length_mismatch);
    BOOST_TEST(wire::decode_packet(std::span(datagram).first(10)).error() == WireError::too_short);

    std::vector<std::uint8_t> big(wire::kMaxPacketSize + 1, 0);
    BOOST_TEST(wire::decode_packet(big).error() == WireError::packet_too_large);
    h.payload_length = wire::kMaxPayloadSize;
    h.event_count = 0;
    big.resize(wire::kMaxPacketSize);
    wire::encode(h, std::span<std::uint8_t, 64>(big.data(), 64));
    BOOST_TEST(wire::decode_packet(big).ok());

    h.payload_length = 0;
    const Bytes header_only = encoded(h);
    const auto empty = wire::decode_packet(header_only);
    BOOST_TEST_REQUIRE(empty.ok());
    BOOST_TEST(empty->payload.empty());
}

BOOST_AUTO_TEST_CASE(associated_data_covers_everything_but_nonce_and_hop_count)
{
    const PacketHeader h = sample();
    const Bytes b = encoded(h);
    Bytes ad{};
    wire::build_associated_data(b, ad);
    Bytes ad_from_struct{};
    wire::build_associated_data(h, ad_from_struct);
    BOOST_TEST((ad == ad_from_struct));
    for (std::size_t i = 0; i < b.size(); ++i) {
        const bool excluded = i == wire::packet_offset::hop_count ||
                              (i >= wire::packet_offset::nonce && i < wire::packet_offset::nonce + wire::kNonceSize);
        BOOST_TEST(ad[i] == (excluded ? 0 : b[i]));
        Bytes changed = b;
        changed[i] ^= 0x01;
        Bytes ad2{};
        wire::build_associated_data(changed, ad2);
        BOOST_TEST((ad2 == ad) == excluded, "byte " << i);
    }
}

BOOST_AUTO_TEST_CASE(relays_increment_the_hop_count_up_to_the_ttl)
{
    PacketHeader h = sample();
    h.hop_ttl = 3;
    h.hop_count = 0;
    Bytes b = encoded(h);
    Bytes ad_before{};
    wire::build_associated_data(b, ad_before);
    for (int hop = 1; hop <= 3; ++hop) {
        BOOST_TEST_REQUIRE(wire::relay_increment_hop(b).ok());
        BOOST_TEST(b[wire::packet_offset::hop_count] == hop);
        BOOST_TEST(wire::decode(b).ok());
    }
    const Bytes spent = b;
    const auto refused = wire::relay_increment_hop(b);
    BOOST_TEST(refused.error() == WireError::hop_limit);
    BOOST_TEST(refused.offset() == wire::packet_offset::hop_count);
    BOOST_TEST((b == spent));
    Bytes ad_after{};
    wire::build_associated_data(b, ad_after);
    BOOST_TEST((ad_after == ad_before));

    BOOST_TEST(wire::relay_increment_hop(std::span(b).first(63)).error() == WireError::too_short);
    b[0] ^= 0xFF;
    BOOST_TEST(wire::relay_increment_hop(b).error() == WireError::bad_magic);
    b[0] ^= 0xFF;
    b[2] = 2;
    BOOST_TEST(wire::relay_increment_hop(b).error() == WireError::bad_version);
    b[2] = 1;
    b[wire::packet_offset::hop_ttl] = 40;
    BOOST_TEST(wire::relay_increment_hop(b).error() == WireError::hop_limit);
}

BOOST_AUTO_TEST_CASE(every_error_has_a_distinct_name_and_a_description)
{
    std::set<std::string> names;
    for (int e = 0; e <= static_cast<int>(WireError::not_hex); ++e) {
        const auto name = wire::wire_error_name(static_cast<WireError>(e));
        BOOST_TEST(name != "unknown");
        BOOST_TEST(!wire::wire_error_description(static_cast<WireError>(e)).empty());
        names.emplace(name);
    }
    BOOST_TEST(names.size() == static_cast<std::size_t>(WireError::not_hex) + 1);
    BOOST_TEST(wire::wire_error_name(WireError::bad_magic) == "bad_magic");
    BOOST_TEST(wire::wire_error_name(static_cast<WireError>(200)) == "unknown");
}
