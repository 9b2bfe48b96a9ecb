// The bus engine against an in-test adapter: a C table of function pointers written here, which
// can block, slow down, or fail transiently/permanently a given number of times. That exercises
// the engine's back-pressure policies, batching, retries and stop, not a fake of a real backend.
#define BOOST_TEST_MODULE bus_engine
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net/iface/bus_adapter.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/bus/bus.hpp"
#include "net/kernel/bus/dedup.hpp"
#include "net/kernel/metrics.hpp"
#include "net_test_support.hpp"

namespace nk = net::kernel;
namespace bus = net::kernel::bus;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Written {
    std::uint32_t shard;
    std::uint32_t attempt;
    net_bus_event_t event;
    std::string bytes;
};

struct Call {
    std::uint32_t shard;
    std::uint32_t attempt;
    net_status_t status;
    Clock::time_point at;
    std::vector<std::uint64_t> dedup_ids;
    std::vector<const net_buffer_t*> payloads;
};

// The in-test adapter. Every knob and record is guarded by `mutex`.
class TestAdapter {
public:
    std::mutex mutex;
    std::condition_variable cv;
    bool block = false;                 // write_batch waits while true
    int transient_failures = 0;         // the next N calls return transient_status
    net_status_t transient_status = NET_E_UNAVAILABLE;
    bool partial_on_failure = false;    // a failing call first records half of its batch
    int permanent_failures = 0;         // then the next N calls return NET_E_CONFIG
    std::chrono::microseconds per_call_delay{0};
    net_status_t configure_result = NET_OK;
    std::uint32_t configured_shards = 0;

    int entered = 0;  // calls begun
    std::vector<Written> written;
    std::vector<Call> calls;

    bus::Adapter adapter() { return bus::Adapter{&kTable, this, nullptr}; }

    void set_block(bool on)
    {
        std::lock_guard lock(mutex);
        block = on;
        cv.notify_all();
    }

    // Waits (up to 5 s) until `pred()` holds under the mutex.
    template <class Pred>
    bool wait(Pred pred)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, 5s, pred);
    }

    std::size_t written_count()
    {
        std::lock_guard lock(mutex);
        return written.size();
    }

    std::vector<std::uint64_t> sequences()
    {
        std::lock_guard lock(mutex);
        std::vector<std::uint64_t> out;
        for (const auto& w : written) out.push_back(w.event.producer_sequence);
        return out;
    }

    static const net_bus_adapter_v1_t kTable;

private:
    static net_status_t configure(void* self, std::uint32_t shards)
    {
        auto& a = *static_cast<TestAdapter*>(self);
        std::lock_guard lock(a.mutex);
        a.configured_shards = shards;
        return a.configure_result;
    }

    static net_status_t write_batch(void* self, const net_bus_batch_t* batch)
    {
        auto& a = *static_cast<TestAdapter*>(self);
        std::unique_lock lock(a.mutex);
        ++a.entered;
        a.cv.notify_all();
        a.cv.wait(lock, [&] { return !a.block; });
        if (a.per_call_delay.count() > 0) {
            lock.unlock();
            std::this_thread::sleep_for(a.per_call_delay);
            lock.lock();
        }
        net_status_t status = NET_OK;
        if (a.transient_failures > 0) {
            --a.transient_failures;
            status = a.transient_status;
        } else if (a.permanent_failures > 0) {
            --a.permanent_failures;
            status = NET_E_CONFIG;
        }
        const std::size_t record = status == NET_OK ? batch->count : (a.partial_on_failure ? batch->count / 2 : 0);
        Call call{batch->shard, batch->attempt, status, Clock::now(), {}, {}};
        for (std::size_t i = 0; i < batch->count; ++i) {
            const net_bus_event_t& e = batch->events[i];
            call.dedup_ids.push_back(e.dedup_id);
            call.payloads.push_back(e.payload);
            if (i < record) {
                a.written.push_back(Written{batch->shard, batch->attempt, e,
                                            std::string(reinterpret_cast<const char*>(e.payload->data), e.payload->len)});
                a.written.back().event.payload = nullptr;  // released by the engine after the call
            }
        }
        a.calls.push_back(std::move(call));
        a.cv.notify_all();
        return status;
    }
};

