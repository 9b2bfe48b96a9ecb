// The real plugin loaded through the kernel's PluginHost: the net.redex/1 C ABI end to end.
#define BOOST_TEST_MODULE redex_plugin
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "net/iface/redex.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"
#include "net_test_support.hpp"
#include "redex_abi_layout.h"

extern "C" std::size_t net_redex_c11_sizeof_interface(void);

namespace nk = net::kernel;

namespace {

const std::string kLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-redex.so";

class RedexUnderTest {
public:
    explicit RedexUnderTest(nlohmann::json config) : host_(services_)
    {
        loop_.start();
        host_.load({nk::InstanceSpec{"redex", kLibrary, std::move(config), {}, {}, {}}});
        host_.start_all();
        auto found = host_.resolve_interface("redex", NET_IFACE_REDEX_V1);
        if (!found) throw std::runtime_error("plugin does not provide " NET_IFACE_REDEX_V1);
        iface_ = static_cast<const net_redex_v1_t*>(found->vtable);
        object_ = found->object;
        keepalive_ = found->keepalive;
    }
    ~RedexUnderTest() { host_.stop_all(); }

    const net_redex_v1_t& api() const { return *iface_; }
    void* object() const { return object_; }
    std::string log_text() const { return log_.str(); }

private:
    std::ostringstream log_;
    nk::Logger logger_{log_, NET_LOG_INFO};
    nk::EventLoop loop_{2};
    nk::BufferPool buffers_;
    nk::MetricsRegistry metrics_;
    nk::HostServices services_{loop_, buffers_, metrics_, logger_};
    nk::PluginHost host_;
    const net_redex_v1_t* iface_ = nullptr;
    void* object_ = nullptr;
    std::shared_ptr<nk::PluginLibrary> keepalive_;
};

net_bytes_t view(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }
std::string text(const net_buffer_t* b) { return {reinterpret_cast<const char*>(b->data), b->len}; }

struct Seen {
    std::mutex mutex;
    std::vector<std::pair<std::uint64_t, std::string>> entries;
    std::size_t size()
    {
        std::lock_guard lock(mutex);
        return entries.size();
    }
};

void on_entries(void* user, std::uint64_t, const net_redex_entry_t* entries, std::size_t count)
{
    Seen& seen = *static_cast<Seen*>(user);
    std::lock_guard lock(seen.mutex);
    for (std::size_t i = 0; i < count; ++i) seen.entries.emplace_back(entries[i].sequence, text(entries[i].payload));
}

}  // namespace

