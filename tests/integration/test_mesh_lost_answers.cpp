// test_mesh_lost_answers.cpp — handshake answers that are lost: the node that answered sends
// nothing on the session until the initiator shows it holds it (key confirmation), and a session
// the answering node has dropped meanwhile is not revived by re-sending its cached answer. Either
// way no packet is sealed under a session the other end cannot open. Two real nodes, a UDP proxy
// between them dropping the answers.
#define BOOST_TEST_MODULE mesh_lost_answers
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
using net::kernel::mesh::PeerHealth;

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

// A knows B, through the proxy; B does not know A, so only A initiates and B only answers. The
// proxy drops B's answers from the start.
struct AnswersLost {
    TempDir dir;
    MeshLab lab{dir};
    std::uint16_t proxy_port = net::test::reserve_udp_port();
    std::unique_ptr<UdpProxy> proxy;
    std::unique_ptr<net::kernel::Node> a, b;
    net::kernel::mesh::Address A = 0, B = 0;

    AnswersLost()
    {
        lab.add("a");
        lab.add("b");
        lab.know_at("a", "b", "127.0.0.1:" + std::to_string(proxy_port));
        proxy = std::make_unique<UdpProxy>(proxy_port, lab.spec("a").port, lab.spec("b").port);
        proxy->drop_answers_from_right(true);
        b = lab.start("b");
        a = lab.start("a");
        A = lab.address("a");
        B = lab.address("b");
    }

    // B sends an event to A on a fire stream; true once A received it.
    bool b_reaches_a()
    {
        g_events_at_a = 0;
        std::uint64_t receiver = 0;
        if (a->mesh()->add_receiver(&count_events, nullptr, receiver) != NET_OK) return false;
        net_mesh_stream_t* stream = nullptr;
        bool arrived = false;
        if (b->mesh()->open_stream(A, "fire", stream) == NET_OK) {
            std::uint8_t event[8] = {7};
            const net_bytes_t view{event, sizeof event};
            arrived = b->mesh()->stream_send(stream, std::span(&view, 1)) == NET_OK &&
                      eventually([&] { return g_events_at_a.load() == 1; }, 5s);
            b->mesh()->stream_close(stream);
        }
        a->mesh()->remove_receiver(receiver);
        return arrived;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_responder_sends_on_a_session_only_once_the_initiator_has_it)
{
    AnswersLost t;
    auto& proxy = *t.proxy;
    auto& a = t.a;
    auto& b = t.b;
    const auto A = t.A;
    const auto B = t.B;

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

    // B's events reach A, and nothing A received named a session it does not have.
    BOOST_TEST(t.b_reaches_a());
    BOOST_TEST(proxy.session_packets_from_right() > 0u);
    BOOST_TEST(a->mesh()->counters().rejected_unknown_session == 0u);
}

BOOST_AUTO_TEST_CASE(a_session_the_responder_dropped_is_not_revived_by_its_cached_answer)
{
    AnswersLost t;
    auto& proxy = *t.proxy;
    BOOST_REQUIRE(eventually([&] { return proxy.answers_dropped() >= 1; }, 10s));
    // A stays silent (it has no session), so B declares it failed after the 1 s session timeout
    // and drops the session it answered. A is still retrying the same initiation (20 x 200 ms).
    BOOST_REQUIRE(eventually([&] { return t.b->mesh()->peer_health(t.A) == PeerHealth::failed; }, 5s));
    BOOST_TEST(session_state(*t.b->mesh(), "learned") == "none");
    BOOST_TEST(!t.a->mesh()->has_session(t.B));

    // The next retry is answered afresh: a new session, which both ends hold.
    proxy.drop_answers_from_right(false);
    BOOST_REQUIRE(eventually([&] { return t.a->mesh()->has_session(t.B) && t.b->mesh()->has_session(t.A); }, 5s));
    BOOST_TEST(t.b->mesh()->status()["counters"]["handshakes_completed"].get<std::uint64_t>() == 2u);
    BOOST_TEST(t.a->mesh()->status()["counters"]["handshakes_completed"].get<std::uint64_t>() == 1u);
    const auto a_status = t.a->mesh()->status();
    const auto b_status = t.b->mesh()->status();
    BOOST_TEST(a_status["peers"][0]["session_id"] == b_status["peers"][0]["session_id"]);
    BOOST_TEST(t.b->mesh()->counters().rejected_unknown_session == 0u);
    BOOST_TEST(t.b_reaches_a());
}