const net_bus_adapter_v1_t TestAdapter::kTable = {sizeof(net_bus_adapter_v1_t), 0, &TestAdapter::configure,
                                                  &TestAdapter::write_batch, nullptr, nullptr};

bus::BusConfig config_for(std::uint32_t shards, std::size_t capacity, bus::BackpressurePolicy policy)
{
    bus::BusConfig c;
    c.shards = shards;
    c.ring_capacity = capacity;
    c.policy = policy;
    c.batch_max_events = 64;
    c.batch_max_delay = 200us;
    c.batch_min_delay = 0us;
    c.retry_initial_backoff = 1ms;
    c.retry_max_backoff = 8ms;
    c.retry_timeout = 5000ms;
    return c;
}

// One event per batch, written at once: which events are in flight is then exact.
bus::BusConfig one_by_one(std::size_t capacity, bus::BackpressurePolicy policy)
{
    bus::BusConfig c = config_for(1, capacity, policy);
    c.batch_max_events = 1;
    c.batch_max_delay = 0us;
    c.adaptive_delay = false;
    return c;
}

net_buffer_t* payload(nk::BufferPool& pool, const std::string& text)
{
    net_buffer_t* b = pool.allocate(text.size());
    BOOST_REQUIRE(b != nullptr);
    std::memcpy(b->data, text.data(), text.size());
    return b;
}

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to)
{
    std::vector<std::uint64_t> v;
    for (std::uint64_t i = from; i < to; ++i) v.push_back(i);
    return v;
}

// Publishes sequence `n` and requires NET_OK.
void publish_ok(bus::Bus& b, bus::Producer& p, nk::BufferPool& pool, std::uint64_t channel = 7)
{
    const std::uint64_t seq = p.next_sequence();
    BOOST_REQUIRE_EQUAL(b.publish(p, channel, payload(pool, "event-" + std::to_string(seq))), NET_OK);
}

// Holds event 0 inside a blocked write_batch, so that the ring fills from empty.
void hold_first_event(bus::Bus& b, bus::Producer& p, nk::BufferPool& pool, TestAdapter& a)
{
    a.set_block(true);
    publish_ok(b, p, pool);
    BOOST_REQUIRE(a.wait([&] { return a.entered == 1; }));
}

}  // namespace

