// The 18-byte routing header: layout, round trips, every decode error, truncation at every
// length, single-byte magic corruption, and the forwarders' in-place ttl/hop rewrite.
#define BOOST_TEST_MODULE wire_routing_header
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <ostream>
#include <random>
#include <vector>

#include "net/kernel/wire/routing_header.hpp"

namespace net::kernel::wire {
// Lets BOOST_TEST print errors by name.
std::ostream& operator<<(std::ostream& os, WireError e)
{
    return os << wire_error_name(e);
}
}  // namespace net::kernel::wire

namespace wire = net::kernel::wire;
using wire::RoutingHeader;
using wire::WireError;
using Bytes = std::array<std::uint8_t, wire::kRoutingHeaderSize>;

namespace {

RoutingHeader sample()
{
    return RoutingHeader{10, 2, wire::route_flag::priority, 0x0000A1A2A3A4A5A6ULL, 0x0000B1B2B3B4B5B6ULL};
}

Bytes encoded(const RoutingHeader& h)
{
    Bytes b{};
    BOOST_TEST_REQUIRE(wire::encode(h, b).ok());
    return b;
}

}  // namespace

BOOST_AUTO_TEST_CASE(layout_is_18_little_endian_bytes)
{
    const Bytes b = encoded(sample());
    const std::vector<std::uint8_t> expected{0x52, 0x54, 10,   2,    0x01, 0x00, 0xA6, 0xA5, 0xA4,
                                             0xA3, 0xA2, 0xA1, 0xB6, 0xB5, 0xB4, 0xB3, 0xB2, 0xB1};
    BOOST_TEST(std::vector<std::uint8_t>(b.begin(), b.end()) == expected, boost::test_tools::per_element());
    const auto r = wire::decode_routing(b);
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST((*r == sample()));
}

BOOST_AUTO_TEST_CASE(random_headers_round_trip)
{
    std::mt19937_64 rng(0x5EED0004);
    for (int i = 0; i < 20000; ++i) {
        RoutingHeader h;
        h.ttl = static_cast<std::uint8_t>(rng() % (wire::kMaxHops + 1));
        h.hop_count = static_cast<std::uint8_t>(rng() % (wire::kMaxHops - h.ttl + 1));
        h.flags = static_cast<std::uint16_t>(rng() & wire::route_flag::known);
        h.src = rng() & wire::kMaxNodeAddress;
        h.dest = rng() & wire::kMaxNodeAddress;
        const auto r = wire::decode_routing(encoded(h));
        BOOST_TEST_REQUIRE(r.ok());
        BOOST_TEST_REQUIRE((*r == h));
    }
}

BOOST_AUTO_TEST_CASE(every_truncation_is_too_short)
{
    const Bytes b = encoded(sample());
    for (std::size_t len = 0; len < b.size(); ++len) {
        const auto r = wire::decode_routing(std::span(b).first(len));
        BOOST_TEST_REQUIRE(r.error() == WireError::too_short);
        BOOST_TEST(r.offset() == len);
        std::array<std::uint8_t, wire::kRoutingHeaderSize> m = b;
        BOOST_TEST(wire::forward_in_place(std::span(m).first(len)).error() == WireError::too_short);
    }
}

BOOST_AUTO_TEST_CASE(every_single_byte_corruption_of_the_magic_is_refused)
{
    const Bytes good = encoded(sample());
    for (std::size_t at = 0; at < 2; ++at) {
        for (int v = 0; v < 256; ++v) {
            if (v == good[at]) continue;
            Bytes b = good;
            b[at] = static_cast<std::uint8_t>(v);
            BOOST_TEST_REQUIRE(wire::decode_routing(b).error() == WireError::bad_magic);
            BOOST_TEST_REQUIRE(wire::forward_in_place(b).error() == WireError::bad_magic);
        }
    }
}

BOOST_AUTO_TEST_CASE(check_and_decode_refuse_bad_fields)
{
    Bytes b = encoded(sample());
    for (int bit = 1; bit < 16; ++bit) {
        Bytes c = b;
        c[4 + bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
        BOOST_TEST(wire::decode_routing(c).error() == WireError::reserved_bits);
        BOOST_TEST(wire::decode_routing(c).offset() == wire::routing_offset::flags);
    }
    Bytes c = b;
    c[wire::routing_offset::ttl] = 15;  // 15 + 2 > 16
    BOOST_TEST(wire::decode_routing(c).error() == WireError::hop_limit);
    c[wire::routing_offset::ttl] = 14;
    BOOST_TEST(wire::decode_routing(c).ok());

    RoutingHeader h = sample();
    h.src = wire::kMaxNodeAddress + 1;
    Bytes untouched{};
    BOOST_TEST(wire::encode(h, untouched).error() == WireError::address_out_of_range);
    BOOST_TEST(wire::encode(h, untouched).offset() == wire::routing_offset::src);
    BOOST_TEST((untouched == Bytes{}));
    h = sample();
    h.dest = ~std::uint64_t{0};
    BOOST_TEST(wire::check(h).error() == WireError::address_out_of_range);
    BOOST_TEST(wire::check(h).offset() == wire::routing_offset::dest);
    h = sample();
    h.flags = 0x8000;
    BOOST_TEST(wire::check(h).error() == WireError::reserved_bits);
    h = sample();
    h.ttl = 17;
    h.hop_count = 0;
    BOOST_TEST(wire::check(h).error() == WireError::hop_limit);
}

BOOST_AUTO_TEST_CASE(forwarding_rewrites_in_place_until_the_ttl_runs_out)
{
    RoutingHeader h = sample();
    h.ttl = 3;
    h.hop_count = 0;
    Bytes b = encoded(h);
    for (int hop = 1; hop <= 3; ++hop) {
        const auto r = wire::forward_in_place(b);
        BOOST_TEST_REQUIRE(r.ok());
        BOOST_TEST(r->ttl == 3 - hop);
        BOOST_TEST(r->hop_count == hop);
        BOOST_TEST(r->dest == h.dest);
        BOOST_TEST((*wire::decode_routing(b) == *r));
    }
    const Bytes spent = b;
    const auto refused = wire::forward_in_place(b);
    BOOST_TEST(refused.error() == WireError::ttl_expired);
    BOOST_TEST(refused.offset() == wire::routing_offset::ttl);
    BOOST_TEST((b == spent));
}

BOOST_AUTO_TEST_CASE(no_route_exceeds_16_hops)
{
    RoutingHeader h = sample();
    h.ttl = wire::kMaxHops;
    h.hop_count = 0;
    Bytes b = encoded(h);
    int hops = 0;
    while (wire::forward_in_place(b).ok()) ++hops;
    BOOST_TEST(hops == 16);
    BOOST_TEST(b[wire::routing_offset::hop_count] == 16);
    // A forged header claiming more hops is refused before the rewrite.
    b[wire::routing_offset::ttl] = 1;
    const Bytes forged = b;
    BOOST_TEST(wire::forward_in_place(b).error() == WireError::hop_limit);
    BOOST_TEST((b == forged));
}
