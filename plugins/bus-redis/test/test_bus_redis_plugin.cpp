// The real plugin loaded through the kernel's PluginHost, against a real redis-server started per
// test (tests/support/redis_server.hpp): net.bus.adapter/1 write_batch/read/stats end to end.
#define BOOST_TEST_MODULE bus_redis_plugin
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/iface/bus_adapter.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/bus/dedup.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"
#include "net/kernel/plugin_instance.hpp"
#include "net_test_support.hpp"
#include "redis_server.hpp"

namespace nk = net::kernel;
using net::test::RedisServer;
using net::test::RedisServerOptions;

namespace {

const std::string kLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-bus-redis.so";

bool transient(net_status_t s) { return s == NET_E_UNAVAILABLE || s == NET_E_TIMEOUT || s == NET_E_IO; }

class AdapterUnderTest {
public:
    explicit AdapterUnderTest(nlohmann::json config) : host_(services_)
    {
        loop_.start();
        host_.load({nk::InstanceSpec{"bus", kLibrary, std::move(config), {}, {}, {}}});
        host_.start_all();
        auto found = host_.resolve_interface("bus", NET_IFACE_BUS_ADAPTER_V1);
        if (!found) throw std::runtime_error("plugin does not provide " NET_IFACE_BUS_ADAPTER_V1);
        api_ = static_cast<const net_bus_adapter_v1_t*>(found->vtable);
        object_ = found->object;
        keepalive_ = found->keepalive;
    }
    ~AdapterUnderTest() { host_.stop_all(); }

