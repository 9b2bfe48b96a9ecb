// The UDP transport plugin, loaded through the kernel's PluginHost, on real loopback sockets:
// datagrams of every size arrive intact from the right endpoint, GSO/GRO batches split into
// separate datagrams, the fault injector's loss/duplication/reordering/delay behave as documented
// and reproduce with the same seed, bad configs name their field, detach stops delivery, and
// stopping with datagrams held by the injector leaks no buffer.
#define BOOST_TEST_MODULE transport_udp
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/iface/transport.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"
#include "net/kernel/plugin_library.hpp"
#include "net_test_support.hpp"

namespace nk = net::kernel;
using net::test::eventually;
using namespace std::chrono_literals;

namespace {

const std::string kPlugin = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-transport-udp.so";
constexpr std::uint32_t kSmall = UINT32_MAX;  // the sequence number of a datagram too short to carry one

struct Kernel {
    std::ostringstream log;
    nk::Logger logger{log, NET_LOG_DEBUG};
    nk::EventLoop loop{2};
    nk::BufferPool buffers;
    nk::MetricsRegistry metrics;
    nk::HostServices services{loop, buffers, metrics, logger};
    Kernel() { loop.start(); }
};

nk::InstanceSpec udp(const std::string& name, nlohmann::json config = nlohmann::json::object())
{
    if (!config.contains("bind")) config["bind"] = "127.0.0.1:0";
    return nk::InstanceSpec{name, kPlugin, std::move(config), {}, {}, {}};
}

struct Transport {
    const net_transport_v1_t* vt = nullptr;
    void* object = nullptr;
    std::shared_ptr<nk::PluginLibrary> keepalive;

    net_endpoint_t local() const
    {
        net_endpoint_t e{};
        BOOST_REQUIRE_EQUAL(vt->local_endpoint(object, &e), NET_OK);
        return e;
    }
    net_transport_stats_t stats() const
    {
        net_transport_stats_t s{};
        s.struct_size = sizeof s;
        BOOST_REQUIRE_EQUAL(vt->stats(object, &s), NET_OK);
        return s;
    }
};

Transport transport_of(nk::PluginHost& host, const char* name)
{
    auto found = host.resolve_interface(name, NET_IFACE_TRANSPORT_V1);
    BOOST_REQUIRE(found.has_value());
    Transport t{static_cast<const net_transport_v1_t*>(found->vtable), found->object, found->keepalive};
    BOOST_REQUIRE(t.vt->struct_size >= sizeof(net_transport_v1_t));
    return t;
}

// Datagram `seq` of `len` bytes: the sequence number in the first 4 bytes, then a pattern of both.
void fill(net_buffer_t* b, std::uint32_t seq)
{
    if (b->len < 4) {
        for (std::size_t j = 0; j < b->len; ++j) b->data[j] = static_cast<std::uint8_t>(0xA0 + j);
        return;
    }
    std::memcpy(b->data, &seq, 4);
    for (std::size_t j = 4; j < b->len; ++j) b->data[j] = static_cast<std::uint8_t>(seq * 131 + j * 7);
}

// Returns the sequence number, kSmall for a short datagram, or nullopt when the bytes are wrong.
std::optional<std::uint32_t> check(const net_buffer_t* b)
{
    if (b->len < 4) {
        for (std::size_t j = 0; j < b->len; ++j) {
            if (b->data[j] != static_cast<std::uint8_t>(0xA0 + j)) return std::nullopt;
        }
        return kSmall;
    }
    std::uint32_t seq = 0;
    std::memcpy(&seq, b->data, 4);
    for (std::size_t j = 4; j < b->len; ++j) {
        if (b->data[j] != static_cast<std::uint8_t>(seq * 131 + j * 7)) return std::nullopt;
    }
    return seq;
}

bool same(const net_endpoint_t& a, const net_endpoint_t& b)
{
    return a.family == b.family && a.port == b.port &&
           std::memcmp(a.addr, b.addr, a.family == NET_ENDPOINT_IPV4 ? 4 : 16) == 0;
}

struct Received {
    std::uint32_t seq;
    std::size_t len;
    net_endpoint_t from;
    std::chrono::steady_clock::time_point at;
};

// The receive callback's target: checks and records every datagram, releases its buffer.
struct Inbox {
    std::mutex mutex;
    std::vector<Received> items;
    std::atomic<std::size_t> count{0};
    std::atomic<std::size_t> corrupt{0};
    std::atomic<std::size_t> calls{0};
    std::atomic<std::size_t> shared_storage{0};  // slices of a GRO-coalesced buffer

