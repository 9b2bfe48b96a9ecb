// test_mesh.cpp — real nodes on loopback UDP, in one process: reliable and fire-and-forget
// streams (clean and under injected faults), a relay that forwards without decrypting, failure
// detection and recovery, and hostile datagrams.
#define BOOST_TEST_MODULE mesh
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "mesh_lab.hpp"

using namespace std::chrono_literals;
using net::kernel::mesh::Mesh;
using net::kernel::mesh::PeerHealth;
using net::test::eventually;
using net::test::MeshLab;
using net::test::TempDir;

namespace {

// Counts events per source and checks that each stream's events arrive in order, exactly once.
// Every event starts with its u64 index on that stream.
class Collector {
public:
    explicit Collector(Mesh& mesh) : mesh_(mesh)
    {
        BOOST_REQUIRE_EQUAL(mesh.add_receiver(&Collector::on_events, this, id_), NET_OK);
    }
    ~Collector() { mesh_.remove_receiver(id_); }

    std::uint64_t received() const { return received_.load(); }
    std::uint64_t out_of_order() const { return out_of_order_.load(); }
    std::uint8_t last_hops() const { return last_hops_.load(); }
    std::uint64_t last_source() const { return last_source_.load(); }

private:
    static void on_events(void* ctx, const net_mesh_event_info_t* info, const net_bytes_t* events, std::size_t count)
    {
        auto* self = static_cast<Collector*>(ctx);
        std::lock_guard lock(self->mutex_);
        auto& next = self->next_[{info->source_address, info->stream_id}];
        for (std::size_t i = 0; i < count; ++i) {
            std::uint64_t index = ~std::uint64_t{0};
            if (events[i].len >= 8) std::memcpy(&index, events[i].ptr, 8);
            if (index != next) self->out_of_order_.fetch_add(1);
            next = index + 1;
        }
        self->last_hops_ = info->hops;
        self->last_source_ = info->source_address;
        self->received_.fetch_add(count);
    }

    Mesh& mesh_;
    std::uint64_t id_ = 0;
    std::mutex mutex_;
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint64_t> next_;
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> out_of_order_{0};
    std::atomic<std::uint8_t> last_hops_{0};
    std::atomic<std::uint64_t> last_source_{0};
};

// Sends events [first, first + count) of `size` bytes, `batch` per call, retrying on back-pressure.
// Returns false if the stream refused for longer than `patience`.
bool send_events(Mesh& mesh, net_mesh_stream_t* stream, std::uint64_t first, std::uint64_t count, std::size_t size,
                 std::size_t batch, std::chrono::milliseconds patience = 20s)
{
    std::vector<std::vector<std::uint8_t>> storage(batch, std::vector<std::uint8_t>(size, 0xAB));
    std::vector<net_bytes_t> views(batch);
    std::uint64_t i = first;
    auto last_progress = std::chrono::steady_clock::now();
    while (i < first + count) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(batch, first + count - i));
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint64_t index = i + k;
            std::memcpy(storage[k].data(), &index, 8);
            views[k] = net_bytes_t{storage[k].data(), size};
        }
        const net_status_t s = mesh.stream_send(stream, std::span(views.data(), n));
        if (s == NET_OK) {
            i += n;
            last_progress = std::chrono::steady_clock::now();
        } else if (s == NET_E_WOULD_BLOCK) {
            if (std::chrono::steady_clock::now() - last_progress > patience) return false;
            std::this_thread::sleep_for(50us);
        } else {
            BOOST_TEST_MESSAGE("stream_send: " << net_status_name(s));
            return false;
        }
    }
    return true;
}

// A – B – C: A and C know each other's keys but have no address for each other.
void declare_relay_line(MeshLab& lab)
{
    for (const char* n : {"a", "b", "c"}) lab.add(n);
    lab.link("a", "b");
    lab.link("b", "c");
    lab.know("a", "c", false);
    lab.know("c", "a", false);
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_nodes_exchange_a_million_events_on_a_reliable_stream)
{
    TempDir dir;
    MeshLab lab(dir);
    lab.add("a");
    lab.add("b");
    lab.link("a", "b");
    auto a = lab.start("a");
    auto b = lab.start("b");
    Collector at_b(*b->mesh());
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(lab.address("b")); }, 5s));

    net_mesh_stream_t* stream = nullptr;
    BOOST_REQUIRE_EQUAL(a->mesh()->open_stream(lab.address("b"), "stream", stream), NET_OK);
    constexpr std::uint64_t total = 1'000'000;
    BOOST_REQUIRE(send_events(*a->mesh(), stream, 0, total, 16, 256));
    BOOST_REQUIRE(eventually([&] { return at_b.received() >= total; }, 60s));
    BOOST_TEST(at_b.received() == total);
    BOOST_TEST(at_b.out_of_order() == 0u);
    a->mesh()->stream_close(stream);
}