    net_status_t configure(std::uint32_t shards) const { return api_->configure(object_, shards); }
    net_status_t write(const net_bus_batch_t& batch) const { return api_->write_batch(object_, &batch); }
    net_status_t read(std::uint32_t shard, net_bus_cursor_t after, net_bus_record_t* out, std::size_t max,
                      std::size_t* count) const
    {
        return api_->read(object_, shard, after, out, max, count);
    }
    net_bus_adapter_stats_t stats() const
    {
        net_bus_adapter_stats_t s{};
        s.struct_size = sizeof(s);
        api_->stats(object_, &s);
        return s;
    }
    const net_bus_adapter_v1_t& api() const { return *api_; }
    nk::BufferPool& buffers() { return buffers_; }
    std::string log_text() const { return log_.str(); }

private:
    std::ostringstream log_;
    nk::Logger logger_{log_, NET_LOG_INFO};
    nk::EventLoop loop_{1};
    nk::BufferPool buffers_;
    nk::MetricsRegistry metrics_;
    nk::HostServices services_{loop_, buffers_, metrics_, logger_};
    nk::PluginHost host_;
    const net_bus_adapter_v1_t* api_ = nullptr;
    void* object_ = nullptr;
    std::shared_ptr<nk::PluginLibrary> keepalive_;
};

// An event as the test keeps it; the adapter sees it as net_bus_event_t.
struct TestEvent {
    std::uint64_t dedup_id, producer_id, producer_sequence, channel_hash;
    std::int64_t timestamp_ns;
    std::string payload;
};

// The engine's dedup id (docs/bus.md): XXH3-64 of producer and sequence.
std::uint64_t dedup_of(std::uint64_t producer, std::uint64_t sequence)
{
    return net::kernel::bus::dedup_id(producer, sequence);
}

// Binary payloads of varying length with NUL, CR/LF and high bytes; sequence 0 mod 17 is empty.
std::string payload_for(std::uint64_t sequence)
{
    const std::size_t n = sequence % 17 == 0 ? 0 : 1 + (sequence * 7919) % 700;
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((sequence * 31 + i * 17) & 0xff);
    if (n > 3) {
        s[0] = '\r';
        s[1] = '\n';
        s[2] = '\0';
    }
    return s;
}

std::vector<TestEvent> make_events(std::uint64_t producer, std::uint64_t first_sequence, std::size_t count)
{
    std::vector<TestEvent> events;
    for (std::uint64_t q = first_sequence; q < first_sequence + count; ++q) {
        events.push_back({dedup_of(producer, q), producer, q, 0xC0FFEE00ULL + producer, 1'700'000'000'000'000'000LL + static_cast<std::int64_t>(q),
                          payload_for(q)});
    }
    return events;
}

// The batch as the engine would pass it: payloads in kernel buffers, borrowed for the call.
class Batch {
public:
    Batch(nk::BufferPool& pool, std::uint32_t shard, const std::vector<TestEvent>& events) : shard_(shard)
    {
        for (const TestEvent& e : events) {
            net_buffer_t* b = pool.allocate(e.payload.size());
            if (!e.payload.empty()) std::memcpy(b->data, e.payload.data(), e.payload.size());
            abi_.push_back({e.dedup_id, e.producer_id, e.producer_sequence, e.channel_hash, e.timestamp_ns, b});
        }
    }
    ~Batch()
    {
        for (const net_bus_event_t& e : abi_) nk::BufferPool::release(e.payload);
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    net_bus_batch_t attempt(std::uint32_t n) const
    {
        return net_bus_batch_t{sizeof(net_bus_batch_t), shard_, n, 0, abi_.data(), abi_.size()};
    }

private:
    std::uint32_t shard_;
    std::vector<net_bus_event_t> abi_;
};

// What the engine does with a batch: retry transient failures (same batch, attempt + 1, a short
// backoff) until it is acknowledged. Returns the transient statuses seen; fails on a permanent one.
std::vector<net_status_t> write_until_acknowledged(const AdapterUnderTest& a, const Batch& batch,
                                                   std::chrono::milliseconds limit = std::chrono::milliseconds(20000))
{
    std::vector<net_status_t> seen;
    const auto end = std::chrono::steady_clock::now() + limit;
    for (std::uint32_t attempt = 0;; ++attempt) {
        const net_status_t s = a.write(batch.attempt(attempt));
        if (s == NET_OK) return seen;
        if (!transient(s)) throw std::runtime_error(std::string("permanent status during retries: ") + net_status_name(s));
        seen.push_back(s);
        if (std::chrono::steady_clock::now() > end) throw std::runtime_error("batch not acknowledged in time");
        std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
}

struct ReadBack {
    std::vector<net_bus_cursor_t> cursors;
    std::vector<TestEvent> events;
};

// Reads a whole shard, `page` records at a time, each read starting at the last cursor returned.
ReadBack read_all(const AdapterUnderTest& a, std::uint32_t shard, std::size_t page = 64, net_bus_cursor_t from = {0, 0})
{
    ReadBack out;
    std::vector<net_bus_record_t> records(page);
    net_bus_cursor_t cursor = from;
    for (;;) {
        std::size_t n = 0;
        const net_status_t s = a.read(shard, cursor, records.data(), page, &n);
        if (s != NET_OK) throw std::runtime_error(std::string("read failed: ") + net_status_name(s));
        for (std::size_t i = 0; i < n; ++i) {
            const net_bus_record_t& r = records[i];
            out.cursors.push_back(r.cursor);
            out.events.push_back({r.event.dedup_id, r.event.producer_id, r.event.producer_sequence, r.event.channel_hash,
                                  r.event.timestamp_ns,
                                  std::string(reinterpret_cast<const char*>(r.event.payload->data), r.event.payload->len)});
            nk::BufferPool::release(r.event.payload);
        }
        if (n == 0) return out;
        cursor = records[n - 1].cursor;
    }
}

bool same(const TestEvent& a, const TestEvent& b)
{
    return a.dedup_id == b.dedup_id && a.producer_id == b.producer_id && a.producer_sequence == b.producer_sequence &&
           a.channel_hash == b.channel_hash && a.timestamp_ns == b.timestamp_ns && a.payload == b.payload;
}

// Keeps the first copy of each event, as a bus reader does: the kernel's DedupFilter, which also
// checks that each stored dedup id is the one its producer and sequence give.
std::vector<TestEvent> deduplicated(const std::vector<TestEvent>& events)
{
    net::kernel::bus::DedupFilter filter;
    std::vector<TestEvent> out;
    for (const TestEvent& e : events) {
        const net_bus_event_t abi{e.dedup_id, e.producer_id, e.producer_sequence, e.channel_hash, e.timestamp_ns, nullptr};
        if (filter.accept(abi)) out.push_back(e);
    }
    BOOST_TEST(filter.stats().mismatched == 0u);
    return out;
}

void require_same_sequence(const std::vector<TestEvent>& got, const std::vector<TestEvent>& expected)
{
    BOOST_REQUIRE_EQUAL(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (!same(got[i], expected[i])) BOOST_FAIL("event " << i << " differs (producer_sequence " << got[i].producer_sequence << ")");
    }
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

std::string hex16(std::uint64_t v)
{
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

nlohmann::json config_for(const RedisServer& redis, nlohmann::json extra = nlohmann::json::object())
{
    nlohmann::json c = {{"port", redis.port()}, {"command_timeout_ms", 2000}, {"reconnect_backoff_min_ms", 10},
                        {"reconnect_backoff_max_ms", 100}};
    for (const auto& item : extra.items()) c[item.key()] = item.value();
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(entries_read_with_redis_cli_follow_the_documented_fields)
{
    RedisServer redis;
    AdapterUnderTest a(config_for(redis));
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);
    std::vector<TestEvent> events = make_events(7, 0, 3);
    events[0].payload = "hello";
    events[1].payload = "world";
    events[2].payload = "";
    events[2].timestamp_ns = -5;  // before the epoch: signed decimal
    Batch batch(a.buffers(), 0, events);
    BOOST_REQUIRE_EQUAL(a.write(batch.attempt(0)), NET_OK);

    const std::vector<std::string> lines = lines_of(redis.cli("XRANGE net:bus:0 - +"));
    // Per entry: its id, then six field/value pairs in this order.
    BOOST_REQUIRE_EQUAL(lines.size(), 3u * 13u);
    for (std::size_t i = 0; i < 3; ++i) {
        const std::vector<std::string> entry(lines.begin() + static_cast<std::ptrdiff_t>(i * 13),
                                             lines.begin() + static_cast<std::ptrdiff_t>(i * 13 + 13));
        BOOST_TEST_CONTEXT("entry " << i << " id " << entry[0])
        {
            BOOST_TEST(entry[0].find('-') != std::string::npos);
            BOOST_TEST(entry[1] == "dedup_id");
            BOOST_TEST(entry[2] == hex16(events[i].dedup_id));
            BOOST_TEST(entry[3] == "producer_id");
            BOOST_TEST(entry[4] == "0000000000000007");
            BOOST_TEST(entry[5] == "producer_sequence");
            BOOST_TEST(entry[6] == std::to_string(i));
            BOOST_TEST(entry[7] == "channel_hash");
            BOOST_TEST(entry[8] == "00000000c0ffee07");
            BOOST_TEST(entry[9] == "timestamp_ns");
            BOOST_TEST(entry[10] == std::to_string(events[i].timestamp_ns));
            BOOST_TEST(entry[11] == "payload");
            BOOST_TEST(entry[12] == events[i].payload);
        }
    }
    BOOST_TEST(lines_of(redis.cli("HGET net:bus:meta shard_count")).at(0) == "1");
    const net_bus_adapter_stats_t s = a.stats();
    BOOST_TEST(s.connected == 1u);
    BOOST_TEST(s.batches_written == 1u);
    BOOST_TEST(s.events_written == 3u);
    BOOST_TEST(s.bytes_written == 10u);
    BOOST_TEST(s.write_errors == 0u);
}

BOOST_AUTO_TEST_CASE(reads_are_exclusive_in_order_across_batches_and_binary_safe)
{
    RedisServer redis;
    AdapterUnderTest a(config_for(redis));
    net_bus_record_t one[1];
    std::size_t n = 99;
    BOOST_TEST(a.read(0, {0, 0}, one, 1, &n) == NET_E_BAD_STATE);  // before configure
    BOOST_REQUIRE_EQUAL(a.configure(2), NET_OK);
    BOOST_TEST(a.configure(2) == NET_OK);
    BOOST_TEST(a.configure(3) == NET_E_BAD_STATE);

    std::vector<TestEvent> written;
    for (int b = 0; b < 5; ++b) {
        const std::vector<TestEvent> events = make_events(1, written.size(), 50);
        Batch batch(a.buffers(), 1, events);
        BOOST_REQUIRE_EQUAL(a.write(batch.attempt(0)), NET_OK);
        written.insert(written.end(), events.begin(), events.end());
    }
    const ReadBack all = read_all(a, 1, 64);
    require_same_sequence(all.events, written);
    for (std::size_t i = 1; i < all.cursors.size(); ++i) {
        const bool after = all.cursors[i].hi > all.cursors[i - 1].hi ||
                           (all.cursors[i].hi == all.cursors[i - 1].hi && all.cursors[i].lo > all.cursors[i - 1].lo);
        BOOST_REQUIRE(after);
    }
    // Exclusive: from the cursor of entry k, the first record is entry k + 1.
    for (std::size_t k : {std::size_t{0}, std::size_t{49}, std::size_t{50}, std::size_t{248}}) {
        BOOST_REQUIRE_EQUAL(a.read(1, all.cursors[k], one, 1, &n), NET_OK);
        BOOST_REQUIRE_EQUAL(n, 1u);
        BOOST_TEST(one[0].cursor.hi == all.cursors[k + 1].hi);
        BOOST_TEST(one[0].cursor.lo == all.cursors[k + 1].lo);
        BOOST_TEST(one[0].event.producer_sequence == k + 1);
        nk::BufferPool::release(one[0].event.payload);
    }
    BOOST_REQUIRE_EQUAL(a.read(1, all.cursors.back(), one, 1, &n), NET_OK);
    BOOST_TEST(n == 0u);
    BOOST_REQUIRE_EQUAL(a.read(0, {0, 0}, one, 1, &n), NET_OK);  // the other shard is empty
    BOOST_TEST(n == 0u);
    BOOST_TEST(a.read(2, {0, 0}, one, 1, &n) == NET_E_INVALID_ARGUMENT);
    const std::vector<TestEvent> one_event = make_events(1, 0, 1);
    Batch outside(a.buffers(), 2, one_event);
    BOOST_TEST(a.write(outside.attempt(0)) == NET_E_INVALID_ARGUMENT);
    const net_bus_adapter_stats_t s = a.stats();
    BOOST_TEST(s.events_written == 250u);
    BOOST_TEST(s.events_read == 254u);
}

BOOST_AUTO_TEST_CASE(a_retried_batch_is_written_twice_and_dedup_removes_the_copy)
{
    RedisServer redis;
    AdapterUnderTest a(config_for(redis));
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);
    const std::vector<TestEvent> first = make_events(3, 0, 20);
    const std::vector<TestEvent> second = make_events(3, 20, 20);
    Batch b1(a.buffers(), 0, first);
    Batch b2(a.buffers(), 0, second);
    BOOST_REQUIRE_EQUAL(a.write(b1.attempt(0)), NET_OK);
    // The acknowledgement "was lost": the engine writes the same batch again.
    BOOST_REQUIRE_EQUAL(a.write(b1.attempt(1)), NET_OK);
    BOOST_REQUIRE_EQUAL(a.write(b2.attempt(0)), NET_OK);

    const ReadBack all = read_all(a, 0);
    BOOST_REQUIRE_EQUAL(all.events.size(), 60u);
    for (std::size_t i = 0; i < 20; ++i) BOOST_TEST(all.events[20 + i].dedup_id == all.events[i].dedup_id);
    std::vector<TestEvent> expected = first;
    expected.insert(expected.end(), second.begin(), second.end());
    require_same_sequence(deduplicated(all.events), expected);
}

BOOST_AUTO_TEST_CASE(acknowledged_events_survive_sigkill_and_restart)
{
    RedisServerOptions durable;
    durable.appendonly = true;
    durable.appendfsync = "always";  // an acknowledged write is in the AOF on disk
    RedisServer redis(durable);
    AdapterUnderTest a(config_for(redis, {{"pool_size", 2}, {"command_timeout_ms", 1000}}));
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);
    std::vector<TestEvent> written;
    auto next_batch = [&] {
        std::vector<TestEvent> events = make_events(9, written.size(), 32);
        written.insert(written.end(), events.begin(), events.end());
        return events;
    };

    for (int i = 0; i < 20; ++i) {
        Batch batch(a.buffers(), 0, next_batch());
        BOOST_REQUIRE(write_until_acknowledged(a, batch).empty());
    }
    // Down between two batches: the next write fails transiently until the server is back.
    redis.kill9();
    {
        Batch batch(a.buffers(), 0, next_batch());
        const net_status_t s = a.write(batch.attempt(0));
        BOOST_TEST_INFO("write with redis down: " << net_status_name(s));
        BOOST_TEST(transient(s));
        BOOST_TEST(a.stats().connected == 0u);
        std::vector<net_status_t> seen;
        std::thread writer([&] { seen = write_until_acknowledged(a, batch); });
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        redis.start();
        writer.join();
        BOOST_TEST(!seen.empty());  // the retries during the outage failed, transiently
    }
    // Down in the middle of the stream: a writer thread keeps going while the server is killed
    // twice at random moments (possibly with a transaction in flight) and restarted.
    std::atomic<bool> done{false};
    std::atomic<int> transient_seen{0};
    std::atomic<int> acknowledged{0};  // batches the mid-stream writer got acknowledged
    std::atomic<bool> writer_failed{false};
    std::string writer_error;
    std::thread writer([&] {
        try {
            for (int i = 0; !(done && i > 60); ++i) {
                Batch batch(a.buffers(), 0, next_batch());
                transient_seen += static_cast<int>(write_until_acknowledged(a, batch).size());
                ++acknowledged;
            }
        } catch (const std::exception& e) {
            writer_error = e.what();
            writer_failed = true;
        }
    });
    // Each kill lands after the writer has come back from the previous one (a batch acknowledged
    // since the restart), so that every kill costs the adapter a connection, however slowly the
    // writer runs (sanitizers, a loaded machine).
    auto writer_came_back = [&](int since) {
        return net::test::eventually([&] { return acknowledged.load() > since || writer_failed.load(); },
                                     std::chrono::seconds(20));
    };
    std::mt19937 rng(42);
    bool came_back = true;
    for (int k = 0; k < 2 && came_back; ++k) {
        came_back = writer_came_back(acknowledged.load());
        if (!came_back) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 120)(rng)));
        redis.kill9();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const int before_restart = acknowledged.load();
        redis.start();
        came_back = writer_came_back(before_restart);
    }
    done = true;
    writer.join();
    BOOST_REQUIRE_MESSAGE(writer_error.empty(), writer_error);
    BOOST_REQUIRE_MESSAGE(came_back, "the writer got no batch acknowledged within 20 s of a restart");
    BOOST_TEST(transient_seen.load() > 0);

