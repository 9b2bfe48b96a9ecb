// test_mesh_hostile.cpp — datagrams an attacker can send at a node's port: forged, tampered,
// replayed, truncated, mis-routed. Each is dropped and counted, and nothing else changes. A
// UDP proxy between two real nodes holds back a genuine packet to replay and tamper with.
#define BOOST_TEST_MODULE mesh_hostile
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <random>
#include <vector>

#include "mesh_lab.hpp"
#include "udp_proxy.hpp"
#include "net/kernel/wire/packet_header.hpp"
#include "net/kernel/wire/routing_header.hpp"

using namespace std::chrono_literals;
using net::test::eventually;
using net::test::MeshLab;
using net::test::TempDir;
using net::test::UdpProxy;
namespace wire = net::kernel::wire;

namespace {

std::atomic<std::uint64_t> g_events{0};

void count_events(void*, const net_mesh_event_info_t*, const net_bytes_t*, std::size_t count)
{
    g_events.fetch_add(count);
}

}  // namespace

BOOST_AUTO_TEST_CASE(forged_tampered_and_replayed_datagrams_are_dropped_and_counted)
{
    TempDir dir;
    MeshLab lab(dir);
    lab.add("a");
    lab.add("b");
    const std::uint16_t proxy_port = net::test::reserve_udp_port();
    // A reaches B only through the proxy; B answers A directly.
    lab.know_at("a", "b", "127.0.0.1:" + std::to_string(proxy_port));
    UdpProxy proxy(proxy_port, lab.spec("a").port, lab.spec("b").port);
    auto b = lab.start("b");
    auto a = lab.start("a");
    std::uint64_t receiver = 0;
    BOOST_REQUIRE_EQUAL(b->mesh()->add_receiver(&count_events, nullptr, receiver), NET_OK);
    const auto B = lab.address("b");
    const auto A = lab.address("a");
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(B) && b->mesh()->has_session(A); }, 10s));

    net_mesh_stream_t* stream = nullptr;
    BOOST_REQUIRE_EQUAL(a->mesh()->open_stream(B, "fire", stream), NET_OK);
    std::uint8_t event[16] = {1, 2, 3};
    const net_bytes_t view{event, sizeof event};
    BOOST_REQUIRE_EQUAL(a->mesh()->stream_send(stream, std::span(&view, 1)), NET_OK);
    BOOST_REQUIRE(eventually([&] { return g_events.load() == 1; }, 5s));
    // The next genuine packet is held back by the proxy: B has not seen it yet.
    proxy.hold_next_stream_packet();
    BOOST_REQUIRE_EQUAL(a->mesh()->stream_send(stream, std::span(&view, 1)), NET_OK);
    std::vector<std::uint8_t> genuine;
    BOOST_REQUIRE(eventually([&] { return !(genuine = proxy.held()).empty(); }, 5s));

    std::this_thread::sleep_for(100ms);
    const auto before = b->mesh()->counters();
    const auto events_before = g_events.load();

    // Tampered: one ciphertext bit, one authenticated header bit (stream id), one nonce bit.
    for (std::size_t at : {genuine.size() - 1, std::size_t{wire::packet_offset::stream_id},
                           std::size_t{wire::packet_offset::nonce + 5}}) {
        auto t = genuine;
        t[at] ^= 0x04;
        proxy.inject(t);
    }
    // Forged: random bytes; a well-formed header naming no session; a truncated packet.
    std::mt19937 rng(3);
    std::vector<std::uint8_t> noise(300);
    for (auto& x : noise) x = static_cast<std::uint8_t>(rng());
    noise[0] = 0x00;  // not a routing header by chance
    proxy.inject(noise);
    auto unknown_session = genuine;
    unknown_session[wire::packet_offset::session_id] ^= 0xFF;
    proxy.inject(unknown_session);
    proxy.inject(std::vector<std::uint8_t>(genuine.begin(), genuine.begin() + 40));
    // Routed: to a node nobody knows (B has no route: dropped), and with a corrupt routing header.
    std::vector<std::uint8_t> routed(wire::kRoutingHeaderSize);
    wire::RoutingHeader rh;
    rh.src = A;
    rh.dest = 0x123456789ABCull;
    BOOST_REQUIRE(wire::encode(rh, std::span<std::uint8_t, wire::kRoutingHeaderSize>(routed.data(), wire::kRoutingHeaderSize)).ok());
    routed.insert(routed.end(), genuine.begin(), genuine.end());
    proxy.inject(routed);
    auto bad_routing = routed;
    bad_routing[wire::routing_offset::flags] = 0xFF;  // reserved flag bits
    proxy.inject(bad_routing);

    BOOST_REQUIRE(eventually([&] {
        const auto c = b->mesh()->counters();
        return c.rejected_auth >= before.rejected_auth + 3 && c.rejected_malformed >= before.rejected_malformed + 3 &&
               c.rejected_unknown_session >= before.rejected_unknown_session + 1 &&
               c.forward_no_route >= before.forward_no_route + 1;
    }, 5s));
    auto after = b->mesh()->counters();
    BOOST_TEST(after.rejected_auth == before.rejected_auth + 3);
    BOOST_TEST(after.rejected_malformed == before.rejected_malformed + 3);
    BOOST_TEST(after.rejected_unknown_session == before.rejected_unknown_session + 1);
    BOOST_TEST(after.forward_no_route == before.forward_no_route + 1);
    BOOST_TEST(after.rejected_replay == before.rejected_replay);
    BOOST_TEST(after.packets_forwarded == before.packets_forwarded);
    BOOST_TEST(g_events.load() == events_before);  // nothing forged or tampered was delivered

    // The genuine packet still opens after all that, exactly once: its replay is refused.
    proxy.inject(genuine);
    BOOST_REQUIRE(eventually([&] { return g_events.load() == events_before + 1; }, 5s));
    proxy.inject(genuine);
    BOOST_REQUIRE(eventually([&] { return b->mesh()->counters().rejected_replay == before.rejected_replay + 1; }, 5s));
    std::this_thread::sleep_for(50ms);
    BOOST_TEST(g_events.load() == events_before + 1);

    // The session is untouched: genuine traffic still flows.
    BOOST_REQUIRE_EQUAL(a->mesh()->stream_send(stream, std::span(&view, 1)), NET_OK);
    BOOST_TEST(eventually([&] { return g_events.load() == events_before + 2; }, 5s));
    BOOST_TEST(b->mesh()->has_session(A));
    a->mesh()->stream_close(stream);
    b->mesh()->remove_receiver(receiver);
}