BOOST_AUTO_TEST_CASE(relay_forwards_without_holding_the_end_to_end_keys)
{
    TempDir dir;
    MeshLab lab(dir);
    declare_relay_line(lab);
    auto b = lab.start("b");
    auto a = lab.start("a");
    auto c = lab.start("c");
    Collector at_a(*a->mesh());
    Collector at_c(*c->mesh());
    // The session may come up (C initiated through B) a moment before C's pingwave reaches A.
    BOOST_REQUIRE(eventually([&] {
        return a->mesh()->has_session(lab.address("c")) && a->mesh()->route_to(lab.address("c")).has_value();
    }, 10s));
    const auto route = a->mesh()->route_to(lab.address("c"));
    BOOST_REQUIRE(route.has_value());
    BOOST_TEST(route->next_hop == lab.address("b"));
    BOOST_TEST(route->hops == 2u);
    // A's sessions: B directly, C through B; B's: its two neighbours (never A–C's).
    auto sorted = [](std::vector<std::uint64_t> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    BOOST_TEST(a->mesh()->established_peers() == sorted({lab.address("b"), lab.address("c")}));
    BOOST_TEST(b->mesh()->established_peers() == sorted({lab.address("a"), lab.address("c")}));

    const auto b_before = b->mesh()->counters();
    net_mesh_stream_t* ac = nullptr;
    BOOST_REQUIRE_EQUAL(a->mesh()->open_stream(lab.address("c"), "stream", ac), NET_OK);
    BOOST_REQUIRE(send_events(*a->mesh(), ac, 0, 2000, 100, 10));
    net_mesh_stream_t* ca = nullptr;
    BOOST_REQUIRE_EQUAL(c->mesh()->open_stream(lab.address("a"), "stream", ca), NET_OK);
    BOOST_REQUIRE(send_events(*c->mesh(), ca, 0, 2000, 100, 10));
    BOOST_REQUIRE(eventually([&] { return at_c.received() >= 2000 && at_a.received() >= 2000; }, 20s));
    BOOST_TEST(at_c.received() == 2000u);
    BOOST_TEST(at_a.received() == 2000u);
    BOOST_TEST(at_c.out_of_order() == 0u);
    BOOST_TEST(at_c.last_hops() == 1u);  // one relay
    BOOST_TEST(at_c.last_source() == lab.address("a"));

    const auto b_after = b->mesh()->counters();
    // B forwarded the end-to-end packets (at least one per 1374-byte packet of events, both ways)
    // and decrypted only its own sessions' control traffic (heartbeats, probes, pingwaves).
    const auto forwarded = b_after.packets_forwarded - b_before.packets_forwarded;
    const auto decrypted = b_after.packets_decrypted - b_before.packets_decrypted;
    BOOST_TEST(forwarded >= 2u * 2000u * 104u / 1374u);
    BOOST_TEST(decrypted < forwarded / 4);
    // B has sessions with its two neighbours only: the A–C handshake passed through it untouched.
    BOOST_TEST(b->mesh()->status()["peers"].size() == 2u);
    a->mesh()->stream_close(ac);
    c->mesh()->stream_close(ca);
}

BOOST_AUTO_TEST_CASE(reliable_stream_delivers_everything_in_order_under_loss_duplication_and_reordering)
{
    TempDir dir;
    MeshLab lab(dir);
    const nlohmann::json faults{{"seed", 7}, {"loss", 0.2}, {"duplicate", 0.05}, {"reorder", 0.1}};
    lab.add("a").transport_config["fault"] = faults;
    lab.add("b").transport_config["fault"] = faults;
    lab.spec("b").transport_config["fault"]["seed"] = 8;
    lab.link("a", "b");
    auto a = lab.start("a");
    auto b = lab.start("b");
    Collector at_b(*b->mesh());
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(lab.address("b")); }, 10s));
    net_mesh_stream_t* stream = nullptr;
    BOOST_REQUIRE_EQUAL(a->mesh()->open_stream(lab.address("b"), "stream", stream), NET_OK);
    constexpr std::uint64_t total = 20000;
    BOOST_REQUIRE(send_events(*a->mesh(), stream, 0, total, 64, 8, 30s));
    BOOST_REQUIRE(eventually([&] { return at_b.received() >= total; }, 60s));
    BOOST_TEST(at_b.received() == total);
    BOOST_TEST(at_b.out_of_order() == 0u);
    const auto status = a->mesh()->status();
    BOOST_REQUIRE(!status["streams"].empty());
    BOOST_TEST(status["streams"][0]["retransmits"].get<std::uint64_t>() > 0u);
    a->mesh()->stream_close(stream);
}

