// bench_bus_ingest.cpp — bus ingest throughput: 64-byte events from 1 and 2 producer threads into
// the kernel's Bus, measured end to end until the adapter has been handed every event, beside
// libzmq inproc PUSH/PULL in the same program (same event size and count, one PUSH socket per
// producer thread, one PULL thread draining) as the reference.
//
// The adapter is a counting adapter written here (write_batch adds the batch's event count and
// returns): the figure is the engine's own cost — pool buffer per event, publish (timestamp, XXH3
// dedup id, shard, lock-free ring), flush thread batching, the adapter call, releasing the
// buffers — not a backend's. Policy "fail": a producer that finds its ring full retries the same
// event, so nothing is dropped and both sides deliver exactly the same events. One shard (one
// flush thread) by default: on the 2-core CI machine every extra flush thread competes with the
// producers for a core (try --shards 2). The kernel's default BufferPool, as a node has it.
//
// Usage: bench_bus_ingest [--quick] [--shards N] [--events N] [--runs N] [--producers 1|2] [--zmq 0]
//                         [--verbose 1]
//   --quick: 200k events per run, 3 runs (a smoke run for ctest; a few seconds). The other
//   options are for profiling one side (--zmq 0 skips the reference).
#include <zmq.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "net/iface/bus_adapter.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/bus/bus.hpp"

namespace nk = net::kernel;
namespace bus = net::kernel::bus;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kEventBytes = 64;

// The counting adapter: one padded counter per shard (no sharing between flush threads) and a
// total the timer polls.
struct CountingAdapter {
    struct alignas(64) ShardCount {
        std::uint64_t events = 0;
        std::uint64_t bytes = 0;
    };
    std::vector<ShardCount> shards{bus::BusConfig::kMaxShards};
    alignas(64) std::atomic<std::uint64_t> seen{0};
    std::uint64_t target = 0;        // set before the run: when seen reaches it, `done` is raised
    std::atomic<bool> done{false};

    static net_status_t configure(void*, std::uint32_t) { return NET_OK; }
    static net_status_t write_batch(void* self, const net_bus_batch_t* batch)
    {
        auto& a = *static_cast<CountingAdapter*>(self);
        ShardCount& c = a.shards[batch->shard];
        for (std::size_t i = 0; i < batch->count; ++i) c.bytes += batch->events[i].payload->len;
        c.events += batch->count;
        if (a.seen.fetch_add(batch->count, std::memory_order_acq_rel) + batch->count == a.target) {
            a.done.store(true, std::memory_order_release);
            a.done.notify_one();
        }
        return NET_OK;
    }
    static constexpr net_bus_adapter_v1_t kTable = {sizeof(net_bus_adapter_v1_t), 0, &configure, &write_batch,
                                                    nullptr, nullptr};
};

// Starts `threads` copies of body(thread_index) together and returns once every one has begun.
class Starter {
public:
    void wait_for(int threads)
    {
        while (ready_.load(std::memory_order_acquire) != threads) std::this_thread::yield();
    }
    void arrive_and_wait()
    {
        ready_.fetch_add(1, std::memory_order_acq_rel);
        while (!go_.load(std::memory_order_acquire)) std::this_thread::yield();
    }
    void go() { go_.store(true, std::memory_order_release); }

private:
    std::atomic<int> ready_{0};
    std::atomic<bool> go_{false};
};

// Events per second through the Bus: `total` events split over `threads` producers, from the
// start until the adapter has counted them all.
double bus_rate(nk::BufferPool& pool, int threads, std::uint64_t total, std::uint32_t shards)
{
    CountingAdapter counter;
    const std::uint64_t each = total / static_cast<std::uint64_t>(threads);
    counter.target = each * static_cast<std::uint64_t>(threads);
    bus::BusConfig config;
    config.shards = shards;
    config.ring_capacity = 8192;
    config.policy = bus::BackpressurePolicy::fail;
    config.batch_max_events = 512;
    bus::Bus engine(pool, bus::Adapter{&CountingAdapter::kTable, &counter, nullptr}, config);
    Starter start;
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&] {
            bus::Producer producer = engine.make_producer();
            unsigned char event[kEventBytes];
            std::memset(event, 0x5a, sizeof event);
            start.arrive_and_wait();
            for (std::uint64_t i = 0; i < each; ++i) {
                std::memcpy(event, &i, sizeof i);
                net_buffer_t* b = pool.allocate(kEventBytes);
                if (b == nullptr) std::abort();
                std::memcpy(b->data, event, kEventBytes);
                while (engine.publish(producer, 1, b) != NET_OK) std::this_thread::yield();
            }
        });
    }
    start.wait_for(threads);
    const auto t0 = Clock::now();
    start.go();
    counter.done.wait(false, std::memory_order_acquire);  // sleeps: the timer takes no core
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    for (auto& p : producers) p.join();
    engine.stop();
    return static_cast<double>(counter.target) / seconds;
}