BOOST_AUTO_TEST_CASE(drop_oldest_keeps_the_newest)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::Bus b(pool, a.adapter(), one_by_one(8, bus::BackpressurePolicy::drop_oldest));
    bus::Producer p(1);
    hold_first_event(b, p, pool, a);
    for (int i = 1; i <= 20; ++i) publish_ok(b, p, pool);  // 8 fit, 12 evict the oldest
    BOOST_TEST(b.stats().dropped_oldest == 12u);
    BOOST_TEST(b.stats().queued == 8u);
    a.set_block(false);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 9; }));
    b.stop();
    std::vector<std::uint64_t> expected{0};
    for (std::uint64_t s = 13; s <= 20; ++s) expected.push_back(s);
    BOOST_TEST(a.sequences() == expected, boost::test_tools::per_element());
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.published == 21u);
    BOOST_TEST(st.events_written == 9u);
    BOOST_TEST(st.published == st.events_written + st.failed_events + st.dropped_oldest + st.dropped_at_stop);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(drop_newest_keeps_the_oldest)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::Bus b(pool, a.adapter(), one_by_one(8, bus::BackpressurePolicy::drop_newest));
    bus::Producer p(2);
    hold_first_event(b, p, pool, a);
    for (int i = 1; i <= 20; ++i) publish_ok(b, p, pool);  // NET_OK: the policy dropped 12
    BOOST_TEST(p.next_sequence() == 21u);
    BOOST_TEST(b.stats().dropped_newest == 12u);
    a.set_block(false);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 9; }));
    b.stop();
    BOOST_TEST(a.sequences() == range(0, 9), boost::test_tools::per_element());
    BOOST_TEST(b.stats().published == 9u);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(fail_refuses_and_loses_nothing_accepted)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::Bus b(pool, a.adapter(), one_by_one(8, bus::BackpressurePolicy::fail));
    bus::Producer p(3);
    hold_first_event(b, p, pool, a);
    for (int i = 1; i <= 8; ++i) publish_ok(b, p, pool);
    std::vector<net_buffer_t*> refused;
    for (int i = 0; i < 12; ++i) {
        net_buffer_t* buf = payload(pool, "refused");
        BOOST_TEST(b.publish(p, 7, buf) == NET_E_WOULD_BLOCK);
        BOOST_TEST(nk::BufferPool::use_count(buf) == 1u);  // still ours
        refused.push_back(buf);
    }
    BOOST_TEST(p.next_sequence() == 9u);  // the refused ones used no sequence
    BOOST_TEST(b.stats().rejected == 12u);
    for (net_buffer_t* buf : refused) nk::BufferPool::release(buf);
    a.set_block(false);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 9; }));
    publish_ok(b, p, pool);  // sequence 9, accepted now that there is room
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 10; }));
    b.stop();
    BOOST_TEST(a.sequences() == range(0, 10), boost::test_tools::per_element());
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.dropped_oldest + st.dropped_newest + st.sampled_out + st.failed_events == 0u);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(sample_keeps_one_in_n_above_the_high_water_mark)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::BusConfig c = one_by_one(16, bus::BackpressurePolicy::sample);
    c.sample_rate = 4;
    c.sample_high_water = 8;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(4);
    hold_first_event(b, p, pool, a);
    for (int i = 1; i <= 8; ++i) publish_ok(b, p, pool);  // below the mark: all kept
    for (int i = 9; i <= 40; ++i) publish_ok(b, p, pool);  // 32 above: the 1st of every 4 kept
    BOOST_TEST(b.stats().sampled_out == 24u);
    BOOST_TEST(b.stats().queued == 16u);  // the ring is now full
    for (int i = 41; i <= 44; ++i) publish_ok(b, p, pool);  // 41 is sampled in but finds no room
    BOOST_TEST(b.stats().sampled_out == 27u);
    BOOST_TEST(b.stats().dropped_newest == 1u);
    a.set_block(false);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 17; }));
    b.stop();
    std::vector<std::uint64_t> expected = range(0, 9);
    for (std::uint64_t s = 9; s <= 37; s += 4) expected.push_back(s);
    BOOST_TEST(a.sequences() == expected, boost::test_tools::per_element());
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(publish_many_stops_at_the_first_refusal)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::Bus b(pool, a.adapter(), one_by_one(8, bus::BackpressurePolicy::fail));
    bus::Producer p(5);
    hold_first_event(b, p, pool, a);
    std::vector<net_buffer_t*> buffers;
    for (int i = 0; i < 20; ++i) buffers.push_back(payload(pool, "many-" + std::to_string(i)));
    net_status_t status = NET_OK;
    const std::size_t taken = b.publish_many(p, 9, buffers, &status);
    BOOST_TEST(taken == 8u);
    BOOST_TEST(status == NET_E_WOULD_BLOCK);
    for (std::size_t i = taken; i < buffers.size(); ++i) nk::BufferPool::release(buffers[i]);
    a.set_block(false);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 9; }));
    b.stop();
    std::lock_guard lock(a.mutex);
    BOOST_TEST(a.written[1].bytes == "many-0");
    BOOST_TEST(a.written[8].bytes == "many-7");
    BOOST_TEST(a.written[8].event.channel_hash == 9u);
    // One timestamp for the whole call.
    BOOST_TEST(a.written[1].event.timestamp_ns == a.written[8].event.timestamp_ns);
}

BOOST_AUTO_TEST_CASE(batches_are_cut_by_event_count)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 10;
    c.batch_max_delay = 10s;  // never by time: only full batches
    c.adaptive_delay = false;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(6);
    for (int i = 0; i < 100; ++i) publish_ok(b, p, pool);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 100; }));
    b.stop();
    std::lock_guard lock(a.mutex);
    BOOST_TEST(a.calls.size() == 10u);
    for (const Call& call : a.calls) BOOST_TEST(call.dedup_ids.size() == 10u);
    BOOST_TEST(b.stats().batches_written == 10u);
}