    // Every acknowledged event is there, in order once duplicates are removed.
    const ReadBack all = read_all(a, 0, 500);
    BOOST_TEST_MESSAGE("written " << written.size() << ", read " << all.events.size() << " (duplicates "
                                  << all.events.size() - deduplicated(all.events).size() << ")");
    require_same_sequence(deduplicated(all.events), written);
    const net_bus_adapter_stats_t s = a.stats();
    BOOST_TEST(s.connected == 1u);
    BOOST_TEST(s.reconnects >= 3u);
    BOOST_TEST(s.write_errors >= 3u);
    BOOST_TEST(a.log_text().find("lost the connection to redis") != std::string::npos);
    BOOST_TEST(a.log_text().find("again after") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(redis_down_at_start_is_a_warning_then_writes_succeed_once_it_is_up)
{
    RedisServer redis({}, RedisServer::NotStarted{});
    AdapterUnderTest a(config_for(redis));  // start does not fail
    BOOST_TEST_INFO(a.log_text());
    BOOST_TEST(a.log_text().find(" warn ") != std::string::npos);
    BOOST_TEST(a.log_text().find("is not reachable at start (redis connection: Connection refused)") != std::string::npos);
    BOOST_TEST(a.log_text().find("127.0.0.1:" + std::to_string(redis.port())) != std::string::npos);
    BOOST_TEST(a.stats().connected == 0u);
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);  // the shard count is checked later
    const std::vector<TestEvent> events = make_events(1, 0, 10);
    Batch batch(a.buffers(), 0, events);
    BOOST_TEST(a.write(batch.attempt(0)) == NET_E_UNAVAILABLE);

    redis.start();
    BOOST_TEST(write_until_acknowledged(a, batch).size() <= 20u);
    require_same_sequence(read_all(a, 0).events, events);
    BOOST_TEST(a.stats().connected == 1u);
    BOOST_TEST(lines_of(redis.cli("HGET net:bus:meta shard_count")).at(0) == "1");
}

BOOST_AUTO_TEST_CASE(bad_config_is_refused_naming_the_field)
{
    auto refusal = [](nlohmann::json config) -> std::string {
        try {
            AdapterUnderTest a(std::move(config));
        } catch (const std::exception& e) {
            return e.what();
        }
        return "(accepted)";
    };
    const std::string port = refusal({{"port", 70000}});
    BOOST_TEST_INFO(port);
    BOOST_TEST(port.find("/config/port") != std::string::npos);
    const std::string unknown = refusal({{"prot", 6379}});
    BOOST_TEST_INFO(unknown);
    BOOST_TEST(unknown.find("prot") != std::string::npos);
    const std::string both = refusal({{"socket", "/tmp/x.sock"}, {"port", 6379}});
    BOOST_TEST_INFO(both);
    BOOST_TEST(both.find("\"socket\"") != std::string::npos);
    const std::string backoff = refusal({{"reconnect_backoff_min_ms", 500}, {"reconnect_backoff_max_ms", 100}});
    BOOST_TEST_INFO(backoff);
    BOOST_TEST(backoff.find("reconnect_backoff_min_ms") != std::string::npos);
    BOOST_TEST(refusal({{"pool_size", 0}}).find("/config/pool_size") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_key_of_another_type_is_a_permanent_error)
{
    RedisServer redis;
    redis.cli("SET net:bus:0 not-a-stream");
    AdapterUnderTest a(config_for(redis));
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);
    const std::vector<TestEvent> events = make_events(1, 0, 5);
    Batch batch(a.buffers(), 0, events);
    const net_status_t s = a.write(batch.attempt(0));
    BOOST_TEST(s == NET_E_CONFIG);
    BOOST_TEST(!transient(s));
    net_bus_record_t out[4];
    std::size_t n = 0;
    BOOST_TEST(a.read(0, {0, 0}, out, 4, &n) == NET_E_CONFIG);
    const net_bus_adapter_stats_t st = a.stats();
    BOOST_TEST(st.write_errors == 1u);
    BOOST_TEST(st.connected == 1u);  // the connection was fine; nothing to reconnect
    BOOST_TEST(st.reconnects == 0u);
    BOOST_TEST(a.log_text().find("WRONGTYPE") != std::string::npos);
    BOOST_TEST(a.log_text().find("net:bus:0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_different_shard_count_on_the_same_prefix_is_refused)
{
    RedisServer redis;
    AdapterUnderTest first(config_for(redis));
    BOOST_REQUIRE_EQUAL(first.configure(4), NET_OK);
    AdapterUnderTest second(config_for(redis));
    BOOST_TEST(second.configure(8) == NET_E_CONFIG);
    BOOST_TEST(second.log_text().find("shard_count=4") != std::string::npos);
    const std::vector<TestEvent> events = make_events(1, 0, 1);
    Batch batch(second.buffers(), 0, events);
    BOOST_TEST(second.write(batch.attempt(0)) == NET_E_CONFIG);
    AdapterUnderTest third(config_for(redis, {{"key_prefix", "other:bus"}}));
    BOOST_TEST(third.configure(8) == NET_OK);
}

BOOST_AUTO_TEST_CASE(malformed_entries_are_skipped_and_logged_with_key_and_id)
{
    RedisServer redis;
    AdapterUnderTest a(config_for(redis));
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);
    const std::vector<TestEvent> first = make_events(2, 0, 3);
    const std::vector<TestEvent> second = make_events(2, 3, 3);
    Batch b1(a.buffers(), 0, first);
    Batch b2(a.buffers(), 0, second);
    const std::string foreign = lines_of(redis.cli("XADD net:bus:0 '*' foo bar")).at(0);
    BOOST_REQUIRE_EQUAL(a.write(b1.attempt(0)), NET_OK);
    const std::string bad_hex =
        lines_of(redis.cli("XADD net:bus:0 '*' dedup_id xyz producer_id 0000000000000001 producer_sequence 1 "
                           "channel_hash 0000000000000001 timestamp_ns 1 payload p"))
            .at(0);
    BOOST_REQUIRE_EQUAL(a.write(b2.attempt(0)), NET_OK);
    const std::string trailing =
        lines_of(redis.cli("XADD net:bus:0 '*' dedup_id 0000000000000001 producer_id 0000000000000001 "
                           "producer_sequence -1 channel_hash 0000000000000001 timestamp_ns 1 payload p"))
            .at(0);

    // Pages of 2: a page can hold only malformed entries, and the read still makes progress.
    std::vector<TestEvent> expected = first;
    expected.insert(expected.end(), second.begin(), second.end());
    require_same_sequence(read_all(a, 0, 2).events, expected);
    const std::string log = a.log_text();
    BOOST_TEST_INFO(log);
    BOOST_TEST(log.find("malformed entry net:bus:0 " + foreign + " skipped: missing field dedup_id") != std::string::npos);
    BOOST_TEST(log.find("malformed entry net:bus:0 " + bad_hex + " skipped: field dedup_id: expected 16 hex digits") !=
               std::string::npos);
    BOOST_TEST(log.find("malformed entry net:bus:0 " + trailing + " skipped: field producer_sequence") != std::string::npos);
    // A second pass does not log the same entries again.
    const std::size_t before = a.log_text().size();
    read_all(a, 0, 2);
    BOOST_TEST(a.log_text().size() == before);
}

BOOST_AUTO_TEST_CASE(unix_socket_with_auth_and_shards_written_concurrently)
{
    RedisServerOptions options;
    options.unix_socket = true;
    options.extra_args = {"--requirepass", "s3cret"};
    RedisServer redis(options);
    {
        AdapterUnderTest wrong({{"socket", redis.socket_path().string()}, {"password", "nope"}});
        BOOST_TEST(wrong.log_text().find("WRONGPASS") != std::string::npos);
        BOOST_TEST(wrong.configure(4) == NET_E_DENIED);
    }
    AdapterUnderTest a({{"socket", redis.socket_path().string()}, {"password", "s3cret"}, {"pool_size", 2}});
    BOOST_REQUIRE_EQUAL(a.configure(4), NET_OK);
    std::vector<std::vector<TestEvent>> written(4);
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (std::uint32_t shard = 0; shard < 4; ++shard) {
        writers.emplace_back([&, shard] {
            for (int b = 0; b < 30; ++b) {
                const std::vector<TestEvent> events = make_events(100 + shard, written[shard].size(), 20);
                Batch batch(a.buffers(), shard, events);
                if (a.write(batch.attempt(0)) != NET_OK) ++failures;
                written[shard].insert(written[shard].end(), events.begin(), events.end());
            }
        });
    }
    for (std::thread& t : writers) t.join();
    BOOST_TEST(failures.load() == 0);
    for (std::uint32_t shard = 0; shard < 4; ++shard) require_same_sequence(read_all(a, shard, 100).events, written[shard]);
    BOOST_TEST(a.stats().events_written == 4u * 30u * 20u);
}

BOOST_AUTO_TEST_CASE(max_stream_length_lets_redis_trim_the_stream)
{
    RedisServer redis;
    AdapterUnderTest a(config_for(redis, {{"max_stream_length", 100}}));
    BOOST_REQUIRE_EQUAL(a.configure(1), NET_OK);
    for (int b = 0; b < 20; ++b) {
        const std::vector<TestEvent> events = make_events(1, static_cast<std::uint64_t>(b) * 100, 100);
        Batch batch(a.buffers(), 0, events);
        BOOST_REQUIRE_EQUAL(a.write(batch.attempt(0)), NET_OK);
    }
    const long length = std::stol(lines_of(redis.cli("XLEN net:bus:0")).at(0));
    BOOST_TEST(length >= 100);
    BOOST_TEST(length < 400);  // "~": whole nodes of up to 100 entries are dropped
    const ReadBack rest = read_all(a, 0);
    BOOST_TEST(rest.events.back().producer_sequence == 1999u);
}
