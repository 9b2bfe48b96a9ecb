// The real "fire" plugin, loaded through the kernel's PluginHost, over the simulated link.
#define BOOST_TEST_MODULE reliability_fire_plugin
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstring>
#include <thread>

#include "net_test_support.hpp"
#include "reliability_test_rig.hpp"

using namespace net::test;
using namespace std::chrono_literals;

namespace {

const std::string kLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-reliability-fire.so";

std::uint32_t read_u32_le(const std::uint8_t* p)
{
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_interface_says_mode_fire_without_the_reliable_flag)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    BOOST_TEST(plugin.iface().data_flags == 0u);
    BOOST_TEST(std::string(plugin.iface().mode(plugin.object())) == "fire");
}

BOOST_AUTO_TEST_CASE(events_are_packed_into_as_few_packets_as_fit_in_max_payload)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    Channel unused(Faults{});
    Endpoint e(unused, plugin, 100);
    e.capture_only = true;
    BOOST_REQUIRE_EQUAL(e.open(true), NET_OK);

    // 20 events of 10 bytes: 14 framed bytes each, 7 per 100-byte packet -> 7 + 7 + 6.
    std::vector<std::vector<std::uint8_t>> bodies;
    std::vector<net_bytes_t> events;
    for (std::uint8_t i = 0; i < 20; ++i) bodies.emplace_back(10, i);
    for (const auto& b : bodies) events.push_back(net_bytes_t{b.data(), b.size()});
    BOOST_REQUIRE_EQUAL(e.send(events), NET_OK);
    BOOST_REQUIRE_EQUAL(e.captured.size(), 3u);
    const std::uint16_t counts[] = {7, 7, 6};
    std::uint8_t expected_body = 0;
    for (std::size_t p = 0; p < 3; ++p) {
        const CopiedFrame& f = e.captured[p];
        BOOST_TEST(f.header.sequence == p);
        BOOST_TEST(f.header.flags == 0);
        BOOST_TEST(f.header.event_count == counts[p]);
        BOOST_TEST(f.payload.size() == counts[p] * 14u);
        BOOST_TEST(f.payload.size() <= 100u);
        for (std::size_t off = 0; off < f.payload.size(); off += 14) {
            BOOST_TEST(read_u32_le(&f.payload[off]) == 10u);
            BOOST_TEST(f.payload[off + 4] == expected_body);
            ++expected_body;
        }
    }

    // An event of max_payload - 4 fits alone; one byte more is refused and nothing is sent.
    std::vector<std::uint8_t> big(97, 0xEE);
    std::vector<net_bytes_t> refused{events[0], net_bytes_t{big.data(), 97}};
    BOOST_TEST(e.send(refused) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(e.captured.size() == 3u);
    std::vector<net_bytes_t> fits{net_bytes_t{big.data(), 96}};
    BOOST_TEST(e.send(fits) == NET_OK);
    BOOST_REQUIRE_EQUAL(e.captured.size(), 4u);
    BOOST_TEST(e.captured[3].payload.size() == 100u);

    const net_stream_stats_t s = e.stats();
    BOOST_TEST(s.events_sent == 21u);
    BOOST_TEST(s.packets_sent == 4u);
    BOOST_TEST(s.congestion_window == 0u);
    BOOST_TEST(s.rto_us == 0u);
    BOOST_TEST(s.credit_bytes == 0u);
}

