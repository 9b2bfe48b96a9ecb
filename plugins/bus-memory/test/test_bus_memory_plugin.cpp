// The real bus-memory plugin loaded through the kernel's PluginHost, driven by the real bus
// engine: publish, then read every shard back by cursor.
#define BOOST_TEST_MODULE bus_memory_plugin
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/iface/bus_adapter.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/bus/bus.hpp"
#include "net/kernel/bus/dedup.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"

namespace nk = net::kernel;
namespace bus = net::kernel::bus;

namespace {

const std::string kLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-bus-memory.so";

class BusMemoryUnderTest {
public:
    explicit BusMemoryUnderTest(nlohmann::json config = nlohmann::json::object()) : host_(services_)
    {
        loop_.start();
        host_.load({nk::InstanceSpec{"mem", kLibrary, std::move(config), {}, {}, {}}});
        host_.start_all();
        adapter_ = bus::find_bus_adapter(host_, "");
    }
    ~BusMemoryUnderTest() { host_.stop_all(); }

    const bus::Adapter& adapter() const { return adapter_; }
    const net_bus_adapter_v1_t& api() const { return *adapter_.vtable; }
    void* object() const { return adapter_.self; }
    nk::BufferPool& buffers() { return buffers_; }
    nk::PluginHost& host() { return host_; }

    net_bus_adapter_stats_t stats() const
    {
        net_bus_adapter_stats_t s{};
        s.struct_size = sizeof(s);
        BOOST_REQUIRE_EQUAL(api().stats(object(), &s), NET_OK);
        return s;
    }

