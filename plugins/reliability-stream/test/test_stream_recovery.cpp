// Loss recovery of the "stream" plugin, frame by frame: a stream object whose link captures what it
// sends (no channel), fed hand-made data and control frames (docs/reliability.md, "Retransmission",
// "Congestion window").
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstring>
#include <thread>

#include "net_test_support.hpp"
#include "reliability_test_rig.hpp"

using namespace net::test;
using namespace std::chrono_literals;

namespace {

const std::string kLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-reliability-stream.so";

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_u64(const std::uint8_t* p)
{
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return v;
}

// A control frame as a receiver sends it: sequence = the highest data sequence it has received.
struct Control {
    std::vector<std::uint8_t> payload;
    net_stream_frame_t frame{};

    static Control ack(std::uint64_t next_expected, std::uint64_t highest)
    {
        Control c;
        c.payload.push_back(0x01);
        put_u64(c.payload, next_expected);
        put_u64(c.payload, 1u << 30);  // credit: plenty
        c.finish(highest);
        return c;
    }
    static Control nack(std::uint64_t next_expected, std::uint64_t missing, std::uint64_t highest)
    {
        Control c;
        c.payload.push_back(0x02);
        put_u64(c.payload, next_expected);
        put_u64(c.payload, missing);
        put_u64(c.payload, 1u << 30);
        c.finish(highest);
        return c;
    }

private:
    void finish(std::uint64_t highest)
    {
        frame.flags = NET_FRAME_NACK;
        frame.sequence = highest;
        frame.event_count = 0;
        frame.payload = net_bytes_t{payload.data(), payload.size()};
    }
};

// `count` events of 1000 bytes: one per packet with a 1200-byte max_payload.
std::vector<net_bytes_t> big_events(std::size_t count)
{
    static std::vector<std::uint8_t> body(1000, 0x5A);
    return std::vector<net_bytes_t>(count, net_bytes_t{body.data(), body.size()});
}

std::vector<std::uint64_t> data_sequences(const Endpoint& e)
{
    std::vector<std::uint64_t> out;
    for (const CopiedFrame& f : e.captured) {
        if ((f.header.flags & NET_FRAME_NACK) == 0) out.push_back(f.header.sequence);
    }
    return out;
}

std::size_t sends_of(const Endpoint& e, std::uint64_t sequence)
{
    std::size_t n = 0;
    for (std::uint64_t s : data_sequences(e)) n += s == sequence ? 1 : 0;
    return n;
}

// Timers far away, so that everything below happens on the test's own thread.
nlohmann::json slow_timers(nlohmann::json config = nlohmann::json::object())
{
    config["rto_initial_ms"] = 1000;
    config["rto_min_ms"] = 1000;
    return config;
}

}  // namespace

BOOST_AUTO_TEST_CASE(control_frames_carry_the_highest_sequence_received_and_nacks_repeat_while_a_hole_lasts)
{
    PluginUnderTest plugin(kLibrary, slow_timers());
    Channel unused(Faults{});
    Endpoint r(unused, plugin, 1200);
    r.capture_only = true;
    BOOST_REQUIRE_EQUAL(r.open(false), NET_OK);
    const std::vector<std::uint8_t> one_event{0x01, 0x00, 0x00, 0x00, 0xAB};
    auto data = [&](std::uint64_t sequence) {
        net_stream_frame_t f{};
        f.flags = NET_FRAME_RELIABLE;
        f.sequence = sequence;
        f.event_count = 1;
        f.payload = net_bytes_t{one_event.data(), one_event.size()};
        r.receive(f);
    };
    data(0);
    data(2);  // opens a hole at 1: a NACK at once
    BOOST_REQUIRE_EQUAL(r.captured.size(), 1u);
    const CopiedFrame& first = r.captured[0];
    BOOST_TEST((first.header.flags & NET_FRAME_NACK) != 0);
    BOOST_TEST(first.header.sequence == 2u);
    BOOST_REQUIRE_EQUAL(first.payload.size(), 25u);
    BOOST_TEST(first.payload[0] == 0x02);
    BOOST_TEST(get_u64(&first.payload[1]) == 1u);  // next expected
    BOOST_TEST(get_u64(&first.payload[9]) == 0u);  // nothing else missing below 2
    // The hole stays: another NACK after ack_every_packets (8) more arrivals, not only on the timer.
    for (std::uint64_t s = 3; s <= 9; ++s) data(s);
    BOOST_TEST(r.captured.size() == 1u);
    data(10);
    BOOST_REQUIRE_EQUAL(r.captured.size(), 2u);
    BOOST_TEST(r.captured[1].header.sequence == 10u);
    BOOST_TEST(r.captured[1].payload[0] == 0x02);
    // Filling the hole acknowledges everything with the highest sequence seen.
    data(1);
    BOOST_REQUIRE_EQUAL(r.captured.size(), 3u);
    BOOST_TEST(r.captured[2].payload[0] == 0x01);
    BOOST_TEST(get_u64(&r.captured[2].payload[1]) == 11u);
    BOOST_TEST(r.captured[2].header.sequence == 10u);
    r.destroy();
}

