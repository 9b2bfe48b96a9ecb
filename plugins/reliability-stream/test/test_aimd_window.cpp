#include <boost/test/unit_test.hpp>

#include "aimd_window.hpp"

using net::reliability::AimdWindow;

BOOST_AUTO_TEST_CASE(window_grows_by_about_one_packet_per_window_of_acks)
{
    AimdWindow w(16, 2, 1024);
    BOOST_TEST(w.packets() == 16u);
    w.on_acked(16);
    BOOST_TEST(w.packets() == 16u);  // 16 + 16 * ~1/16 is just under 17
    w.on_acked(2);
    BOOST_TEST(w.packets() == 17u);
}

BOOST_AUTO_TEST_CASE(loss_shrinks_to_seven_tenths_once_per_recovery_episode_and_never_below_min)
{
    AimdWindow w(20, 2, 1024);
    BOOST_TEST(w.on_loss(100));
    BOOST_TEST(w.packets() == 14u);
    BOOST_TEST(!w.on_loss(101));  // same episode
    BOOST_TEST(w.packets() == 14u);
    w.on_cumulative_ack(99);
    BOOST_TEST(w.in_recovery());
    w.on_cumulative_ack(100);
    BOOST_TEST(!w.in_recovery());
    for (int i = 0; i < 10; ++i) {
        w.on_loss(200 + static_cast<std::uint64_t>(i));
        w.on_cumulative_ack(1000);
    }
    BOOST_TEST(w.packets() == 2u);
}

BOOST_AUTO_TEST_CASE(window_stops_at_max)
{
    AimdWindow w(4, 2, 5);
    w.on_acked(1000);
    BOOST_TEST(w.packets() == 5u);
}

#include "loss_rate.hpp"

using net::reliability::LossRate;

BOOST_AUTO_TEST_CASE(loss_rate_follows_random_loss_and_jumps_with_a_burst)
{
    LossRate r;
    BOOST_TEST(r.rate() == 0.0);
    for (int round = 0; round < 200; ++round) {  // 1 lost in every 100
        r.on_delivered(99);
        r.on_lost(1);
    }
    BOOST_TEST(r.rate() > 0.007);
    BOOST_TEST(r.rate() < 0.014);
    r.on_lost(30);  // a queue overflowing: 30 packets in a row
    BOOST_TEST(r.rate() > 0.03);
    r.on_delivered(10'000);
    BOOST_TEST(r.rate() < 0.001);
}