    // Every record of `shard` after `from`, read in pages of `page`; the caller owns the payloads.
    std::vector<net_bus_record_t> read_all(std::uint32_t shard, net_bus_cursor_t from = {0, 0}, std::size_t page = 100)
    {
        std::vector<net_bus_record_t> all;
        std::vector<net_bus_record_t> buf(page);
        for (;;) {
            std::size_t n = 0;
            BOOST_REQUIRE_EQUAL(api().read(object(), shard, from, buf.data(), buf.size(), &n), NET_OK);
            if (n == 0) return all;
            all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
            from = buf[n - 1].cursor;
        }
    }

private:
    std::ostringstream log_;
    nk::Logger logger_{log_, NET_LOG_INFO};
    nk::EventLoop loop_{1};
    nk::BufferPool buffers_;
    nk::MetricsRegistry metrics_;
    nk::HostServices services_{loop_, buffers_, metrics_, logger_};
    nk::PluginHost host_;
    bus::Adapter adapter_;
};

std::string text(const net_buffer_t* b) { return {reinterpret_cast<const char*>(b->data), b->len}; }

void release_all(const std::vector<net_bus_record_t>& records)
{
    for (const auto& r : records) nk::BufferPool::release(r.event.payload);
}

bus::BusConfig engine_config(std::uint32_t shards)
{
    bus::BusConfig c;
    c.shards = shards;
    c.ring_capacity = 1024;
    c.policy = bus::BackpressurePolicy::fail;
    c.batch_max_events = 128;
    c.batch_max_delay = std::chrono::microseconds(200);
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(publish_n_and_read_all_n_back_in_order_by_cursor)
{
    BusMemoryUnderTest mem;
    BOOST_TEST(mem.api().struct_size == sizeof(net_bus_adapter_v1_t));
    constexpr std::uint64_t kEvents = 20000;
    constexpr std::uint32_t kShards = 4;
    std::map<const std::uint8_t*, std::uint64_t> published_at;  // payload bytes -> sequence
    bus::Producer producer(0xfeed);
    {
        bus::Bus engine(mem.buffers(), mem.adapter(), engine_config(kShards));
        while (producer.next_sequence() < kEvents) {
            const std::string body = "event-" + std::to_string(producer.next_sequence());
            net_buffer_t* b = mem.buffers().allocate(body.size());
            std::memcpy(b->data, body.data(), body.size());
            published_at[b->data] = producer.next_sequence();
            while (engine.publish(producer, 11, b) == NET_E_WOULD_BLOCK) std::this_thread::yield();
        }
        engine.stop();
        BOOST_TEST(engine.stats().events_written == kEvents);
    }
    std::vector<bool> seen(kEvents);
    std::uint64_t total = 0;
    for (std::uint32_t shard = 0; shard < kShards; ++shard) {
        const auto records = mem.read_all(shard);
        bus::DedupFilter filter;
        std::uint64_t previous = 0;
        for (std::size_t i = 0; i < records.size(); ++i) {
            const net_bus_record_t& r = records[i];
            BOOST_REQUIRE_EQUAL(r.cursor.hi, 0u);
            BOOST_REQUIRE_EQUAL(r.cursor.lo, i + 1);  // entry i
            const std::uint64_t seq = r.event.producer_sequence;
            BOOST_REQUIRE(i == 0 || seq > previous);  // publish order within the shard
            previous = seq;
            BOOST_REQUIRE_EQUAL(bus::shard_for_event(0xfeed, seq, kShards), shard);
            BOOST_REQUIRE(filter.accept(r.event));  // ids intact, nothing twice
            BOOST_REQUIRE_EQUAL(text(r.event.payload), "event-" + std::to_string(seq));
            BOOST_REQUIRE_EQUAL(published_at.at(r.event.payload->data), seq);  // the published buffer: no copy
            BOOST_REQUIRE_EQUAL(r.event.channel_hash, 11u);
            seen[seq] = true;
        }
        total += records.size();
        release_all(records);
    }
    BOOST_TEST(total == kEvents);
    BOOST_TEST(std::count(seen.begin(), seen.end(), true) == static_cast<long>(kEvents));
    const net_bus_adapter_stats_t s = mem.stats();
    BOOST_TEST(s.connected == 1u);
    BOOST_TEST(s.events_written == kEvents);
    BOOST_TEST(s.events_read == kEvents);
    BOOST_TEST(s.write_errors == 0u);
    BOOST_TEST(s.bytes_written > 0u);
}

BOOST_AUTO_TEST_CASE(keyed_events_replay_in_publish_order_from_any_cursor)
{
    BusMemoryUnderTest mem;
    constexpr std::uint64_t kEvents = 1000;
    bus::Producer producer(7);
    {
        bus::Bus engine(mem.buffers(), mem.adapter(), engine_config(8));
        for (std::uint64_t i = 0; i < kEvents; ++i) {
            const std::string body = std::to_string(i);
            net_buffer_t* b = mem.buffers().allocate(body.size());
            std::memcpy(b->data, body.data(), body.size());
            while (engine.publish_keyed(producer, 3, 99, b) == NET_E_WOULD_BLOCK) std::this_thread::yield();
        }
    }  // the destructor stops and drains
    const std::uint32_t shard = bus::shard_for_key(99, 8);
    const auto all = mem.read_all(shard, {0, 0}, 64);
    BOOST_REQUIRE_EQUAL(all.size(), kEvents);
    for (std::uint64_t i = 0; i < kEvents; ++i) BOOST_REQUIRE_EQUAL(text(all[i].event.payload), std::to_string(i));
    release_all(all);
    // Exclusive cursors: after entry 499's cursor come entries 500...
    const auto tail = mem.read_all(shard, {0, 500});
    BOOST_REQUIRE_EQUAL(tail.size(), 500u);
    BOOST_TEST(tail.front().event.producer_sequence == 500u);
    BOOST_TEST(tail.front().cursor.lo == 501u);
    release_all(tail);
    BOOST_TEST(mem.read_all(shard, {0, kEvents}).empty());
    BOOST_TEST(mem.read_all((shard + 1) % 8).empty());
}

BOOST_AUTO_TEST_CASE(abi_checks)
{
    BusMemoryUnderTest mem;
    const auto& api = mem.api();
    net_bus_record_t out[4];
    std::size_t n = 7;
    BOOST_TEST(api.read(mem.object(), 0, {0, 0}, out, 4, &n) == NET_E_BAD_STATE);  // not configured yet
    BOOST_TEST(n == 0u);
    BOOST_TEST(api.configure(mem.object(), 0) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(api.configure(mem.object(), 2) == NET_OK);
    BOOST_TEST(api.configure(mem.object(), 2) == NET_OK);
    BOOST_TEST(api.configure(mem.object(), 3) == NET_E_CONFIG);
    BOOST_TEST(api.read(mem.object(), 2, {0, 0}, out, 4, &n) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(api.read(mem.object(), 0, {1, 0}, out, 4, &n) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(api.read(mem.object(), 0, {0, 0}, out, 4, nullptr) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(api.read(mem.object(), 0, {0, 0}, out, 4, &n) == NET_OK);
    BOOST_TEST(n == 0u);
    BOOST_TEST(api.write_batch(mem.object(), nullptr) == NET_E_INVALID_ARGUMENT);
    net_buffer_t* b = mem.buffers().allocate(3);
    std::memcpy(b->data, "abc", 3);
    net_bus_event_t e{bus::dedup_id(1, 0), 1, 0, 5, 123, b};
    net_bus_batch_t batch{sizeof(net_bus_batch_t), 5, 0, 0, &e, 1};
    BOOST_TEST(api.write_batch(mem.object(), &batch) == NET_E_INVALID_ARGUMENT);  // shard 5 of 2
    batch.shard = 1;
    BOOST_TEST(api.write_batch(mem.object(), &batch) == NET_OK);
    BOOST_TEST(nk::BufferPool::use_count(b) == 2u);  // the adapter keeps its own reference
    nk::BufferPool::release(b);
    BOOST_TEST(api.read(mem.object(), 1, {0, 0}, out, 4, &n) == NET_OK);
    BOOST_REQUIRE_EQUAL(n, 1u);
    BOOST_TEST(out[0].event.timestamp_ns == 123);
    BOOST_TEST(text(out[0].event.payload) == "abc");
    nk::BufferPool::release(out[0].event.payload);
    net_bus_adapter_stats_t small{};
    small.struct_size = 16;  // an older caller: only the first 16 bytes are written
    BOOST_TEST(api.stats(mem.object(), &small) == NET_OK);
    BOOST_TEST(small.batches_written == 1u);
    BOOST_TEST(small.events_written == 0u);  // beyond its struct_size: untouched
    BOOST_TEST(mem.stats().write_errors == 2u);
}

BOOST_AUTO_TEST_CASE(max_events_per_shard_drops_the_oldest)
{
    BusMemoryUnderTest mem(nlohmann::json{{"max_events_per_shard", 10}});
    BOOST_REQUIRE_EQUAL(mem.api().configure(mem.object(), 1), NET_OK);
    std::vector<net_buffer_t*> mine;
    for (std::uint64_t i = 0; i < 25; ++i) {
        net_buffer_t* b = mem.buffers().allocate(8);
        std::memcpy(b->data, &i, 8);
        mine.push_back(b);
        net_bus_event_t e{bus::dedup_id(1, i), 1, i, 0, 0, b};
        net_bus_batch_t batch{sizeof(net_bus_batch_t), 0, 0, 0, &e, 1};
        BOOST_REQUIRE_EQUAL(mem.api().write_batch(mem.object(), &batch), NET_OK);
    }
    for (std::size_t i = 0; i < mine.size(); ++i) {
        BOOST_TEST(nk::BufferPool::use_count(mine[i]) == (i < 15 ? 1u : 2u));  // dropped ones were released
        nk::BufferPool::release(mine[i]);
    }
    const auto kept = mem.read_all(0);
    BOOST_REQUIRE_EQUAL(kept.size(), 10u);
    BOOST_TEST(kept.front().event.producer_sequence == 15u);
    BOOST_TEST(kept.front().cursor.lo == 16u);  // cursors keep counting across drops
    BOOST_TEST(kept.back().cursor.lo == 25u);
    release_all(kept);
    const auto from_dropped = mem.read_all(0, {0, 3});  // a cursor into dropped entries resumes at the oldest kept
    BOOST_TEST(from_dropped.size() == 10u);
    release_all(from_dropped);
}

BOOST_AUTO_TEST_CASE(config_is_checked_against_the_schema)
{
    BOOST_CHECK_THROW(BusMemoryUnderTest(nlohmann::json{{"max_events_per_shard", 0}}), std::exception);
    BOOST_CHECK_THROW(BusMemoryUnderTest(nlohmann::json{{"fail_every_n", 3}}), std::exception);
}

BOOST_AUTO_TEST_CASE(the_bus_finds_the_adapter_by_instance_name)
{
    BusMemoryUnderTest mem;
    BOOST_TEST(bus::find_bus_adapter(mem.host(), "mem").self == mem.object());
    BOOST_CHECK_THROW(bus::find_bus_adapter(mem.host(), "nope"), bus::BusError);
}
