// The real "stream" plugin, loaded through the kernel's PluginHost, with two stream objects joined
// by a simulated link (reliability_test_rig.hpp).
#define BOOST_TEST_MODULE reliability_stream_plugin
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

#include "net_test_support.hpp"
#include "reliability_test_rig.hpp"

using namespace net::test;
using namespace std::chrono_literals;

namespace {

const std::string kLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-reliability-stream.so";

// Sends events [0, total) in batches, retrying on back-pressure; fails the test on other errors.
void send_numbered(Endpoint& sender, std::uint64_t total, std::size_t batch,
                   std::chrono::milliseconds limit = 20000ms, Endpoint* receiver = nullptr)
{
    NumberedEvents numbered;
    const auto end = std::chrono::steady_clock::now() + limit;
    for (std::uint64_t first = 0; first < total;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(batch, total - first));
        const net_status_t s = sender.send(numbered.make(first, n));
        if (s == NET_OK) {
            first += n;
        } else {
            BOOST_REQUIRE_MESSAGE(s == NET_E_WOULD_BLOCK, "stream_send returned " << s << " at event " << first << ": "
                                                           << sender.closed_message);
            if (std::chrono::steady_clock::now() >= end) {
                const net_stream_stats_t st = sender.stats();
                if (receiver != nullptr) {
                    const net_stream_stats_t r = receiver->stats();
                    BOOST_TEST_MESSAGE("receiver: received " << r.packets_received << ", delivered " << r.events_delivered
                                       << ", duplicates " << r.duplicates << ", NACKs sent " << r.nacks_sent);
                }
                BOOST_FAIL("sender stalled at event " << first << ": in flight " << st.bytes_in_flight << " B, credit "
                                                      << st.credit_bytes << " B, cwnd " << st.congestion_window
                                                      << ", rto " << st.rto_us << " us, srtt " << st.rtt_us << " us, sent " << st.packets_sent
                                                      << ", retransmits " << st.retransmits << ", NACKs received "
                                                      << st.nacks_received);
            }
            std::this_thread::sleep_for(100us);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_interface_says_mode_stream_with_the_reliable_flag)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    BOOST_TEST(plugin.iface().struct_size == sizeof(net_reliability_v1_t));
    BOOST_TEST(plugin.iface().data_flags == NET_FRAME_RELIABLE);
    BOOST_TEST(std::string(plugin.iface().mode(plugin.object())) == "stream");
}

BOOST_AUTO_TEST_CASE(a_million_events_on_a_clean_link_arrive_once_in_order)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());  // default 256 KiB credit window
    StreamPair pair(plugin, Faults{});
    OrderChecker order;
    pair.b.on_deliver_call([&](const net_bytes_t* e, std::size_t n) { order(e, n); });
    const auto start = std::chrono::steady_clock::now();
    send_numbered(pair.a, 1'000'000, 4096);
    BOOST_TEST(eventually([&] { return order.next.load() == 1'000'000u; }, 20000ms));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    BOOST_TEST_MESSAGE("1,000,000 events in " << ms.count() << " ms");
    BOOST_TEST(order.out_of_order.load() == 0u);
    BOOST_TEST(eventually([&] { return pair.a.stats().bytes_in_flight == 0; }));
    const net_stream_stats_t sent = pair.a.stats();
    const net_stream_stats_t got = pair.b.stats();
    BOOST_TEST(sent.events_sent == 1'000'000u);
    BOOST_TEST(got.events_delivered == 1'000'000u);
    BOOST_TEST(got.packets_received == sent.packets_sent);
    // Nothing is lost; a retransmission can only come from a timer beating a starved receive
    // thread on a loaded machine.
    BOOST_TEST(sent.retransmits <= sent.packets_sent / 100);
    BOOST_TEST(pair.a.closed_count.load() == 0);
}

