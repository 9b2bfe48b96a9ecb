// test_session_confirmation.cpp — key confirmation: a node that answered a handshake sends nothing
// on the new session until the initiator shows it holds it, so no packet is sealed under a session
// the peer never received (its answer can be lost). Two real nodes, a UDP proxy dropping answers.
#define BOOST_TEST_MODULE session_confirmation
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include "mesh_lab.hpp"
#include "udp_proxy.hpp"

using namespace std::chrono_literals;
using net::test::eventually;
using net::test::MeshLab;
using net::test::TempDir;
using net::test::UdpProxy;

namespace {

std::atomic<std::uint64_t> g_events_at_a{0};

void count_events(void*, const net_mesh_event_info_t*, const net_bytes_t*, std::size_t count)
{
    g_events_at_a.fetch_add(count);
}

std::string session_state(net::kernel::mesh::Mesh& mesh, const std::string& peer_name)
{
    const auto status = mesh.status();
    for (const auto& p : status["peers"]) {
        if (p["name"] == peer_name) return p["session"].get<std::string>();
    }
    return "absent";
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_responder_sends_on_a_session_only_once_the_initiator_has_it)
{
    TempDir dir;
    MeshLab lab(dir);
    lab.add("a");
    lab.add("b");
    // A knows B, through the proxy; B does not know A, so only A initiates and B only answers.
    const std::uint16_t proxy_port = net::test::reserve_udp_port();
    lab.spec("a").peers.push_back({{"name", "b"},
                                   {"entity_key", lab.spec("b").entity_hex},
                                   {"static_key", lab.spec("b").static_hex},
                                   {"endpoint", "127.0.0.1:" + std::to_string(proxy_port)}});
    UdpProxy proxy(proxy_port, lab.spec("a").port, lab.spec("b").port);
    proxy.drop_answers_from_right(true);
    auto b = lab.start("b");
    auto a = lab.start("a");
    const auto A = lab.address("a");
    const auto B = lab.address("b");

    // B has answered (the answer was lost): it holds the session's keys, A does not.
    BOOST_REQUIRE(eventually([&] { return proxy.answers_dropped() >= 1; }, 10s));
    BOOST_REQUIRE(eventually([&] { return session_state(*b->mesh(), "learned") == "confirming"; }, 5s));
    // Several heartbeat intervals (100 ms) and handshake retries (200 ms) later, B still has not
    // sent a packet on it (it would be a packet A cannot open) and does not call it established.
    std::this_thread::sleep_for(600ms);
    BOOST_TEST(proxy.answers_dropped() >= 2u);  // A retried; B answered again from its cache
    BOOST_TEST(proxy.session_packets_from_right() == 0u);
    BOOST_TEST(!b->mesh()->has_session(A));
    BOOST_TEST(!a->mesh()->has_session(B));
    BOOST_TEST(session_state(*b->mesh(), "learned") == "confirming");

    // The next answer gets through: A installs the session and tells B at once; B confirms it.
    proxy.drop_answers_from_right(false);
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(B) && b->mesh()->has_session(A); }, 5s));
    BOOST_TEST(session_state(*b->mesh(), "learned") == "established");
    BOOST_TEST(b->mesh()->status()["counters"]["handshakes_completed"].get<std::uint64_t>() == 1u);

    // Traffic both ways, and nothing A received named a session it does not have.
    std::uint64_t receiver = 0;
    BOOST_REQUIRE_EQUAL(a->mesh()->add_receiver(&count_events, nullptr, receiver), NET_OK);
    net_mesh_stream_t* stream = nullptr;
    BOOST_REQUIRE_EQUAL(b->mesh()->open_stream(A, "fire", stream), NET_OK);
    std::uint8_t event[8] = {7};
    const net_bytes_t view{event, sizeof event};
    BOOST_REQUIRE_EQUAL(b->mesh()->stream_send(stream, std::span(&view, 1)), NET_OK);
    BOOST_TEST(eventually([&] { return g_events_at_a.load() == 1; }, 5s));
    BOOST_TEST(proxy.session_packets_from_right() > 0u);
    BOOST_TEST(a->mesh()->counters().rejected_unknown_session == 0u);
    b->mesh()->stream_close(stream);
    a->mesh()->remove_receiver(receiver);
}