BOOST_AUTO_TEST_CASE(batches_are_cut_by_bytes_and_a_large_event_goes_alone)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 100;
    c.batch_max_bytes = 1000;
    c.batch_max_delay = 10s;
    c.adaptive_delay = false;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(7);
    // A batch is cut when the next event does not fit; the last three wait for their delay.
    for (int i = 0; i < 30; ++i) BOOST_REQUIRE_EQUAL(b.publish(p, 1, payload(pool, std::string(300, 'a'))), NET_OK);
    BOOST_REQUIRE_EQUAL(b.publish(p, 1, payload(pool, std::string(2000, 'b'))), NET_OK);
    for (int i = 0; i < 3; ++i) BOOST_REQUIRE_EQUAL(b.publish(p, 1, payload(pool, std::string(300, 'c'))), NET_OK);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 31; }));
    b.stop();  // the last three are written by stop's drain
    std::lock_guard lock(a.mutex);
    BOOST_REQUIRE_EQUAL(a.calls.size(), 12u);
    for (std::size_t i = 0; i < 10; ++i) BOOST_TEST(a.calls[i].dedup_ids.size() == 3u);  // 900 bytes; a 4th would pass 1000
    BOOST_TEST(a.calls[10].dedup_ids.size() == 1u);  // 2000 bytes: alone
    BOOST_TEST(a.calls[11].dedup_ids.size() == 3u);
    BOOST_TEST(b.stats().bytes_written == 30u * 300 + 2000 + 900);
}

BOOST_AUTO_TEST_CASE(batches_are_cut_by_time)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 1000;
    c.batch_max_delay = 40ms;
    c.adaptive_delay = false;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(8);
    const auto t0 = Clock::now();
    for (int i = 0; i < 5; ++i) publish_ok(b, p, pool);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 5; }));
    const auto waited = Clock::now() - t0;
    BOOST_TEST(waited >= 35ms);  // the batch waited for more events, then left on its delay
    std::lock_guard lock(a.mutex);
    BOOST_TEST(a.calls.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_adaptive_delay_shrinks_when_batches_fill_and_grows_when_they_do_not)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::BusConfig c = config_for(1, 4096, bus::BackpressurePolicy::fail);
    c.batch_max_events = 16;
    c.batch_max_delay = 20ms;
    c.batch_min_delay = 100us;
    c.adaptive_delay = true;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(9);
    BOOST_TEST(b.stats().shards[0].delay == std::chrono::nanoseconds(20ms));
    std::vector<net_buffer_t*> burst;
    for (int i = 0; i < 16 * 20; ++i) burst.push_back(payload(pool, "burst"));
    BOOST_REQUIRE_EQUAL(b.publish_many(p, 1, burst), burst.size());
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == burst.size(); }));
    const auto after_burst = b.stats().shards[0].delay;
    BOOST_TEST(after_burst <= std::chrono::nanoseconds(1ms));  // 20 ms halved per full batch, down to 100 µs
    BOOST_TEST(after_burst >= std::chrono::nanoseconds(100us));
    for (int i = 0; i < 10; ++i) {
        const std::size_t before = a.written_count();
        publish_ok(b, p, pool);  // alone: each batch leaves on its delay
        BOOST_REQUIRE(a.wait([&] { return a.written.size() == before + 1; }));
    }
    BOOST_TEST(b.stats().shards[0].delay > after_burst);  // grew by a quarter per batch
    b.stop();
}