BOOST_AUTO_TEST_CASE(loss_duplication_and_reordering_still_deliver_everything_in_order)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    StreamPair pair(plugin, Faults{0.20, 0.05, 0.10, 42});
    OrderChecker order;
    pair.b.on_deliver_call([&](const net_bytes_t* e, std::size_t n) { order(e, n); });
    const auto start = std::chrono::steady_clock::now();
    constexpr std::uint64_t kEvents = 100'000;
    send_numbered(pair.a, kEvents, 200, 20000ms, &pair.b);
    BOOST_TEST(eventually([&] { return order.next.load() == kEvents; }, 20000ms));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    // Everything acknowledged: no resend can happen between the stats and the metric read below.
    BOOST_TEST(eventually([&] { return pair.a.stats().bytes_in_flight == 0; }, 10000ms));
    const net_stream_stats_t sent = pair.a.stats();
    const net_stream_stats_t got = pair.b.stats();
    BOOST_TEST_MESSAGE("lossy: " << kEvents << " events in " << ms.count() << " ms, " << sent.packets_sent
                                 << " packets, " << sent.retransmits << " retransmits, " << got.duplicates
                                 << " duplicates, " << got.nacks_sent << " NACKs, cwnd " << sent.congestion_window
                                 << ", rto " << sent.rto_us << " us");
    BOOST_TEST(order.out_of_order.load() == 0u);
    BOOST_TEST(got.events_delivered == kEvents);
    BOOST_TEST(sent.retransmits > 0u);
    BOOST_TEST(got.duplicates > 0u);
    BOOST_TEST(got.nacks_sent > 0u);
    BOOST_TEST(sent.nacks_received > 0u);
    BOOST_TEST(plugin.metric("retransmits") == static_cast<std::int64_t>(sent.retransmits));
    BOOST_TEST(pair.a.closed_count.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_receiver_that_stops_consuming_pushes_back_within_the_credit_window)
{
    constexpr std::uint64_t kWindow = 16384;
    PluginUnderTest plugin(kLibrary, {{"credit_window_bytes", kWindow}});
    StreamPair pair(plugin, Faults{});
    std::mutex m;
    std::condition_variable cv;
    bool paused = true;
    OrderChecker order;
    pair.b.on_deliver_call([&](const net_bytes_t* e, std::size_t n) {
        order(e, n);
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return !paused; });  // the application is busy: nothing is consumed
    });

    NumberedEvents numbered;
    std::uint64_t accepted = 0;
    std::uint64_t refused = 0;
    std::uint64_t max_in_flight = 0;
    for (int i = 0; i < 2000 && refused < 50; ++i) {
        const net_status_t s = pair.a.send(numbered.make(accepted, 10));
        if (s == NET_OK) {
            accepted += 10;
        } else {
            BOOST_REQUIRE_EQUAL(s, NET_E_WOULD_BLOCK);
            ++refused;
            std::this_thread::sleep_for(1ms);
        }
        max_in_flight = std::max(max_in_flight, pair.a.stats().bytes_in_flight);
    }
    const net_stream_stats_t blocked = pair.a.stats();
    BOOST_TEST(refused >= 50u, "the sender must be refused once the credit is used up");
    BOOST_TEST(blocked.backpressure == refused);
    BOOST_TEST(max_in_flight <= kWindow);
    BOOST_TEST(accepted * 12 <= kWindow, "accepted " << accepted * 12 << " payload bytes with a window of " << kWindow);
    BOOST_TEST(blocked.credit_bytes < 120u);

    {
        std::lock_guard lock(m);
        paused = false;
    }
    cv.notify_all();
    // Credit comes back as the receiver consumes: the sender finishes another 50,000 events.
    std::uint64_t total = accepted;
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (total < accepted + 50'000 && std::chrono::steady_clock::now() < end) {
        const net_status_t s = pair.a.send(numbered.make(total, 100));
        if (s == NET_OK) total += 100;
        else std::this_thread::sleep_for(100us);
        max_in_flight = std::max(max_in_flight, pair.a.stats().bytes_in_flight);
    }
    BOOST_TEST(total == accepted + 50'000);
    BOOST_TEST(eventually([&] { return order.next.load() == total; }));
    BOOST_TEST(order.out_of_order.load() == 0u);
    BOOST_TEST(max_in_flight <= kWindow);
}