    static void on_receive(void* ctx, net_datagram_t* datagrams, std::size_t n)
    {
        auto* self = static_cast<Inbox*>(ctx);
        const auto now = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(self->mutex);
            for (std::size_t i = 0; i < n; ++i) {
                if (nk::BufferPool::storage_use_count(datagrams[i].buffer) > 1) self->shared_storage.fetch_add(1);
                const auto seq = check(datagrams[i].buffer);
                if (!seq) self->corrupt.fetch_add(1);
                self->items.push_back(Received{seq.value_or(0), datagrams[i].buffer->len, datagrams[i].peer, now});
                nk::BufferPool::release(datagrams[i].buffer);
            }
        }
        self->calls.fetch_add(1);
        self->count.fetch_add(n);
    }

    std::vector<Received> snapshot()
    {
        std::lock_guard lock(mutex);
        return items;
    }
};

struct Outgoing {
    std::uint32_t seq;
    std::size_t len;
};

// Sends every datagram in batches of `batch`, retrying what back-pressure refused. With `pace`,
// waits before each batch until that inbox is less than 512 datagrams behind, so that a receive
// buffer capped by net.core.rmem_max (when not run as root) does not overflow on loopback.
void send_all(Kernel& k, const Transport& from, const net_endpoint_t& to, const std::vector<Outgoing>& list,
              std::size_t batch = 64, Inbox* pace = nullptr)
{
    std::vector<net_datagram_t> datagrams;
    for (std::size_t first = 0; first < list.size(); first += batch) {
        if (pace != nullptr) {
            eventually([&] { return pace->count.load() + 512 >= from.stats().datagrams_sent; }, 5s);
        }
        const std::size_t n = std::min(batch, list.size() - first);
        datagrams.clear();
        for (std::size_t i = 0; i < n; ++i) {
            net_buffer_t* b = k.buffers.allocate(list[first + i].len);
            BOOST_REQUIRE(b != nullptr);
            fill(b, list[first + i].seq);
            datagrams.push_back(net_datagram_t{b, to});
        }
        std::size_t done = 0;
        for (int attempt = 0; done < n; ++attempt) {
            std::size_t sent = 0;
            const net_status_t s = from.vt->send_batch(from.object, datagrams.data() + done, n - done, &sent);
            done += sent;
            if (s == NET_E_WOULD_BLOCK) {
                BOOST_REQUIRE_MESSAGE(attempt < 1000, "the socket stayed full");
                std::this_thread::sleep_for(1ms);
                continue;
            }
            BOOST_REQUIRE_MESSAGE(s == NET_OK, "send_batch: " << net_status_name(s));
        }
        for (auto& d : datagrams) nk::BufferPool::release(d.buffer);
    }
}

std::vector<Outgoing> sequence(std::uint32_t count, std::size_t len)
{
    std::vector<Outgoing> out;
    for (std::uint32_t i = 0; i < count; ++i) out.push_back({i, len});
    return out;
}

// Sizes spread over 1..8192, every size class and both ends included.
std::vector<Outgoing> varying(std::uint32_t count)
{
    std::vector<Outgoing> out;
    for (std::uint32_t i = 0; i < count; ++i) out.push_back({i, 1 + (static_cast<std::size_t>(i) * 7919) % 8192});
    return out;
}