BOOST_AUTO_TEST_CASE(memory_log_appends_reads_zero_copy_and_watches)
{
    RedexUnderTest p(nlohmann::json::object());
    const net_redex_v1_t& api = p.api();
    BOOST_TEST(api.struct_size == sizeof(net_redex_v1_t));
    BOOST_TEST(net_redex_c11_sizeof_interface() == sizeof(net_redex_v1_t));
    net_redex_log_t* log = nullptr;
    BOOST_TEST(api.open_log(p.object(), "bad/name", &log) == NET_E_INVALID_ARGUMENT);
    BOOST_REQUIRE_EQUAL(api.open_log(p.object(), "orders", &log), NET_OK);

    for (int i = 0; i < 10; ++i) {
        std::uint64_t seq = 99;
        BOOST_REQUIRE_EQUAL(api.append(log, view("event-" + std::to_string(i)), 1000 + i, &seq), NET_OK);
        BOOST_TEST(seq == static_cast<std::uint64_t>(i));
    }
    net_redex_entry_t one{};
    BOOST_REQUIRE_EQUAL(api.read_one(log, 3, &one), NET_OK);
    BOOST_TEST(text(one.payload) == "event-3");
    BOOST_TEST(one.timestamp_ns == 1003);
    BOOST_TEST(api.read_one(log, 10, &one) == NET_E_NOT_FOUND);

    net_redex_entry_t range[8];
    std::size_t count = 0;
    std::uint64_t next = 0;
    BOOST_REQUIRE_EQUAL(api.read_range(log, 2, NET_REDEX_SEQUENCE_END, nullptr, range, 8, &count, &next), NET_OK);
    BOOST_REQUIRE_EQUAL(count, 8u);
    BOOST_TEST(next == 10u);
    // Zero copy: consecutive entries are slices of one segment buffer.
    BOOST_TEST(range[1].payload->data == one.payload->data);
    BOOST_TEST(range[2].payload->data == one.payload->data + one.payload->len);
    BOOST_TEST(nk::BufferPool::storage_use_count(one.payload) > 2u);
    for (std::size_t i = 0; i < count; ++i) nk::BufferPool::release(range[i].payload);
    nk::BufferPool::release(one.payload);

    const std::string prefix = "event-7";
    net_redex_filter_t filter{sizeof(filter), NET_REDEX_FILTER_PREFIX, 0, 0, view(prefix)};
    BOOST_REQUIRE_EQUAL(api.read_range(log, 0, NET_REDEX_SEQUENCE_END, &filter, range, 8, &count, &next), NET_OK);
    BOOST_REQUIRE_EQUAL(count, 1u);
    BOOST_TEST(range[0].sequence == 7u);
    nk::BufferPool::release(range[0].payload);

    Seen seen;
    std::uint64_t watch_id = 0;
    BOOST_REQUIRE_EQUAL(api.watch(log, 5, nullptr, &on_entries, &seen, &watch_id), NET_OK);
    BOOST_TEST(watch_id != 0u);
    BOOST_REQUIRE(net::test::eventually([&] { return seen.size() == 5; }));
    for (int i = 10; i < 110; ++i) api.append(log, view("event-" + std::to_string(i)), NET_REDEX_TIMESTAMP_NOW, nullptr);
    BOOST_REQUIRE(net::test::eventually([&] { return seen.size() == 105; }));
    for (std::size_t i = 0; i < seen.entries.size(); ++i) {
        BOOST_REQUIRE_EQUAL(seen.entries[i].first, 5 + i);
        BOOST_REQUIRE_EQUAL(seen.entries[i].second, "event-" + std::to_string(5 + i));
    }
    BOOST_TEST(api.unwatch(log, watch_id) == NET_OK);
    BOOST_TEST(api.unwatch(log, watch_id) == NET_E_NOT_FOUND);

    net_redex_stats_t stats{};
    stats.struct_size = sizeof(stats);
    BOOST_REQUIRE_EQUAL(api.stats(log, &stats), NET_OK);
    BOOST_TEST(stats.next_sequence == 110u);
    BOOST_TEST(stats.durable == 0u);
    BOOST_TEST(stats.watchers == 0u);
    api.close_log(log);
}

BOOST_AUTO_TEST_CASE(disk_log_keeps_entries_across_instances)
{
    net::test::TempDir dir;
    const nlohmann::json config = {{"directory", dir.path().string()}, {"fsync", "every"}, {"fsync_every", 4}};
    {
        RedexUnderTest p(config);
        net_redex_log_t* log = nullptr;
        BOOST_REQUIRE_EQUAL(p.api().open_log(p.object(), "audit", &log), NET_OK);
        for (int i = 0; i < 50; ++i) BOOST_REQUIRE_EQUAL(p.api().append(log, view("rec-" + std::to_string(i)), i, nullptr), NET_OK);
        net_redex_stats_t stats{};
        stats.struct_size = sizeof(stats);
        p.api().stats(log, &stats);
        BOOST_TEST(stats.synced_sequence == 48u);
        BOOST_TEST(p.api().sync(log) == NET_OK);
        p.api().stats(log, &stats);
        BOOST_TEST(stats.synced_sequence == 50u);
        p.api().close_log(log);
    }
    RedexUnderTest p(config);
    net_redex_log_t* log = nullptr;
    BOOST_REQUIRE_EQUAL(p.api().open_log(p.object(), "audit", &log), NET_OK);
    net_redex_stats_t stats{};
    stats.struct_size = sizeof(stats);
    p.api().stats(log, &stats);
    BOOST_TEST(stats.recovered_entries == 50u);
    BOOST_TEST(stats.durable == 1u);
    net_redex_entry_t e{};
    BOOST_REQUIRE_EQUAL(p.api().read_one(log, 42, &e), NET_OK);
    BOOST_TEST(text(e.payload) == "rec-42");
    BOOST_TEST(e.timestamp_ns == 42);
    nk::BufferPool::release(e.payload);
    p.api().close_log(log);
}