BOOST_AUTO_TEST_CASE(a_dead_link_resets_the_stream_after_max_retries)
{
    PluginUnderTest plugin(kLibrary, {{"rto_initial_ms", 10}, {"rto_min_ms", 10}, {"rto_max_ms", 40}, {"max_retries", 4}});
    StreamPair pair(plugin, Faults{});
    pair.channel.drop_everything = true;
    NumberedEvents numbered;
    const auto start = std::chrono::steady_clock::now();
    BOOST_REQUIRE_EQUAL(pair.a.send(numbered.make(0, 10)), NET_OK);
    BOOST_TEST(eventually([&] { return pair.a.closed_count.load() == 1; }, 5000ms));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    BOOST_TEST_MESSAGE("reset after " << ms.count() << " ms: " << pair.a.closed_message);
    BOOST_TEST(pair.a.closed_reason.load() == NET_E_TIMEOUT);
    BOOST_TEST(pair.a.closed_message.find("after 4 retransmission timeouts") != std::string::npos, pair.a.closed_message);
    BOOST_TEST(pair.a.stats().retransmits == 4u);
    // 10 + 20 + 40 + 40 + 40 ms of timeouts at least
    BOOST_TEST(ms.count() >= 140);
    BOOST_TEST(pair.a.send(numbered.make(10, 1)) == NET_E_CLOSED);
    BOOST_TEST(plugin.metric("stream_resets") == 1);
    std::this_thread::sleep_for(30ms);
    BOOST_TEST(pair.a.closed_count.load() == 1, "closed is called once");
}

BOOST_AUTO_TEST_CASE(a_reset_reaches_the_peer_as_closed)
{
    PluginUnderTest plugin(kLibrary, {{"rto_initial_ms", 10}, {"rto_max_ms", 40}, {"max_retries", 1}});
    StreamPair pair(plugin, Faults{});
    pair.channel.drop_everything = true;
    NumberedEvents numbered;
    BOOST_REQUIRE_EQUAL(pair.a.send(numbered.make(0, 1)), NET_OK);
    // The first transmission and the one retransmission are lost; then the link heals, so the
    // reset the sender emits when its timer fires again reaches the peer.
    BOOST_REQUIRE(eventually([&] { return pair.a.stats().retransmits == 1; }));
    pair.channel.drop_everything = false;
    BOOST_TEST(eventually([&] { return pair.a.closed_count.load() == 1 && pair.b.closed_count.load() == 1; }));
    BOOST_TEST(pair.a.closed_reason.load() == NET_E_TIMEOUT);
    BOOST_TEST(pair.b.closed_reason.load() == NET_E_CLOSED);
    BOOST_TEST(pair.b.closed_message == "the peer reset the stream");
    BOOST_TEST(pair.b.stats().events_delivered == 0u);
}

BOOST_AUTO_TEST_CASE(an_idle_stream_is_closed_with_a_timeout)
{
    PluginUnderTest plugin(kLibrary, {{"idle_timeout_ms", 100}});
    StreamPair pair(plugin, Faults{});
    NumberedEvents numbered;
    const auto start = std::chrono::steady_clock::now();
    BOOST_REQUIRE_EQUAL(pair.a.send(numbered.make(0, 1)), NET_OK);
    BOOST_TEST(eventually([&] { return pair.a.closed_count.load() == 1 && pair.b.closed_count.load() == 1; }));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    BOOST_TEST(ms.count() >= 100);
    BOOST_TEST(pair.a.closed_reason.load() == NET_E_TIMEOUT);
    BOOST_TEST(pair.a.closed_message.find("idle") != std::string::npos, pair.a.closed_message);
    BOOST_TEST(pair.a.send(numbered.make(1, 1)) == NET_E_CLOSED);
    BOOST_TEST(plugin.metric("idle_streams") == 2);
}

