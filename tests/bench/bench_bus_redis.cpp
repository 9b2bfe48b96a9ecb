// bench_bus_redis.cpp — write_batch throughput of the bus-redis adapter (the real plugin through
// the kernel's PluginHost) against a redis-server started here (appendonly no), beside the
// reference measured on the same server in the same run: redis-benchmark -P 16 (50 clients)
// sending XADD of the very same entry (the adapter's six fields, a 64-byte payload).
// Plugin figures: one shard (one thread, one connection) and four shards (four threads, pool of
// four connections), batches of 256 events, one MULTI/XADD.../EXEC round trip per batch.
// Medians of 5 runs; the target is >= 0.8x the reference for the four-shard figure.
// Usage: bench_bus_redis [--quick]   (--quick: one short run of each, a smoke test for ctest)
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "net/iface/bus_adapter.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"
#include "redis_server.hpp"

namespace nk = net::kernel;

namespace {

constexpr std::size_t kPayloadBytes = 64;
constexpr std::size_t kBatchEvents = 256;
constexpr std::uint32_t kShards = 4;
constexpr double kFloor = 0.8;

class Adapter {
public:
    explicit Adapter(int port) : host_(services_)
    {
        loop_.start();
        host_.load({nk::InstanceSpec{"bus", std::string(NET_TEST_PLUGIN_DIR) + "/libnet-bus-redis.so",
                                     nlohmann::json{{"port", port}, {"pool_size", kShards}}, {}, {}, {}}});
        host_.start_all();
        auto found = host_.resolve_interface("bus", NET_IFACE_BUS_ADAPTER_V1);
        if (!found) throw std::runtime_error("libnet-bus-redis.so does not provide " NET_IFACE_BUS_ADAPTER_V1);
        api_ = static_cast<const net_bus_adapter_v1_t*>(found->vtable);
        object_ = found->object;
        keepalive_ = found->keepalive;
        if (api_->configure(object_, kShards) != NET_OK) throw std::runtime_error("configure failed: " + log_.str());
    }
    ~Adapter() { host_.stop_all(); }

    // Events per second writing `per_shard` events to each of `shards` shards, one thread per shard.
    double write_rate(std::uint32_t shards, std::size_t per_shard)
    {
        std::vector<net_buffer_t*> payloads;
        for (std::size_t i = 0; i < kBatchEvents; ++i) {
            net_buffer_t* b = buffers_.allocate(kPayloadBytes);
            std::memset(b->data, 'v', kPayloadBytes);
            payloads.push_back(b);
        }
        std::vector<std::thread> threads;
        std::atomic<bool> failed{false};
        const double s = net::bench::seconds([&] {
            for (std::uint32_t shard = 0; shard < shards; ++shard) {
                threads.emplace_back([&, shard] {
                    std::vector<net_bus_event_t> events(kBatchEvents);
                    std::uint64_t sequence = 0;
                    for (std::size_t done = 0; done < per_shard; done += kBatchEvents) {
                        const std::size_t n = std::min(kBatchEvents, per_shard - done);
                        for (std::size_t i = 0; i < n; ++i) {
                            events[i] = {0x0123456789abcdefULL ^ sequence, shard + 1ULL, sequence, 0xC0FFEE01ULL,
                                         1'700'000'000'000'000'000LL + static_cast<std::int64_t>(sequence), payloads[i]};
                            ++sequence;
                        }
                        const net_bus_batch_t batch{sizeof(batch), shard, 0, 0, events.data(), n};
                        if (api_->write_batch(object_, &batch) != NET_OK) failed = true;
                    }
                });
            }
            for (std::thread& t : threads) t.join();
        });
        for (net_buffer_t* b : payloads) nk::BufferPool::release(b);
        if (failed) throw std::runtime_error("write_batch failed: " + log_.str());
        return static_cast<double>(per_shard) * shards / s;
    }

private:
    std::ostringstream log_;
    nk::Logger logger_{log_, NET_LOG_WARN};
    nk::EventLoop loop_{1};
    nk::BufferPool buffers_;
    nk::MetricsRegistry metrics_;
    nk::HostServices services_{loop_, buffers_, metrics_, logger_};
    nk::PluginHost host_;
    const net_bus_adapter_v1_t* api_ = nullptr;
    void* object_ = nullptr;
    std::shared_ptr<nk::PluginLibrary> keepalive_;
};

// redis-benchmark's requests per second for pipelined XADD of the adapter's entry; 0 on failure.
double redis_benchmark_rate(int port, std::size_t count)
{
    const std::string entry = "dedup_id 0123456789abcdef producer_id 0000000000000001 producer_sequence 123456 "
                              "channel_hash 00000000c0ffee01 timestamp_ns 1700000000000123456 payload " +
                              std::string(kPayloadBytes, 'v');
    const std::string command = "redis-benchmark -p " + std::to_string(port) + " -P 16 -n " + std::to_string(count) +
                                " -q XADD bench '*' " + entry + " 2>/dev/null";
    double rate = 0;
    std::istringstream out(net::test::run_command(command));
    std::string line;
    // "XADD bench * dedup_id ...: 123456.79 requests per second, p50=..."; the figure is the last
    // carriage-return-separated chunk.
    while (std::getline(out, line, '\r')) {
        const std::size_t at = line.rfind(": ");
        if (at != std::string::npos && line.find("requests per second", at) != std::string::npos) {
            rate = std::strtod(line.c_str() + at + 2, nullptr);
        }
    }
    return rate;
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    if (!net::test::RedisServer::available() || net::test::find_on_path("redis-benchmark").empty()) {
        std::printf("bus-redis write_batch: skipped (redis-server, redis-cli or redis-benchmark not on PATH)\n");
        return 0;
    }
    const std::size_t count = quick ? 4096 : 400000;
    const int runs = quick ? 1 : 5;
    net::test::RedisServer redis;  // appendonly no: the figure is the client path, not the disk
    Adapter adapter(redis.port());

    std::vector<double> reference, one_shard, four_shards;
    for (int r = 0; r < runs; ++r) {
        reference.push_back(redis_benchmark_rate(redis.port(), count));
        redis.cli("DEL bench");
        one_shard.push_back(adapter.write_rate(1, count));
        redis.cli("DEL net:bus:0");
        four_shards.push_back(adapter.write_rate(kShards, count / kShards));
        redis.cli("DEL net:bus:0 net:bus:1 net:bus:2 net:bus:3");
    }
    const double ref = net::bench::median(reference);
    const double one = net::bench::median(one_shard);
    const double four = net::bench::median(four_shards);
    std::printf("bus-redis write_batch, %zu-byte payloads, %zu events per batch, %zu events per run, median of %d runs\n",
                kPayloadBytes, kBatchEvents, count, runs);
    std::printf("  adapter, 1 shard  (1 thread, 1 connection)   %12.0f events/s\n", one);
    std::printf("  adapter, %u shards (%u threads, pool of %u)     %12.0f events/s\n", kShards, kShards, kShards, four);
    if (ref > 0) {
        std::printf("  reference: redis-benchmark -P 16 -c 50 XADD of the same entry %9.0f entries/s\n", ref);
        std::printf("  ratio: 1 shard / reference = %.2f, %u shards / reference = %.2f (floor %.1f: %s)\n", one / ref,
                    kShards, four / ref, kFloor, four / ref >= kFloor ? "met" : "NOT met");
    } else {
        std::printf("  reference: redis-benchmark gave no figure\n");
    }
    return 0;
}
