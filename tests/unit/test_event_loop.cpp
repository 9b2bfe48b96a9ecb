// EventLoop: tasks run on loop threads, timers fire once or periodically, cancel means "not
// started again", and stop drains and joins.
#define BOOST_TEST_MODULE event_loop
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "net/kernel/event_loop.hpp"
#include "net_test_support.hpp"

using namespace std::chrono_literals;
using net::kernel::EventLoop;

using net::test::eventually;

BOOST_AUTO_TEST_CASE(tasks_run_on_all_loop_threads)
{
    EventLoop loop(2);
    loop.start();
    std::mutex m;
    std::set<std::thread::id> ids;
    std::atomic<int> done{0};
    std::atomic<bool> on_loop{true};
    for (int i = 0; i < 200; ++i) {
        BOOST_REQUIRE(loop.post([&] {
            if (!loop.on_loop_thread()) on_loop = false;
            std::this_thread::sleep_for(100us);
            std::lock_guard lock(m);
            ids.insert(std::this_thread::get_id());
            ++done;
        }));
    }
    BOOST_TEST(eventually([&] { return done.load() == 200; }));
    BOOST_TEST(on_loop.load());
    BOOST_TEST(!loop.on_loop_thread());
    BOOST_TEST(ids.size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_shot_timer_fires_once_after_its_delay)
{
    EventLoop loop(1);
    loop.start();
    std::atomic<int> fired{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::atomic<std::int64_t> elapsed_ms{0};
    BOOST_REQUIRE(loop.start_timer(30ms, 0ms, [&] {
        elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        ++fired;
    }) != 0);
    BOOST_TEST(eventually([&] { return fired.load() == 1; }));
    std::this_thread::sleep_for(60ms);
    BOOST_TEST(fired.load() == 1);
    BOOST_TEST(elapsed_ms.load() >= 30);
    BOOST_TEST(loop.active_timers() == 0u);
}

BOOST_AUTO_TEST_CASE(periodic_timer_repeats_until_cancelled)
{
    EventLoop loop(2);
    loop.start();
    std::atomic<int> fired{0};
    const auto id = loop.start_timer(1ms, 2ms, [&] { ++fired; });
    BOOST_TEST(eventually([&] { return fired.load() >= 5; }));
    BOOST_TEST(loop.cancel_timer(id));
    const int at_cancel = fired.load();
    std::this_thread::sleep_for(30ms);
    BOOST_TEST(fired.load() <= at_cancel + 1, "at most a call already running may finish");
    BOOST_TEST(!loop.cancel_timer(id), "a cancelled timer is unknown");
    BOOST_TEST(loop.active_timers() == 0u);
}

BOOST_AUTO_TEST_CASE(a_timer_may_cancel_itself_from_its_callback)
{
    EventLoop loop(2);
    loop.start();
    std::atomic<int> fired{0};
    std::atomic<net::kernel::TimerId> id{0};
    id = loop.start_timer(5ms, 1ms, [&] {
        if (++fired == 3) loop.cancel_timer(id.load());
    });
    BOOST_TEST(eventually([&] { return fired.load() >= 3; }));
    std::this_thread::sleep_for(20ms);
    BOOST_TEST(fired.load() == 3);
}

BOOST_AUTO_TEST_CASE(cancel_before_first_expiry_prevents_any_call)
{
    EventLoop loop(1);
    loop.start();
    std::atomic<int> fired{0};
    const auto id = loop.start_timer(20ms, 0ms, [&] { ++fired; });
    BOOST_TEST(loop.cancel_timer(id));
    std::this_thread::sleep_for(50ms);
    BOOST_TEST(fired.load() == 0);
}

BOOST_AUTO_TEST_CASE(stop_runs_queued_tasks_then_refuses_new_work)
{
    std::atomic<int> ran{0};
    EventLoop loop(2);
    loop.start();
    for (int i = 0; i < 100; ++i) loop.post([&] { ++ran; });
    const auto timer = loop.start_timer(10s, 0ms, [&] { ran += 1000; });
    BOOST_TEST(timer != 0u);
    loop.stop();
    BOOST_TEST(ran.load() == 100, "queued tasks finish; a pending timer does not fire");
    BOOST_TEST(!loop.post([] {}));
    BOOST_TEST(loop.start_timer(1ms, 0ms, [] {}) == 0u);
    loop.stop();  // idempotent
}

BOOST_AUTO_TEST_CASE(shutdown_request_ends_the_signal_wait)
{
    EventLoop loop(1);
    std::thread requester([&] {
        std::this_thread::sleep_for(20ms);
        loop.request_shutdown();
    });
    BOOST_TEST(loop.wait_for_shutdown_signal() == 0);
    requester.join();
}