BOOST_AUTO_TEST_CASE(opening_past_max_streams_evicts_the_least_recently_used)
{
    PluginUnderTest plugin(kLibrary, {{"max_streams", 3}});
    Channel nowhere(Faults{});
    nowhere.drop_everything = true;
    Endpoint s1(nowhere, plugin, 1200), s2(nowhere, plugin, 1200), s3(nowhere, plugin, 1200), s4(nowhere, plugin, 1200),
        s5(nowhere, plugin, 1200);
    BOOST_REQUIRE_EQUAL(s1.open(true), NET_OK);
    std::this_thread::sleep_for(2ms);
    BOOST_REQUIRE_EQUAL(s2.open(true), NET_OK);
    std::this_thread::sleep_for(2ms);
    BOOST_REQUIRE_EQUAL(s3.open(false), NET_OK);
    std::this_thread::sleep_for(2ms);
    NumberedEvents numbered;
    BOOST_REQUIRE_EQUAL(s1.send(numbered.make(0, 1)), NET_OK);  // s1 is now the most recently used
    BOOST_REQUIRE_EQUAL(s4.open(true), NET_OK);
    BOOST_TEST(s2.closed_count.load() == 1);
    BOOST_TEST(s2.closed_reason.load() == NET_E_CLOSED);
    BOOST_TEST(s2.closed_message.find("evicted") != std::string::npos, s2.closed_message);
    BOOST_TEST(s1.closed_count.load() == 0);
    BOOST_TEST(s3.closed_count.load() == 0);
    BOOST_TEST(s2.send(numbered.make(1, 1)) == NET_E_CLOSED);
    s2.destroy();  // the kernel destroys a closed stream; it no longer counts
    std::this_thread::sleep_for(2ms);
    BOOST_REQUIRE_EQUAL(s5.open(true), NET_OK);
    BOOST_TEST(s3.closed_count.load() == 1, "s3 was the least recently used of s1, s3, s4");
    BOOST_TEST(s1.closed_count.load() == 0);
    BOOST_TEST(s4.closed_count.load() == 0);
    BOOST_TEST(plugin.metric("evicted_streams") == 2);
}

BOOST_AUTO_TEST_CASE(malformed_packets_are_dropped_and_counted)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    StreamPair pair(plugin, Faults{});
    OrderChecker order;
    pair.b.on_deliver_call([&](const net_bytes_t* e, std::size_t n) { order(e, n); });

    const std::vector<std::uint8_t> short_ack{0x01, 0x00, 0x00};
    const std::vector<std::uint8_t> unknown_kind(17, 0x7f);
    const std::vector<std::uint8_t> truncated_event{0x10, 0x00, 0x00, 0x00, 0xAA};       // says 16 bytes, has 1
    const std::vector<std::uint8_t> trailing_bytes{0x01, 0x00, 0x00, 0x00, 0xAA, 0xBB};  // 1 event + junk
    const std::vector<std::uint8_t> huge_length{0xFF, 0xFF, 0xFF, 0xFF};
    auto frame = [](std::uint8_t flags, std::uint64_t seq, std::uint16_t count, const std::vector<std::uint8_t>& p) {
        net_stream_frame_t f{};
        f.flags = flags;
        f.sequence = seq;
        f.event_count = count;
        f.payload = net_bytes_t{p.data(), p.size()};
        return f;
    };
    pair.b.receive(frame(NET_FRAME_NACK, 0, 0, short_ack));
    pair.b.receive(frame(NET_FRAME_NACK, 0, 0, unknown_kind));
    pair.b.receive(frame(NET_FRAME_RELIABLE, 0, 1, truncated_event));
    pair.b.receive(frame(NET_FRAME_RELIABLE, 0, 1, trailing_bytes));
    pair.b.receive(frame(NET_FRAME_RELIABLE, 0, 1, huge_length));
    pair.b.receive(frame(NET_FRAME_RELIABLE, 0, 3, trailing_bytes));  // count larger than the payload holds
    pair.b.receive(frame(0, 0, 1, trailing_bytes));                   // data without the reliable flag
    net_stream_frame_t null_payload = frame(NET_FRAME_NACK, 0, 0, short_ack);
    null_payload.payload = net_bytes_t{nullptr, 0};
    pair.b.receive(null_payload);
    BOOST_TEST(plugin.metric("malformed_packets") == 8);
    BOOST_TEST(pair.b.stats().packets_received == 0u);
    BOOST_TEST(order.next.load() == 0u);

    // The stream still works: sequence 0 was not consumed by the garbage.
    send_numbered(pair.a, 1000, 100);
    BOOST_TEST(eventually([&] { return order.next.load() == 1000u; }));
    BOOST_TEST(order.out_of_order.load() == 0u);
}