BOOST_AUTO_TEST_CASE(transient_errors_are_retried_with_backoff_and_the_same_batch)
{
    nk::BufferPool pool;
    TestAdapter a;
    a.transient_failures = 3;
    a.partial_on_failure = true;  // "maybe partly written": half of the batch lands each time
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 10;
    c.batch_max_delay = 10s;
    c.adaptive_delay = false;
    c.retry_initial_backoff = 2ms;
    c.retry_max_backoff = 5ms;
    nk::MetricsRegistry metrics;
    bus::Bus b(pool, a.adapter(), c, &metrics);
    bus::Producer p(10);
    std::vector<net_buffer_t*> mine;  // an extra reference each, so the pointers stay unique
    for (int i = 0; i < 10; ++i) {
        net_buffer_t* buf = payload(pool, "retry-" + std::to_string(i));
        mine.push_back(nk::BufferPool::retain(buf));
        BOOST_REQUIRE_EQUAL(b.publish(p, 3, buf), NET_OK);
    }
    BOOST_REQUIRE(a.wait([&] { return a.calls.size() == 4; }));
    b.stop();
    {
        std::lock_guard lock(a.mutex);
        for (std::uint32_t i = 0; i < 4; ++i) {
            BOOST_TEST(a.calls[i].attempt == i);
            BOOST_TEST(a.calls[i].status == (i < 3 ? NET_E_UNAVAILABLE : NET_OK));
            BOOST_TEST(a.calls[i].dedup_ids == a.calls[0].dedup_ids, boost::test_tools::per_element());
            // The published buffers themselves, on every attempt: no copy.
            std::vector<const net_buffer_t*> expected(mine.begin(), mine.end());
            BOOST_TEST(a.calls[i].payloads == expected, boost::test_tools::per_element());
        }
        // Backoff 2, 4, 5 (capped) ms.
        BOOST_TEST((a.calls[1].at - a.calls[0].at) >= 2ms);
        BOOST_TEST((a.calls[2].at - a.calls[1].at) >= 4ms);
        BOOST_TEST((a.calls[3].at - a.calls[2].at) >= 5ms);
        // 3 partial writes of 5 plus the full one: 25 records, 15 duplicates.
        BOOST_REQUIRE_EQUAL(a.written.size(), 25u);
        bus::DedupFilter filter;
        std::vector<std::uint64_t> delivered;
        std::vector<std::string> bytes;
        for (const Written& w : a.written) {
            if (filter.accept(w.event)) {
                delivered.push_back(w.event.producer_sequence);
                bytes.push_back(w.bytes);
            }
        }
        BOOST_TEST(delivered == range(0, 10), boost::test_tools::per_element());
        BOOST_TEST(bytes.back() == "retry-9");
        BOOST_TEST(filter.stats().duplicates == 15u);
    }
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.retries == 3u);
    BOOST_TEST(st.write_errors == 3u);
    BOOST_TEST(st.events_written == 10u);
    BOOST_TEST(st.failed_batches == 0u);
    BOOST_TEST(metrics.find("bus.retries")->value.load() == 3);
    BOOST_TEST(metrics.find("bus.write_errors")->value.load() == 3);
    for (net_buffer_t* buf : mine) {
        BOOST_TEST(nk::BufferPool::use_count(buf) == 1u);  // the engine gave its references back
        nk::BufferPool::release(buf);
    }
}

