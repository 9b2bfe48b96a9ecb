// The real net.bus.redex plugin over the real net.redex plugin, loaded through the kernel's
// PluginHost: batches written per shard are read back by cursor, survive a restart on disk, and
// bad inputs (another shard count, a foreign entry, a missing RedEX) get clear errors.
#define BOOST_TEST_MODULE bus_redex_plugin
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "net/iface/bus_adapter.h"
#include "net/iface/redex.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"
#include "net_test_support.hpp"

namespace nk = net::kernel;

namespace {

const std::string kRedexLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-redex.so";
const std::string kAdapterLibrary = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-bus-redex.so";

// A node with a RedEX instance (on disk in `dir`, or in memory when empty) and the adapter.
class Node {
public:
    Node(const std::string& dir, nlohmann::json adapter_config = nlohmann::json::object(), bool with_redex = true)
        : host_(services_)
    {
        loop_.start();
        std::vector<nk::InstanceSpec> specs;
        if (with_redex) {
            nlohmann::json redex = nlohmann::json::object();
            if (!dir.empty()) redex = {{"directory", dir}, {"fsync", "every"}, {"fsync_every", 1}};
            specs.push_back(nk::InstanceSpec{"log", kRedexLibrary, redex, {}, {}, {}});
        }
        specs.push_back(nk::InstanceSpec{"bus", kAdapterLibrary, std::move(adapter_config), {}, {}, {}});
        host_.load(std::move(specs));
        host_.start_all();
        auto found = host_.resolve_interface("bus", NET_IFACE_BUS_ADAPTER_V1);
        if (!found) throw std::runtime_error("the adapter does not provide " NET_IFACE_BUS_ADAPTER_V1);
        api_ = static_cast<const net_bus_adapter_v1_t*>(found->vtable);
        object_ = found->object;
        keepalive_ = found->keepalive;
    }
    ~Node() { host_.stop_all(); }

    const net_bus_adapter_v1_t& api() const { return *api_; }
    void* object() const { return object_; }
    nk::BufferPool& buffers() { return buffers_; }
    nk::PluginHost& host() { return host_; }
    std::string log_text() const { return log_.str(); }

    net_status_t write(std::uint32_t shard, std::uint64_t producer, std::uint64_t first_seq, std::size_t count,
                       std::uint32_t attempt = 0)
    {
        std::vector<net_bus_event_t> events;
        std::vector<net_buffer_t*> payloads;
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t seq = first_seq + i;
            const std::string text = "event " + std::to_string(producer) + "/" + std::to_string(seq);
            net_buffer_t* b = buffers_.allocate(text.size());
            std::memcpy(b->data, text.data(), text.size());
            payloads.push_back(b);
            events.push_back({seq * 1000 + producer, producer, seq, 0xC0FFEEull, static_cast<std::int64_t>(seq), b});
        }
        const net_bus_batch_t batch{sizeof(net_bus_batch_t), shard, attempt, 0, events.data(), events.size()};
        const net_status_t s = api_->write_batch(object_, &batch);
        for (net_buffer_t* b : payloads) nk::BufferPool::release(b);
        return s;
    }