void check(int rc, const char* what)
{
    if (rc != 0) throw std::runtime_error(std::string(what) + ": " + zmq_strerror(zmq_errno()));
}

// Events per second through libzmq inproc: one PUSH socket per producer thread, one PULL thread.
double zmq_rate(int threads, std::uint64_t total)
{
    void* context = zmq_ctx_new();
    void* pull = zmq_socket(context, ZMQ_PULL);
    check(zmq_bind(pull, "inproc://bench-bus-ingest"), "zmq_bind");
    const std::uint64_t each = total / static_cast<std::uint64_t>(threads);
    const std::uint64_t expected = each * static_cast<std::uint64_t>(threads);
    Starter start;
    std::atomic<bool> drained{false};
    std::thread puller([&] {
        unsigned char event[kEventBytes];
        for (std::uint64_t i = 0; i < expected; ++i) {
            if (zmq_recv(pull, event, sizeof event, 0) != static_cast<int>(kEventBytes)) std::abort();
        }
        drained.store(true, std::memory_order_release);
        drained.notify_all();
    });
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&] {
            void* push = zmq_socket(context, ZMQ_PUSH);
            check(zmq_connect(push, "inproc://bench-bus-ingest"), "zmq_connect");
            unsigned char event[kEventBytes];
            std::memset(event, 0x5a, sizeof event);
            start.arrive_and_wait();
            for (std::uint64_t i = 0; i < each; ++i) {
                std::memcpy(event, &i, sizeof i);
                if (zmq_send(push, event, sizeof event, 0) != static_cast<int>(kEventBytes)) std::abort();
            }
            drained.wait(false, std::memory_order_acquire);
            int linger = 0;
            zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
            zmq_close(push);
        });
    }
    start.wait_for(threads);
    const auto t0 = Clock::now();
    start.go();
    drained.wait(false, std::memory_order_acquire);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    for (auto& p : producers) p.join();
    puller.join();
    zmq_close(pull);
    zmq_ctx_term(context);
    return static_cast<double>(expected) / seconds;
}

std::uint64_t arg_value(int argc, char** argv, const char* name, std::uint64_t fallback)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
    }
    return fallback;
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    const std::uint64_t total = arg_value(argc, argv, "--events", quick ? 200'000 : 4'000'000);
    const auto shards = static_cast<std::uint32_t>(arg_value(argc, argv, "--shards", 1));
    const int runs = static_cast<int>(arg_value(argc, argv, "--runs", quick ? 3 : 5));
    const int only_producers = static_cast<int>(arg_value(argc, argv, "--producers", 0));  // 0 = 1 and 2
    const bool skip_zmq = arg_value(argc, argv, "--zmq", 1) == 0;
    const bool verbose = arg_value(argc, argv, "--verbose", 0) != 0;
    nk::BufferPool pool;

    std::printf("Bus ingest: %zu-byte events, %llu per run, median of %d runs; end to end until the adapter has\n"
                "every event. Bus: %u shards, ring 8192, policy fail, batches of <= 512, counting adapter.\n"
                "Reference: libzmq %d.%d.%d inproc PUSH (one socket per producer) -> PULL (one thread).\n",
                kEventBytes, static_cast<unsigned long long>(total), runs, shards, ZMQ_VERSION_MAJOR,
                ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH);
    std::printf("  %-10s %18s %18s %10s\n", "producers", "bus events/s", "zmq events/s", "bus/zmq");
    bool floor_met = true;
    for (int threads : {1, 2}) {
        if (only_producers != 0 && threads != only_producers) continue;
        bus_rate(pool, threads, total / 4, shards);  // warm-up: threads, pool caches, zmq pipes
        if (!skip_zmq) zmq_rate(threads, total / 4);
        std::vector<double> bus_runs, zmq_runs;
        for (int r = 0; r < runs; ++r) {
            bus_runs.push_back(bus_rate(pool, threads, total, shards));
            zmq_runs.push_back(skip_zmq ? 1.0 : zmq_rate(threads, total));
            if (verbose) std::printf("    run %d: bus %.0f zmq %.0f\n", r, bus_runs.back(), zmq_runs.back());
        }
        const double b = net::bench::median(bus_runs);
        const double z = net::bench::median(zmq_runs);
        std::printf("  %-10d %18.0f %18.0f %9.2fx\n", threads, b, z, b / z);
        floor_met = floor_met && b >= z;
    }
    std::printf("  floor (bus >= 1.0x zmq for 1 and 2 producers): %s\n", floor_met ? "met" : "NOT met");
    return 0;
}