BOOST_AUTO_TEST_CASE(fire_and_forget_under_loss_never_stalls_and_loses_about_the_injected_share)
{
    TempDir dir;
    MeshLab lab(dir);
    lab.add("a");
    lab.add("b");
    lab.link("a", "b");
    auto b = lab.start("b");
    auto a = lab.start("a");
    Collector at_b(*b->mesh());
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(lab.address("b")); }, 10s));
    // Loss starts once the session is up (a transport's faults are fixed at start): A is
    // restarted with a lossy transport and the session re-forms before the measurement.
    a.reset();
    lab.spec("a").transport_config["fault"] = {{"seed", 11}, {"loss", 0.1}};
    a = lab.start("a");
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(lab.address("b")); }, 10s));
    net_mesh_stream_t* stream = nullptr;
    BOOST_REQUIRE_EQUAL(a->mesh()->open_stream(lab.address("b"), "fire", stream), NET_OK);
    constexpr std::uint64_t total = 10000;  // one event per packet
    const auto started = std::chrono::steady_clock::now();
    // Chunks of 100, each sent once B has taken in most of the previous ones: fire has no flow
    // control, and a receiver slowed down (sanitizers, a loaded machine) would otherwise lose
    // datagrams to a full socket on top of the injected loss being measured.
    constexpr std::uint64_t kChunk = 100;
    for (std::uint64_t first = 0; first < total; first += kChunk) {
        BOOST_REQUIRE(send_events(*a->mesh(), stream, first, kChunk, 200, 1, 5s));
        const double sent = static_cast<double>(first + kChunk);
        eventually([&] { return static_cast<double>(at_b.received()) >= sent * 0.85 - 50; }, 1s);
    }
    BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
    std::this_thread::sleep_for(300ms);
    const double delivered = static_cast<double>(at_b.received());
    // 10% loss, binomial sd = sqrt(10000 * 0.1 * 0.9) = 30: allow 6 sd.
    BOOST_TEST(delivered >= 9000 - 180);
    BOOST_TEST(delivered <= 9000 + 180);
    // A answered B's handshake while its answers could be lost: nothing it sent was sealed under
    // a session B does not hold (see test_mesh_lost_answers).
    BOOST_TEST(b->mesh()->counters().rejected_unknown_session == 0u);
    a->mesh()->stream_close(stream);
}

BOOST_AUTO_TEST_CASE(failed_relay_is_detected_its_routes_withdrawn_and_everything_recovers)
{
    TempDir dir;
    MeshLab lab(dir);
    declare_relay_line(lab);
    auto a = lab.start("a");
    auto b = lab.start("b");
    auto c = lab.start("c");
    const auto B = lab.address("b");
    const auto C = lab.address("c");
    BOOST_REQUIRE(eventually([&] { return a->mesh()->has_session(C) && a->mesh()->route_to(C).has_value(); }, 10s));

    b.reset();  // B stops
    const auto stopped = std::chrono::steady_clock::now();
    // Suspected after 2 missed 100 ms heartbeats, failed after the 1000 ms session timeout.
    BOOST_REQUIRE(eventually([&] { return a->mesh()->peer_health(B) == PeerHealth::suspected; }, 2s));
    const auto suspected_after = std::chrono::steady_clock::now() - stopped;
    BOOST_TEST_MESSAGE("suspected after " << std::chrono::duration_cast<std::chrono::milliseconds>(suspected_after).count() << " ms");
    BOOST_REQUIRE(eventually([&] { return a->mesh()->peer_health(B) == PeerHealth::failed; }, 3s));
    const auto failed_after = std::chrono::steady_clock::now() - stopped;
    BOOST_TEST_MESSAGE("failed after " << std::chrono::duration_cast<std::chrono::milliseconds>(failed_after).count() << " ms");
    BOOST_TEST((suspected_after >= 150ms));
    BOOST_TEST((suspected_after < 800ms));
    BOOST_TEST((failed_after >= 900ms));
    BOOST_TEST((failed_after < 2000ms));
    BOOST_TEST(!a->mesh()->route_to(B).has_value());
    BOOST_TEST(!a->mesh()->route_to(C).has_value());  // the route via B is withdrawn

    b = lab.start("b");  // B comes back with the same identity and port
    BOOST_REQUIRE(eventually([&] { return a->mesh()->peer_health(B) == PeerHealth::healthy; }, 10s));
    BOOST_REQUIRE(eventually([&] { return a->mesh()->route_to(C).has_value(); }, 10s));
    // C went silent while B was down: wait until A hears from it again, so a failure verdict still
    // pending for C cannot close the stream below.
    BOOST_REQUIRE(eventually([&] {
        return a->mesh()->has_session(C) && a->mesh()->peer_health(C) == PeerHealth::healthy;
    }, 10s));
    // ... and the end-to-end session re-formed through the restarted relay stays up for longer than
    // the session timeout. (It used to fail once more about a second later: a handshake still
    // retrying from before the outage got the cached answer for a session its peer had dropped.
    // "suspected" is allowed: on a loaded machine 200 ms of silence happens.)
    auto stays_up_for = [&](std::chrono::milliseconds span) {
        const auto until = std::chrono::steady_clock::now() + span;
        while (std::chrono::steady_clock::now() < until) {
            if (!a->mesh()->has_session(C) || a->mesh()->peer_health(C) == PeerHealth::failed) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    };
    BOOST_REQUIRE(stays_up_for(1500ms));
    Collector at_c(*c->mesh());
    net_mesh_stream_t* stream = nullptr;
    BOOST_REQUIRE_EQUAL(a->mesh()->open_stream(C, "stream", stream), NET_OK);
    BOOST_REQUIRE(send_events(*a->mesh(), stream, 0, 100, 32, 1));
    BOOST_TEST(eventually([&] { return at_c.received() == 100; }, 10s));
    a->mesh()->stream_close(stream);
}