BOOST_AUTO_TEST_CASE(config_is_checked_against_the_schema)
{
    BOOST_CHECK_THROW(RedexUnderTest(nlohmann::json{{"fsync", "sometimes"}}), std::exception);
    BOOST_CHECK_THROW(RedexUnderTest(nlohmann::json{{"retention", {{"max_entries", 0}}}}), std::exception);
}

BOOST_AUTO_TEST_CASE(append_batch_through_the_abi_stamps_each_entry_and_wakes_watchers)
{
    net::test::TempDir dir;
    RedexUnderTest p({{"directory", dir.path().string()}, {"fsync", "every"}, {"fsync_every", 4}});
    const net_redex_v1_t& api = p.api();
    BOOST_REQUIRE(NET_REDEX_HAS(&api, append_batch));
    net_redex_log_t* log = nullptr;
    BOOST_REQUIRE_EQUAL(api.open_log(p.object(), "grouped", &log), NET_OK);
    Seen seen;
    std::uint64_t watch_id = 0;
    BOOST_REQUIRE_EQUAL(api.watch(log, 0, nullptr, &on_entries, &seen, &watch_id), NET_OK);

    const std::string words[] = {"one", "two", "three"};
    const net_bytes_t payloads[] = {view(words[0]), view(words[1]), view(words[2])};
    const std::int64_t stamps[] = {111, NET_REDEX_TIMESTAMP_NOW, 333};
    std::uint64_t first = 99;
    BOOST_REQUIRE_EQUAL(api.append_batch(log, payloads, stamps, 3, &first), NET_OK);
    BOOST_TEST(first == 0u);
    BOOST_REQUIRE_EQUAL(api.append_batch(log, payloads, nullptr, 2, &first), NET_OK);
    BOOST_TEST(first == 3u);

    net_redex_entry_t e{};
    BOOST_REQUIRE_EQUAL(api.read_one(log, 0, &e), NET_OK);
    BOOST_TEST(e.timestamp_ns == 111);
    nk::BufferPool::release(e.payload);
    BOOST_REQUIRE_EQUAL(api.read_one(log, 1, &e), NET_OK);
    BOOST_TEST(e.timestamp_ns > 1'000'000'000'000'000'000LL);  // stamped now (after 2001)
    BOOST_TEST(text(e.payload) == "two");
    nk::BufferPool::release(e.payload);
    BOOST_REQUIRE(net::test::eventually([&] { return seen.size() == 5; }));
    BOOST_TEST(seen.entries[2].second == "three");
    BOOST_TEST(seen.entries[4].second == "two");

    // Bad arguments are refused without appending anything.
    const net_bytes_t null_payload[] = {view(words[0]), net_bytes_t{nullptr, 4}};
    BOOST_TEST(api.append_batch(log, payloads, nullptr, 0, &first) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(api.append_batch(log, nullptr, nullptr, 2, &first) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(api.append_batch(log, null_payload, nullptr, 2, &first) == NET_E_INVALID_ARGUMENT);
    net_redex_stats_t stats{};
    stats.struct_size = sizeof(stats);
    BOOST_REQUIRE_EQUAL(api.stats(log, &stats), NET_OK);
    BOOST_TEST(stats.next_sequence == 5u);
    BOOST_TEST(stats.synced_sequence == 5u);  // the second group crossed fsync_every = 4
    api.close_log(log);
}