BOOST_AUTO_TEST_CASE(packets_a_nack_shows_held_leave_the_pipe_so_new_ones_go_out_during_recovery)
{
    PluginUnderTest plugin(kLibrary, slow_timers({{"initial_cwnd", 4}}));
    Channel unused(Faults{});
    Endpoint s(unused, plugin, 1200);
    s.capture_only = true;
    BOOST_REQUIRE_EQUAL(s.open(true), NET_OK);
    BOOST_REQUIRE_EQUAL(s.send(big_events(12)), NET_OK);
    BOOST_TEST(data_sequences(s) == (std::vector<std::uint64_t>{0, 1, 2, 3}));  // the window: 4
    // 0 is missing, 1..3 arrived: 0 is resent at once and three new packets take 1..3's place.
    const Control nack = Control::nack(0, 0, 3);
    s.receive(nack.frame);
    BOOST_TEST(data_sequences(s) == (std::vector<std::uint64_t>{0, 1, 2, 3, 0, 4, 5, 6}));
    // One loss in a few packets is within the loss tolerance: the window did not shrink.
    BOOST_TEST(s.stats().congestion_window == 4u);
    s.destroy();
}

BOOST_AUTO_TEST_CASE(without_loss_tolerance_every_loss_episode_shrinks_the_window)
{
    PluginUnderTest plugin(kLibrary, slow_timers({{"initial_cwnd", 4}, {"loss_tolerance_permille", 0}}));
    Channel unused(Faults{});
    Endpoint s(unused, plugin, 1200);
    s.capture_only = true;
    BOOST_REQUIRE_EQUAL(s.open(true), NET_OK);
    BOOST_REQUIRE_EQUAL(s.send(big_events(12)), NET_OK);
    const Control nack = Control::nack(0, 0, 3);
    s.receive(nack.frame);
    BOOST_TEST(s.stats().congestion_window == 2u);  // 4 x 0.7, at least 2
    // In the pipe: the resent 0, and room for one new packet in the window of 2.
    BOOST_TEST(data_sequences(s) == (std::vector<std::uint64_t>{0, 1, 2, 3, 0, 4}));
    s.destroy();
}

BOOST_AUTO_TEST_CASE(a_lost_resend_is_resent_once_the_peer_has_a_packet_sent_after_it)
{
    PluginUnderTest plugin(kLibrary, slow_timers());
    Channel unused(Faults{});
    Endpoint s(unused, plugin, 1200);
    s.capture_only = true;
    BOOST_REQUIRE_EQUAL(s.open(true), NET_OK);
    BOOST_REQUIRE_EQUAL(s.send(big_events(4)), NET_OK);  // 0..3
    s.receive(Control::nack(0, 0, 1).frame);
    BOOST_TEST(sends_of(s, 0) == 2u);  // resent at once
    // A NACK that may predate the resend: no second resend within a round trip.
    s.receive(Control::nack(0, 0, 3).frame);
    BOOST_TEST(sends_of(s, 0) == 2u);
    BOOST_REQUIRE_EQUAL(s.send(big_events(2)), NET_OK);  // 4, 5: sent after the resend
    s.receive(Control::nack(0, 0, 4).frame);              // 4 arrived, 0 did not: the resend was lost
    BOOST_TEST(sends_of(s, 0) == 3u);
    s.destroy();
}

BOOST_AUTO_TEST_CASE(a_hole_whose_resend_is_lost_is_probed_again_long_before_the_rto)
{
    PluginUnderTest plugin(kLibrary, slow_timers());  // RTO at least 1 s
    Channel unused(Faults{});
    Endpoint s(unused, plugin, 1200);
    s.capture_only = true;
    BOOST_REQUIRE_EQUAL(s.open(true), NET_OK);
    BOOST_REQUIRE_EQUAL(s.send(big_events(1)), NET_OK);
    std::this_thread::sleep_for(2ms);
    s.receive(Control::ack(1, 0).frame);  // an RTT sample of a few ms
    BOOST_REQUIRE_EQUAL(s.send(big_events(3)), NET_OK);  // 1..3
    s.receive(Control::nack(1, 0, 3).frame);              // 1 missing: resent at once
    // Nothing more arrives (the resend was lost, nothing else is in flight): probes follow at
    // twice the smoothed RTT, doubling, at most three, all long before the 1 s RTO.
    std::this_thread::sleep_for(300ms);
    const net_stream_stats_t st = s.stats();
    s.destroy();  // no link call after this: the captured frames can be read
    const std::size_t resends = sends_of(s, 1);
    BOOST_TEST(resends >= 3u, "sent " << resends << " times");
    BOOST_TEST(resends <= 5u, "sent " << resends << " times");
    BOOST_TEST(st.rto_us >= 1'000'000u);
}

BOOST_AUTO_TEST_CASE(one_percent_random_loss_does_not_hold_the_window_down_unless_the_tolerance_is_zero)
{
    auto final_window = [](nlohmann::json config) {
        PluginUnderTest plugin(kLibrary, std::move(config));
        StreamPair pair(plugin, Faults{0.01, 0, 0, 7});
        std::atomic<std::uint64_t> delivered{0};
        pair.b.on_deliver_call([&](const net_bytes_t*, std::size_t n) { delivered.fetch_add(n); });
        constexpr std::uint64_t kEvents = 20'000;
        const auto events = big_events(10);
        const auto end = std::chrono::steady_clock::now() + 20s;
        for (std::uint64_t sent = 0; sent < kEvents && std::chrono::steady_clock::now() < end;) {
            if (pair.a.send(events) == NET_OK) {
                sent += events.size();
            } else {
                std::this_thread::sleep_for(50us);
            }
        }
        BOOST_TEST(eventually([&] { return delivered.load() == kEvents; }, 20000ms));
        return pair.a.stats().congestion_window;
    };
    const std::uint32_t tolerant = final_window(nlohmann::json::object());
    const std::uint32_t strict = final_window({{"loss_tolerance_permille", 0}});
    BOOST_TEST_MESSAGE("window after 20000 packets at 1% loss: " << tolerant << " (default), " << strict
                                                                  << " (loss_tolerance_permille 0)");
    BOOST_TEST(tolerant > 2 * strict);
}