    // Every record of `shard` after `from`, `page` at a time; payloads copied out and released.
    struct Read {
        std::uint64_t producer_sequence;
        std::uint64_t dedup_id;
        std::int64_t timestamp_ns;
        std::string payload;
        net_bus_cursor_t cursor;
    };
    std::vector<Read> read_all(std::uint32_t shard, net_bus_cursor_t from = {0, 0}, std::size_t page = 7)
    {
        std::vector<Read> all;
        std::vector<net_bus_record_t> out(page);
        for (;;) {
            std::size_t n = 0;
            const net_status_t s = api_->read(object_, shard, from, out.data(), out.size(), &n);
            if (s != NET_OK) throw std::runtime_error(std::string("read: ") + net_status_name(s));
            if (n == 0) return all;
            for (std::size_t i = 0; i < n; ++i) {
                const net_bus_event_t& e = out[i].event;
                all.push_back({e.producer_sequence, e.dedup_id, e.timestamp_ns,
                               std::string(reinterpret_cast<const char*>(e.payload->data), e.payload->len),
                               out[i].cursor});
                nk::BufferPool::release(e.payload);
            }
            from = out[n - 1].cursor;
        }
    }

private:
    std::ostringstream log_;
    nk::Logger logger_{log_, NET_LOG_INFO};
    nk::EventLoop loop_{2};
    nk::BufferPool buffers_;
    nk::MetricsRegistry metrics_;
    nk::HostServices services_{loop_, buffers_, metrics_, logger_};
    nk::PluginHost host_;
    const net_bus_adapter_v1_t* api_ = nullptr;
    void* object_ = nullptr;
    std::shared_ptr<nk::PluginLibrary> keepalive_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(batches_are_read_back_in_order_per_shard_from_an_exclusive_cursor)
{
    Node node("");
    BOOST_REQUIRE_EQUAL(node.api().configure(node.object(), 3), NET_OK);
    BOOST_REQUIRE_EQUAL(node.write(1, 7, 0, 10), NET_OK);
    BOOST_REQUIRE_EQUAL(node.write(1, 7, 10, 5), NET_OK);
    BOOST_REQUIRE_EQUAL(node.write(2, 9, 0, 3), NET_OK);

    const auto shard1 = node.read_all(1);
    BOOST_REQUIRE_EQUAL(shard1.size(), 15u);
    for (std::size_t i = 0; i < shard1.size(); ++i) {
        BOOST_TEST(shard1[i].producer_sequence == i);
        BOOST_TEST(shard1[i].dedup_id == i * 1000 + 7);
        BOOST_TEST(shard1[i].timestamp_ns == static_cast<std::int64_t>(i));
        BOOST_TEST(shard1[i].payload == "event 7/" + std::to_string(i));
    }
    BOOST_TEST(node.read_all(2).size() == 3u);
    BOOST_TEST(node.read_all(0).empty());

    // Exclusive: reading after record 4's cursor starts at record 5.
    const auto tail = node.read_all(1, shard1[4].cursor);
    BOOST_REQUIRE_EQUAL(tail.size(), 10u);
    BOOST_TEST(tail.front().producer_sequence == 5u);

    net_bus_adapter_stats_t st{};
    st.struct_size = sizeof st;
    BOOST_REQUIRE_EQUAL(node.api().stats(node.object(), &st), NET_OK);
    BOOST_TEST(st.batches_written == 3u);
    BOOST_TEST(st.events_written == 18u);
    BOOST_TEST(st.connected == 1u);
}

BOOST_AUTO_TEST_CASE(a_write_before_configure_or_to_an_unknown_shard_is_refused)
{
    Node node("");
    BOOST_TEST(node.write(0, 1, 0, 1) == NET_E_BAD_STATE);
    BOOST_REQUIRE_EQUAL(node.api().configure(node.object(), 2), NET_OK);
    BOOST_TEST(node.write(2, 1, 0, 1) == NET_E_BAD_STATE);
    BOOST_TEST(node.api().configure(node.object(), 2) == NET_OK);
    BOOST_TEST(node.api().configure(node.object(), 3) == NET_E_CONFIG);
}

BOOST_AUTO_TEST_CASE(entries_on_disk_survive_a_restart_and_another_shard_count_is_refused)
{
    net::test::TempDir dir;
    {
        Node node(dir.path().string());
        BOOST_REQUIRE_EQUAL(node.api().configure(node.object(), 4), NET_OK);
        BOOST_REQUIRE_EQUAL(node.write(3, 5, 0, 20), NET_OK);
    }
    {
        Node node(dir.path().string());
        BOOST_REQUIRE_EQUAL(node.api().configure(node.object(), 4), NET_OK);
        const auto back = node.read_all(3);
        BOOST_REQUIRE_EQUAL(back.size(), 20u);
        BOOST_TEST(back.back().payload == "event 5/19");
    }
    {
        Node node(dir.path().string());
        BOOST_TEST(node.api().configure(node.object(), 8) == NET_E_CONFIG);
        BOOST_TEST(node.log_text().find("written with 4 shards; the bus now asks for 8") != std::string::npos,
                   node.log_text());
    }
    {
        // Another prefix is another set of logs in the same RedEX directory.
        Node node(dir.path().string(), {{"log_prefix", "other"}});
        BOOST_TEST(node.api().configure(node.object(), 8) == NET_OK);
    }
}

BOOST_AUTO_TEST_CASE(a_foreign_entry_in_a_shard_log_is_reported_with_its_place)
{
    Node node("");
    BOOST_REQUIRE_EQUAL(node.api().configure(node.object(), 1), NET_OK);
    BOOST_REQUIRE_EQUAL(node.write(0, 1, 0, 2), NET_OK);

    auto redex = node.host().resolve_interface("log", NET_IFACE_REDEX_V1);
    BOOST_REQUIRE(redex);
    const auto* r = static_cast<const net_redex_v1_t*>(redex->vtable);
    net_redex_log_t* log = nullptr;
    BOOST_REQUIRE_EQUAL(r->open_log(redex->object, "bus.0", &log), NET_OK);
    const std::string junk = "not a record";
    BOOST_REQUIRE_EQUAL(r->append(log, {reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()},
                                  NET_REDEX_TIMESTAMP_NOW, nullptr),
                        NET_OK);
    r->close_log(log);

    std::vector<net_bus_record_t> out(8);
    std::size_t n = 99;
    BOOST_TEST(node.api().read(node.object(), 0, {0, 0}, out.data(), out.size(), &n) == NET_E_MALFORMED);
    BOOST_TEST(n == 0u);
    BOOST_TEST(node.log_text().find("\"bus.0\" entry 2 is not a bus record: record of 12 bytes is shorter") !=
                   std::string::npos,
               node.log_text());
    // The good entries before it are still readable by a reader that stops short of it.
    BOOST_TEST(node.api().read(node.object(), 0, {0, 0}, out.data(), 2, &n) == NET_OK);
    BOOST_TEST(n == 2u);
    for (std::size_t i = 0; i < n; ++i) nk::BufferPool::release(out[i].event.payload);
}

BOOST_AUTO_TEST_CASE(without_a_redex_instance_the_node_does_not_start_and_says_why)
{
    try {
        Node node("", nlohmann::json::object(), false);
        BOOST_FAIL("the adapter started without net.redex/1");
    } catch (const std::exception& e) {
        BOOST_TEST(std::string(e.what()).find("net.redex/1") != std::string::npos, e.what());
    }
}