BOOST_AUTO_TEST_CASE(under_loss_about_the_expected_share_arrives_and_nothing_stalls)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    StreamPair pair(plugin, Faults{0.20, 0.0, 0.0, 7}, 1200);
    std::atomic<std::uint64_t> delivered{0};
    pair.b.on_deliver_call([&](const net_bytes_t*, std::size_t n) { delivered.fetch_add(n); });
    NumberedEvents numbered;
    constexpr std::uint64_t kEvents = 200'000;
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t first = 0; first < kEvents; first += 100) {
        BOOST_REQUIRE_EQUAL(pair.a.send(numbered.make(first, 100)), NET_OK);  // never blocks
    }
    const auto send_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    // 2000 packets of 100 events, 20% lost: expect 160,000 delivered, allow +-5%.
    eventually([&] { return pair.b.stats().packets_received + pair.channel.dropped.load() >= 2000; });
    const std::uint64_t got = delivered.load();
    BOOST_TEST_MESSAGE("fire: sent " << kEvents << " events in " << send_ms << " ms, delivered " << got);
    BOOST_TEST(got >= 152'000u);
    BOOST_TEST(got <= 168'000u);
    BOOST_TEST(got % 100 == 0u, "packets are delivered whole");
    BOOST_TEST(pair.a.stats().packets_sent == 2000u);
    BOOST_TEST(pair.b.stats().events_delivered == got);
    BOOST_TEST(pair.a.stats().retransmits == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_payloads_are_dropped_and_counted)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    StreamPair pair(plugin, Faults{});
    std::atomic<std::uint64_t> delivered{0};
    pair.b.on_deliver_call([&](const net_bytes_t*, std::size_t n) { delivered.fetch_add(n); });
    const std::vector<std::uint8_t> truncated{0x10, 0x00, 0x00, 0x00, 0xAA};
    const std::vector<std::uint8_t> one_event{0x01, 0x00, 0x00, 0x00, 0xAA};
    auto frame = [](std::uint8_t flags, std::uint16_t count, const std::vector<std::uint8_t>& p) {
        net_stream_frame_t f{};
        f.flags = flags;
        f.event_count = count;
        f.payload = net_bytes_t{p.data(), p.size()};
        return f;
    };
    pair.b.receive(frame(0, 1, truncated));
    pair.b.receive(frame(0, 2, one_event));
    pair.b.receive(frame(0, 0, one_event));
    pair.b.receive(frame(NET_FRAME_NACK, 0, one_event));
    pair.b.receive(frame(NET_FRAME_RELIABLE, 1, one_event));
    BOOST_TEST(plugin.metric("malformed_packets") == 5);
    BOOST_TEST(delivered.load() == 0u);
    pair.b.receive(frame(0, 1, one_event));
    BOOST_TEST(delivered.load() == 1u);
}

BOOST_AUTO_TEST_CASE(idle_streams_close_and_the_least_recently_used_is_evicted)
{
    PluginUnderTest plugin(kLibrary, {{"idle_timeout_ms", 150}, {"max_streams", 2}});
    Channel nowhere(Faults{});
    nowhere.drop_everything = true;
    Endpoint s1(nowhere, plugin, 1200), s2(nowhere, plugin, 1200), s3(nowhere, plugin, 1200);
    BOOST_REQUIRE_EQUAL(s1.open(true), NET_OK);
    std::this_thread::sleep_for(2ms);
    BOOST_REQUIRE_EQUAL(s2.open(false), NET_OK);
    std::this_thread::sleep_for(2ms);
    NumberedEvents numbered;
    BOOST_REQUIRE_EQUAL(s1.send(numbered.make(0, 1)), NET_OK);
    BOOST_REQUIRE_EQUAL(s3.open(true), NET_OK);
    BOOST_TEST(s2.closed_count.load() == 1);
    BOOST_TEST(s2.closed_reason.load() == NET_E_CLOSED);
    BOOST_TEST(s2.closed_message.find("evicted") != std::string::npos, s2.closed_message);
    BOOST_TEST(s2.send(numbered.make(0, 1)) == NET_E_CLOSED);

    BOOST_TEST(eventually([&] { return s1.closed_count.load() == 1 && s3.closed_count.load() == 1; }));
    BOOST_TEST(s1.closed_reason.load() == NET_E_TIMEOUT);
    BOOST_TEST(s1.closed_message.find("idle") != std::string::npos, s1.closed_message);
    BOOST_TEST(s2.closed_count.load() == 1, "closed is called at most once");
    BOOST_TEST(plugin.metric("evicted_streams") == 1);
    BOOST_TEST(plugin.metric("idle_streams") == 2);
}