BOOST_AUTO_TEST_CASE(a_batch_failing_past_the_retry_timeout_is_dropped_and_counted)
{
    nk::BufferPool pool;
    TestAdapter a;
    a.transient_failures = INT_MAX;
    a.transient_status = NET_E_TIMEOUT;
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 4;
    c.batch_max_delay = 10s;
    c.retry_timeout = 60ms;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(11);
    const auto t0 = Clock::now();
    for (int i = 0; i < 4; ++i) publish_ok(b, p, pool);
    BOOST_REQUIRE(net::test::eventually([&] { return b.stats().failed_batches == 1; }));
    BOOST_TEST((Clock::now() - t0) >= 60ms);
    {
        std::lock_guard lock(a.mutex);
        a.transient_failures = 0;  // the backend is back
    }
    for (int i = 0; i < 4; ++i) publish_ok(b, p, pool);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 4; }));
    b.stop();
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.failed_events == 4u);
    BOOST_TEST(st.retries >= 3u);
    BOOST_TEST(st.write_errors == st.retries + 1);
    BOOST_TEST(a.sequences() == range(4, 8), boost::test_tools::per_element());
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(a_permanent_error_drops_the_batch_without_retrying)
{
    nk::BufferPool pool;
    TestAdapter a;
    a.permanent_failures = 1;
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 5;
    c.batch_max_delay = 10s;
    nk::MetricsRegistry metrics;
    bus::Bus b(pool, a.adapter(), c, &metrics);
    bus::Producer p(12);
    for (int i = 0; i < 10; ++i) publish_ok(b, p, pool);
    BOOST_REQUIRE(a.wait([&] { return a.written.size() == 5; }));
    b.stop();
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.failed_batches == 1u);
    BOOST_TEST(st.failed_events == 5u);
    BOOST_TEST(st.retries == 0u);
    BOOST_TEST(st.write_errors == 1u);
    BOOST_TEST(a.sequences() == range(5, 10), boost::test_tools::per_element());
    BOOST_TEST(metrics.find("bus.failed_events")->value.load() == 5);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(stop_drains_everything_queued)
{
    nk::BufferPool pool;
    TestAdapter a;
    a.per_call_delay = 200us;
    bus::BusConfig c = config_for(2, 8192, bus::BackpressurePolicy::fail);
    c.batch_max_delay = 5ms;
    nk::MetricsRegistry metrics;
    bus::Bus b(pool, a.adapter(), c, &metrics);
    bus::Producer p(13);
    constexpr std::uint64_t kEvents = 10000;
    while (p.next_sequence() < kEvents) {
        net_buffer_t* buf = payload(pool, "drain");
        while (b.publish(p, 1, buf) == NET_E_WOULD_BLOCK) std::this_thread::yield();
    }
    b.stop();
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.published == kEvents);
    BOOST_TEST(st.events_written == kEvents);
    BOOST_TEST(st.queued == 0u);
    BOOST_TEST(a.written_count() == kEvents);
    net_buffer_t* late = payload(pool, "late");
    BOOST_TEST(b.publish(p, 1, late) == NET_E_SHUTTING_DOWN);
    nk::BufferPool::release(late);
    BOOST_TEST(metrics.find("bus.published")->value.load() == static_cast<std::int64_t>(kEvents));
    BOOST_TEST(metrics.find("bus.events_written")->value.load() == static_cast<std::int64_t>(kEvents));
    BOOST_TEST(metrics.find("bus.ring_depth")->value.load() == 0);
    BOOST_TEST(metrics.find("bus.batches")->value.load() == static_cast<std::int64_t>(st.batches_written));
    BOOST_TEST(metrics.find("bus.batch_events")->count.load() == st.batches_written);
    BOOST_TEST(metrics.find("bus.flush_latency_ns")->count.load() == st.batches_written);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(stop_with_the_adapter_down_takes_about_one_retry_timeout)
{
    nk::BufferPool pool;
    TestAdapter a;
    a.transient_failures = INT_MAX;
    bus::BusConfig c = config_for(1, 1024, bus::BackpressurePolicy::fail);
    c.batch_max_events = 10;
    c.batch_max_delay = 0us;
    c.retry_timeout = 150ms;
    bus::Bus b(pool, a.adapter(), c);
    bus::Producer p(14);
    for (int i = 0; i < 100; ++i) publish_ok(b, p, pool);
    const auto t0 = Clock::now();
    b.stop();
    BOOST_TEST((Clock::now() - t0) < 1500ms);  // not 10 batches x 150 ms
    const bus::BusStats st = b.stats();
    BOOST_TEST(st.failed_batches >= 1u);
    BOOST_TEST(st.failed_events + st.dropped_at_stop == 100u);
    BOOST_TEST(st.dropped_at_stop >= 70u);
    BOOST_TEST(st.events_written == 0u);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(each_producer_keeps_its_order_within_a_shard)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::BusConfig c = config_for(4, 1024, bus::BackpressurePolicy::fail);
    bus::Bus b(pool, a.adapter(), c);
    constexpr int kThreads = 4;
    constexpr std::uint64_t kEach = 20000;
    std::vector<std::thread> threads;
    std::vector<std::uint64_t> ids(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            bus::Producer p = b.make_producer();
            ids[static_cast<std::size_t>(t)] = p.id();
            while (p.next_sequence() < kEach) {
                net_buffer_t* buf = pool.allocate(8);
                std::memcpy(buf->data, &t, sizeof t);
                while (b.publish(p, 1, buf) == NET_E_WOULD_BLOCK) std::this_thread::yield();
            }
        });
    }
    for (auto& th : threads) th.join();
    b.stop();
    BOOST_TEST(std::set<std::uint64_t>(ids.begin(), ids.end()).size() == static_cast<std::size_t>(kThreads));
    std::lock_guard lock(a.mutex);
    BOOST_REQUIRE_EQUAL(a.written.size(), kThreads * kEach);
    std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint64_t> last;  // (shard, producer) -> seq + 1
    std::map<std::uint64_t, std::vector<bool>> seen;
    std::map<std::uint64_t, std::set<std::uint32_t>> shards_used;
    for (const Written& w : a.written) {
        const auto key = std::make_pair(w.shard, w.event.producer_id);
        BOOST_REQUIRE(last[key] <= w.event.producer_sequence);  // strictly increasing per shard
        last[key] = w.event.producer_sequence + 1;
        BOOST_REQUIRE_EQUAL(w.shard, bus::shard_for_event(w.event.producer_id, w.event.producer_sequence, 4));
        BOOST_REQUIRE_EQUAL(w.event.dedup_id, bus::dedup_id(w.event.producer_id, w.event.producer_sequence));
        auto& bits = seen[w.event.producer_id];
        bits.resize(kEach);
        BOOST_REQUIRE(!bits[w.event.producer_sequence]);
        bits[w.event.producer_sequence] = true;
        shards_used[w.event.producer_id].insert(w.shard);
    }
    for (const auto& [id, bits] : seen) {
        BOOST_TEST(std::count(bits.begin(), bits.end(), true) == static_cast<long>(kEach));
        BOOST_TEST(shards_used[id].size() == 4u);  // one producer feeds every shard
    }
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(keyed_events_share_one_shard_in_publish_order)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::Bus b(pool, a.adapter(), config_for(8, 1024, bus::BackpressurePolicy::fail));
    bus::Producer p(15);
    for (int i = 0; i < 200; ++i) {
        BOOST_REQUIRE_EQUAL(b.publish_keyed(p, 2, 0xC0FFEE, payload(pool, std::to_string(i))), NET_OK);
    }
    b.stop();
    const std::uint32_t shard = bus::shard_for_key(0xC0FFEE, 8);
    std::lock_guard lock(a.mutex);
    BOOST_REQUIRE_EQUAL(a.written.size(), 200u);
    for (std::size_t i = 0; i < a.written.size(); ++i) {
        BOOST_TEST(a.written[i].shard == shard);
        BOOST_TEST(a.written[i].event.producer_sequence == i);
        BOOST_TEST(a.written[i].bytes == std::to_string(i));
    }
    BOOST_TEST(b.stats().shards[shard].events_written == 200u);
}