// Checks that exactly `sent` arrived, intact, from `from`, each sequence number once.
void expect_all_arrived(Inbox& inbox, const std::vector<Outgoing>& sent, const net_endpoint_t& from)
{
    BOOST_REQUIRE_MESSAGE(eventually([&] { return inbox.count.load() >= sent.size(); }, 10s),
                          "received " << inbox.count.load() << " of " << sent.size());
    std::this_thread::sleep_for(20ms);
    const auto items = inbox.snapshot();
    BOOST_TEST(items.size() == sent.size());
    BOOST_TEST(inbox.corrupt.load() == 0u);
    std::multiset<std::uint32_t> expected, got;
    for (const auto& o : sent) expected.insert(o.len < 4 ? kSmall : o.seq);
    std::size_t wrong_source = 0;
    for (const auto& r : items) {
        got.insert(r.seq);
        if (!same(r.from, from)) ++wrong_source;
    }
    BOOST_TEST((got == expected));
    BOOST_TEST(wrong_source == 0u);
}

std::size_t live_handles(Kernel& k) { return k.buffers.stats().live_handles; }

bool has_ipv6_loopback()
{
    const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_datagrams_of_every_size_arrive_intact_both_ways)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a"), udp("b")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    BOOST_TEST(a.vt->max_datagram(a.object) == 8192u);
    BOOST_TEST(a.local().family == NET_ENDPOINT_IPV4);
    BOOST_TEST(a.local().port != 0);

    Inbox at_a, at_b;
    BOOST_REQUIRE_EQUAL(a.vt->attach(a.object, &Inbox::on_receive, &at_a), NET_OK);
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &at_b), NET_OK);
    BOOST_TEST(b.vt->attach(b.object, &Inbox::on_receive, &at_b) == NET_E_ALREADY_EXISTS);

    const auto list = varying(10'000);
    send_all(k, a, b.local(), list, 64, &at_b);
    expect_all_arrived(at_b, list, a.local());
    send_all(k, b, a.local(), list, 256, &at_a);
    expect_all_arrived(at_a, list, b.local());

    const auto sa = a.stats();
    const auto sb = b.stats();
    BOOST_TEST(sa.datagrams_sent == 10'000u);
    BOOST_TEST(sb.datagrams_received == 10'000u);
    BOOST_TEST(sa.bytes_sent == sb.bytes_received);
    BOOST_TEST(sa.send_calls <= 10'000u / 64 + 1);
    BOOST_TEST(sb.receive_calls > 0u);
    BOOST_TEST(sa.send_errors == 0u);
    BOOST_TEST(k.metrics.find("a.datagrams_sent")->value.load() == 10'000);
    BOOST_TEST(k.metrics.find("b.bytes_received")->value.load() == static_cast<std::int64_t>(sb.bytes_received));
    BOOST_TEST_MESSAGE("send calls " << sa.send_calls << ", receive calls " << sb.receive_calls << ", callbacks "
                                     << at_b.calls.load());

    a.vt->detach(a.object);
    b.vt->detach(b.object);
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u, "every pool buffer came back");
}

BOOST_AUTO_TEST_CASE(same_size_runs_travel_as_gso_and_arrive_as_separate_datagrams)
{
    for (const bool offload : {true, false}) {
        Kernel k;
        nk::PluginHost host(k.services);
        host.load({udp("a", {{"gso", offload}, {"gro", offload}}), udp("b", {{"gso", offload}, {"gro", offload}})});
        host.start_all();
        const std::string log = k.log.str();
        BOOST_TEST(log.find(offload ? "gso on, gro on" : "gso off, gro off") != std::string::npos, log);
        const Transport a = transport_of(host, "a");
        const Transport b = transport_of(host, "b");
        Inbox inbox;
        BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
        const auto list = sequence(640, 1200);
        send_all(k, a, b.local(), list);
        expect_all_arrived(inbox, list, a.local());
        for (const auto& r : inbox.snapshot()) BOOST_TEST_REQUIRE(r.len == 1200u);
        BOOST_TEST(b.stats().datagrams_received == 640u);
        BOOST_TEST_MESSAGE("gso/gro " << (offload ? "on" : "off") << ": " << a.stats().send_calls << " sendmmsg, "
                                      << b.stats().receive_calls << " recvmmsg, " << inbox.calls.load()
                                      << " callbacks for 640 datagrams, " << inbox.shared_storage.load()
                                      << " delivered as slices of a coalesced buffer");
        if (offload) {
            BOOST_TEST(inbox.shared_storage.load() > 0u, "GRO coalesced same-size runs, split into slices");
        } else {
            BOOST_TEST(inbox.shared_storage.load() == 0u);
        }
        b.vt->detach(b.object);
        host.stop_all();
        BOOST_TEST(live_handles(k) == 0u);
    }
}

BOOST_AUTO_TEST_CASE(oversized_datagrams_and_unset_endpoints_are_refused)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    net_buffer_t* big = k.buffers.allocate(8193);
    net_buffer_t* ok = k.buffers.allocate(8192);
    fill(ok, 1);
    net_datagram_t batch[2] = {{ok, a.local()}, {big, a.local()}};
    std::size_t sent = 99;
    BOOST_TEST(a.vt->send_batch(a.object, batch, 2, &sent) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(sent == 0u);
    net_datagram_t unset{ok, net_endpoint_t{}};
    BOOST_TEST(a.vt->send_batch(a.object, &unset, 1, &sent) == NET_E_INVALID_ARGUMENT);
    net_endpoint_t v6 = a.local();
    v6.family = NET_ENDPOINT_IPV6;
    net_datagram_t wrong_family{ok, v6};
    BOOST_TEST(a.vt->send_batch(a.object, &wrong_family, 1, &sent) == NET_E_INVALID_ARGUMENT,
               "an IPv4 socket cannot reach an IPv6 endpoint");
    BOOST_TEST(a.vt->send_batch(a.object, batch, 1, &sent) == NET_OK);
    BOOST_TEST(sent == 1u);
    BOOST_TEST(eventually([&] { return a.stats().receive_truncated == 0 && a.stats().datagrams_sent == 1; }));
    nk::BufferPool::release(big);
    nk::BufferPool::release(ok);
    host.stop_all();
}

BOOST_AUTO_TEST_CASE(datagrams_over_8192_bytes_are_dropped_and_counted)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    Inbox inbox;
    BOOST_REQUIRE_EQUAL(a.vt->attach(a.object, &Inbox::on_receive, &inbox), NET_OK);
    // A raw socket sends what the transport itself refuses to.
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(a.local().port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<char> big(9000, 'x');
    ::sendto(fd, big.data(), big.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::sendto(fd, big.data(), 100, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(fd);
    BOOST_TEST(eventually([&] { return inbox.count.load() == 1; }));
    BOOST_TEST(a.stats().receive_truncated == 1u);
    BOOST_TEST(inbox.snapshot().at(0).len == 100u);
    a.vt->detach(a.object);
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u);
}

BOOST_AUTO_TEST_CASE(ipv6_loopback_works)
{
    if (!has_ipv6_loopback()) {
        BOOST_TEST_MESSAGE("skipped: this machine has no IPv6 loopback ([::1])");
        return;
    }
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a", {{"bind", "[::1]:0"}}), udp("b", {{"bind", "[::1]:0"}})});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    BOOST_TEST(a.local().family == NET_ENDPOINT_IPV6);
    BOOST_TEST(a.local().addr[15] == 1);
    Inbox inbox;
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
    const auto list = varying(1000);
    send_all(k, a, b.local(), list, 64, &inbox);
    expect_all_arrived(inbox, list, a.local());
    b.vt->detach(b.object);
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u);
}

BOOST_AUTO_TEST_CASE(loss_drops_within_a_binomial_bound)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a", {{"fault", {{"seed", 7}, {"loss", 0.2}}}}), udp("b")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    Inbox inbox;
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
    constexpr double n = 20'000, p = 0.2;
    send_all(k, a, b.local(), sequence(20'000, 64), 256, &inbox);
    const auto drops = a.stats().injected_drops;
    BOOST_TEST(eventually([&] { return inbox.count.load() == 20'000 - drops; }, 5s));
    const double sigma = std::sqrt(n * p * (1 - p));
    const double received = static_cast<double>(inbox.count.load());
    BOOST_TEST(std::abs(received - n * (1 - p)) < 5 * sigma, "received " << received);
    BOOST_TEST(k.metrics.find("a.injected_drops")->value.load() == static_cast<std::int64_t>(drops));
    BOOST_TEST_MESSAGE("loss 0.2: " << received << " of 20000 arrived (expected 16000 +- " << 5 * sigma << ")");
    b.vt->detach(b.object);
    host.stop_all();
}

BOOST_AUTO_TEST_CASE(duplication_adds_copies_within_a_binomial_bound)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a", {{"fault", {{"seed", 3}, {"duplicate", 0.1}}}}), udp("b")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    Inbox inbox;
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
    constexpr double n = 5'000, p = 0.1;
    send_all(k, a, b.local(), sequence(5'000, 100), 64, &inbox);
    const auto dups = a.stats().injected_duplicates;
    BOOST_TEST(eventually([&] { return inbox.count.load() == 5'000 + dups; }, 5s));
    const double sigma = std::sqrt(n * p * (1 - p));
    BOOST_TEST(std::abs(static_cast<double>(dups) - n * p) < 5 * sigma, "duplicates " << dups);
    std::set<std::uint32_t> distinct;
    for (const auto& r : inbox.snapshot()) distinct.insert(r.seq);
    BOOST_TEST(distinct.size() == 5'000u, "every datagram arrived at least once");
    b.vt->detach(b.object);
    host.stop_all();
}

BOOST_AUTO_TEST_CASE(reordering_changes_the_order_but_loses_nothing)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a", {{"fault", {{"seed", 11}, {"reorder", 0.1}}}}), udp("b")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    Inbox inbox;
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
    const auto list = sequence(2'000, 200);
    send_all(k, a, b.local(), list, 50, &inbox);
    expect_all_arrived(inbox, list, a.local());
    std::size_t inversions = 0;
    const auto items = inbox.snapshot();
    for (std::size_t i = 1; i < items.size(); ++i) inversions += items[i].seq < items[i - 1].seq ? 1 : 0;
    BOOST_TEST(inversions > 50u, "inversions " << inversions);
    BOOST_TEST(a.stats().injected_reorders > 0u);
    b.vt->detach(b.object);
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u);
}

BOOST_AUTO_TEST_CASE(delay_holds_every_datagram_for_delay_ms)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a", {{"fault", {{"delay_ms", 50}}}}), udp("b")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    Inbox inbox;
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
    const auto list = sequence(100, 300);
    const auto before = std::chrono::steady_clock::now();
    send_all(k, a, b.local(), list);
    expect_all_arrived(inbox, list, a.local());
    auto earliest = std::chrono::steady_clock::time_point::max();
    for (const auto& r : inbox.snapshot()) earliest = std::min(earliest, r.at);
    const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(earliest - before);
    BOOST_TEST(waited >= 50ms, "first arrival after " << waited.count() << " us");
    BOOST_TEST(a.stats().injected_delays == 100u);
    b.vt->detach(b.object);
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u);
}

BOOST_AUTO_TEST_CASE(the_same_seed_reproduces_the_same_drop_pattern)
{
    const auto survivors = [](std::uint64_t seed) {
        Kernel k;
        nk::PluginHost host(k.services);
        host.load({udp("a", {{"fault", {{"seed", seed}, {"loss", 0.3}}}}), udp("b")});
        host.start_all();
        const Transport a = transport_of(host, "a");
        const Transport b = transport_of(host, "b");
        Inbox inbox;
        BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
        send_all(k, a, b.local(), sequence(2'000, 32), 64, &inbox);
        const auto expected = 2'000 - a.stats().injected_drops;
        BOOST_TEST(eventually([&] { return inbox.count.load() == expected; }));
        std::set<std::uint32_t> seqs;
        for (const auto& r : inbox.snapshot()) seqs.insert(r.seq);
        b.vt->detach(b.object);
        host.stop_all();
        return seqs;
    };
    const auto first = survivors(1234);
    const auto again = survivors(1234);
    const auto other = survivors(4321);
    BOOST_TEST(first.size() > 1'000u);
    BOOST_TEST((first == again), "same seed, same survivors");
    BOOST_TEST((first != other), "another seed, other survivors");
}

BOOST_AUTO_TEST_CASE(bad_configs_name_the_field)
{
    Kernel k;
    const auto start_error = [&](nlohmann::json config) -> std::string {
        nk::PluginHost host(k.services);
        try {
            host.load({udp("bad", std::move(config))});
            host.start_all();
        } catch (const std::exception& e) {
            return e.what();
        }
        return "(accepted)";
    };
    std::string e = start_error({{"bind", "127.0.0.1:99999"}});
    BOOST_TEST(e.find("bind \"127.0.0.1:99999\": port out of range") != std::string::npos, e);
    BOOST_TEST(e.find("NET_E_CONFIG") != std::string::npos, e);
    e = start_error({{"bind", "localhost:80"}});
    BOOST_TEST(e.find("bind \"localhost:80\": \"localhost\" is not a numeric IPv4 address") != std::string::npos, e);
    e = start_error({{"bind", "::1:80"}});
    BOOST_TEST(e.find("bind \"::1:80\"") != std::string::npos, e);
    e = start_error({{"bind", "[::1]"}});
    BOOST_TEST(e.find("bind \"[::1]\"") != std::string::npos, e);
    e = start_error({{"fault", {{"loss", 1.5}}}});
    BOOST_TEST(e.find("/config/fault/loss") != std::string::npos, e);
    e = start_error({{"batch", 5000}});
    BOOST_TEST(e.find("/config/batch") != std::string::npos, e);
    e = start_error({{"busy_poll_us", 20000}});
    BOOST_TEST(e.find("/config/busy_poll_us") != std::string::npos, e);
    e = start_error({{"gso", "yes"}});
    BOOST_TEST(e.find("/config/gso") != std::string::npos, e);
    e = start_error({{"fault", {{"lose", 0.1}}}});
    BOOST_TEST(e.find("lose") != std::string::npos, e);

    // A port already taken is a start failure naming the address.
    nk::PluginHost first(k.services);
    first.load({udp("first")});
    first.start_all();
    const auto port = transport_of(first, "first").local().port;
    const std::string taken = "127.0.0.1:" + std::to_string(port);
    e = start_error({{"bind", taken}});
    BOOST_TEST(e.find("bind \"" + taken + "\": Address already in use") != std::string::npos, e);
    first.stop_all();
}

BOOST_AUTO_TEST_CASE(request_and_response_work_with_busy_polling_on_and_off_and_stop_is_prompt)
{
    for (const int busy_poll_us : {0, 50, 10000}) {
        Kernel k;
        nk::PluginHost host(k.services);
        host.load({udp("a", {{"busy_poll_us", busy_poll_us}}), udp("b", {{"busy_poll_us", busy_poll_us}})});
        host.start_all();
        const Transport a = transport_of(host, "a");
        const Transport b = transport_of(host, "b");
        Inbox at_a, at_b;
        BOOST_REQUIRE_EQUAL(a.vt->attach(a.object, &Inbox::on_receive, &at_a), NET_OK);
        BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &at_b), NET_OK);
        // One datagram at a time each way, each waiting for the previous one to arrive: the
        // receive threads alternate between blocking and (when enabled) polling.
        for (std::uint32_t i = 0; i < 200; ++i) {
            send_all(k, a, b.local(), {Outgoing{i, 64}});
            BOOST_REQUIRE(eventually([&] { return at_b.count.load() == i + 1; }, 5s));
            send_all(k, b, a.local(), {Outgoing{i, 64}});
            BOOST_REQUIRE(eventually([&] { return at_a.count.load() == i + 1; }, 5s));
        }
        BOOST_TEST(at_a.corrupt.load() == 0u);
        BOOST_TEST(at_b.corrupt.load() == 0u);
        a.vt->detach(a.object);
        b.vt->detach(b.object);
        // Stop wakes the receive threads at once (they block in recvmmsg, or are polling).
        const auto t0 = std::chrono::steady_clock::now();
        host.stop_all();
        const auto took = std::chrono::steady_clock::now() - t0;
        BOOST_TEST(took < 150ms, "stop took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                              << " ms with busy_poll_us " << busy_poll_us);
        BOOST_TEST(live_handles(k) == 0u);
    }
}

BOOST_AUTO_TEST_CASE(after_detach_no_callback_runs)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("a"), udp("b")});
    host.start_all();
    const Transport a = transport_of(host, "a");
    const Transport b = transport_of(host, "b");
    Inbox inbox;
    b.vt->detach(b.object);  // a no-op when nothing is attached
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &inbox), NET_OK);
    send_all(k, a, b.local(), sequence(100, 50));
    BOOST_TEST(eventually([&] { return inbox.count.load() == 100; }));
    b.vt->detach(b.object);
    const std::size_t calls = inbox.calls.load();
    send_all(k, a, b.local(), sequence(100, 50));
    nk::Metric* dropped = k.metrics.find("b.receive_dropped_unattached");
    BOOST_REQUIRE(dropped != nullptr);
    BOOST_TEST(eventually([&] { return dropped->value.load() == 100; }));
    BOOST_TEST(inbox.calls.load() == calls);
    BOOST_TEST(inbox.count.load() == 100u);

    Inbox again;  // attach works again after detach
    BOOST_REQUIRE_EQUAL(b.vt->attach(b.object, &Inbox::on_receive, &again), NET_OK);
    send_all(k, a, b.local(), sequence(10, 50));
    BOOST_TEST(eventually([&] { return again.count.load() == 10; }));
    b.vt->detach(b.object);
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u);
}

BOOST_AUTO_TEST_CASE(stop_releases_datagrams_the_injector_holds)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({udp("delayed", {{"fault", {{"delay_ms", 10'000}, {"duplicate", 0.5}}}}),
               udp("reordered", {{"fault", {{"reorder", 1.0}}}}), udp("sink")});
    host.start_all();
    const Transport delayed = transport_of(host, "delayed");
    const Transport reordered = transport_of(host, "reordered");
    const Transport sink = transport_of(host, "sink");
    send_all(k, delayed, sink.local(), sequence(500, 100));
    send_all(k, reordered, sink.local(), sequence(1, 100));  // one datagram held, nothing follows it
    BOOST_TEST(delayed.stats().injected_delays == 500u);
    BOOST_TEST(live_handles(k) > 500u, "the injector keeps references");
    host.stop_all();
    BOOST_TEST(live_handles(k) == 0u, "stop released every held buffer");
    for (const char* name : {"delayed", "reordered", "sink"}) {
        BOOST_TEST(host.find(name)->buffer_refs_outstanding() == 0, name);
    }
    BOOST_TEST(k.loop.active_timers() == 0u);
}

BOOST_AUTO_TEST_CASE(interface_rules_before_start_and_stats_size)
{
    Kernel k;
    auto library = nk::PluginLibrary::load(kPlugin);
    nk::PluginInstance instance("early", library, k.services);
    instance.create(nlohmann::json{{"bind", "127.0.0.1:0"}});
    const auto* vt = static_cast<const net_transport_v1_t*>(instance.get_interface(NET_IFACE_TRANSPORT_V1));
    BOOST_REQUIRE(vt != nullptr);
    void* object = instance.handle();
    net_endpoint_t e{};
    BOOST_TEST(vt->local_endpoint(object, &e) == NET_E_BAD_STATE);
    Inbox inbox;
    BOOST_TEST(vt->attach(object, &Inbox::on_receive, &inbox) == NET_E_BAD_STATE);
    instance.start();
    BOOST_TEST(vt->local_endpoint(object, &e) == NET_OK);

    // An older caller's smaller struct: nothing past its struct_size is written.
    net_transport_stats_t s;
    std::memset(&s, 0xAB, sizeof s);
    s.struct_size = offsetof(net_transport_stats_t, send_calls);
    BOOST_TEST(vt->stats(object, &s) == NET_OK);
    BOOST_TEST(s.datagrams_sent == 0u);
    BOOST_TEST(s.send_calls == 0xABABABABABABABABull);
    BOOST_TEST(s.struct_size == offsetof(net_transport_stats_t, send_calls));
    instance.stop();
    instance.destroy();
    BOOST_TEST(instance.buffer_refs_outstanding() == 0);
}