BOOST_AUTO_TEST_CASE(send_validates_its_arguments)
{
    PluginUnderTest plugin(kLibrary, {{"credit_window_bytes", 65536}});
    StreamPair pair(plugin, Faults{}, 100);
    std::vector<std::uint8_t> big(97, 1);  // max_payload - 4 = 96
    std::vector<net_bytes_t> one{net_bytes_t{big.data(), big.size()}};
    BOOST_TEST(pair.a.send(one) == NET_E_INVALID_ARGUMENT);
    one[0].len = 96;
    BOOST_TEST(pair.a.send(one) == NET_OK);
    BOOST_TEST(pair.a.send({}) == NET_OK);
    BOOST_TEST(plugin.iface().stream_send(pair.a.stream(), nullptr, 1) == NET_E_INVALID_ARGUMENT);
    // More than a whole credit window (64 KiB here) in one call can never be accepted.
    std::vector<net_bytes_t> too_many(1000, net_bytes_t{big.data(), 90});
    BOOST_TEST(pair.a.send(too_many) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(pair.a.stats().events_sent == 1u);
}

BOOST_AUTO_TEST_CASE(the_application_may_destroy_a_stream_from_inside_deliver)
{
    PluginUnderTest plugin(kLibrary, nlohmann::json::object());
    StreamPair pair(plugin, Faults{});
    std::atomic<int> calls{0};
    pair.b.on_deliver_call([&](const net_bytes_t*, std::size_t) {
        calls.fetch_add(1);
        pair.b.destroy();
    });
    NumberedEvents numbered;
    BOOST_REQUIRE_EQUAL(pair.a.send(numbered.make(0, 500)), NET_OK);
    BOOST_TEST(eventually([&] { return calls.load() == 1; }));
    std::this_thread::sleep_for(20ms);
    BOOST_TEST(calls.load() == 1);
    BOOST_TEST(pair.b.closed_count.load() == 0);
}

BOOST_AUTO_TEST_CASE(destroying_streams_while_their_timers_fire_is_safe)
{
    PluginUnderTest plugin(kLibrary, {{"rto_initial_ms", 1}, {"rto_min_ms", 1}, {"rto_max_ms", 2}, {"max_retries", 64}});
    NumberedEvents numbered;
    for (int round = 0; round < 200; ++round) {
        StreamPair pair(plugin, Faults{0.5, 0, 0, static_cast<std::uint32_t>(round)});
        pair.b.on_deliver_call([](const net_bytes_t*, std::size_t) {});
        for (int i = 0; i < 5; ++i) (void)pair.a.send(numbered.make(0, 50));
        std::this_thread::sleep_for(std::chrono::microseconds(round * 10));
    }  // destroyed with packets in flight and the tick running on the loop threads
    BOOST_TEST(plugin.metric("retransmits") > 0);
}