BOOST_AUTO_TEST_CASE(publish_copy_and_argument_checks)
{
    nk::BufferPool pool;
    TestAdapter a;
    bus::Bus b(pool, a.adapter(), config_for(2, 64, bus::BackpressurePolicy::fail));
    BOOST_TEST(a.configured_shards == 2u);
    BOOST_TEST(b.shard_count() == 2u);
    bus::Producer p = b.make_producer();
    BOOST_TEST(p.next_sequence() == 0u);
    BOOST_TEST(b.make_producer().id() != p.id());
    BOOST_TEST(b.publish(p, 1, nullptr) == NET_E_INVALID_ARGUMENT);
    const std::string text = "copied bytes";
    BOOST_TEST(b.publish_copy(p, 5, text.data(), text.size()) == NET_OK);
    BOOST_TEST(p.next_sequence() == 1u);
    b.stop();
    std::lock_guard lock(a.mutex);
    BOOST_REQUIRE_EQUAL(a.written.size(), 1u);
    BOOST_TEST(a.written[0].bytes == text);
    BOOST_TEST(a.written[0].event.channel_hash == 5u);
    BOOST_TEST(a.written[0].event.producer_id == p.id());
    BOOST_TEST(a.written[0].event.timestamp_ns > 1'600'000'000'000'000'000);  // after 2020, Unix epoch ns
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(a_missing_or_refusing_adapter_is_an_error)
{
    nk::BufferPool pool;
    const bus::BusConfig c = config_for(3, 64, bus::BackpressurePolicy::fail);
    BOOST_CHECK_THROW(bus::Bus(pool, bus::Adapter{}, c), bus::BusError);
    net_bus_adapter_v1_t small = TestAdapter::kTable;
    small.struct_size = 8;
    TestAdapter a;
    BOOST_CHECK_THROW(bus::Bus(pool, bus::Adapter{&small, &a, nullptr}, c), bus::BusError);
    a.configure_result = NET_E_CONFIG;
    try {
        bus::Bus b(pool, a.adapter(), c);
        BOOST_FAIL("expected BusError");
    } catch (const bus::BusError& e) {
        BOOST_TEST(std::string(e.what()).find("NET_E_CONFIG") != std::string::npos);
    }
    bus::BusConfig bad = c;
    bad.shards = 0;
    a.configure_result = NET_OK;
    BOOST_CHECK_THROW(bus::Bus(pool, a.adapter(), bad), bus::BusConfigError);
}
