// A call through a plugin interface (C function pointer in a dlopen'ed library, object passed as
// void*) against a direct C++ virtual call doing the same work (a relaxed atomic add), same run.
// Issue floor: at most 2 ns more per call.
#include <atomic>
#include <cstdio>
#include <sstream>

#include "bench_common.hpp"
#include "greeter.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"

namespace {

struct Counter {
    virtual ~Counter() = default;
    virtual std::uint64_t bump(std::uint64_t delta) noexcept = 0;
};

struct AtomicCounter final : Counter {
    std::atomic<std::uint64_t> count{0};
    std::uint64_t bump(std::uint64_t delta) noexcept override
    {
        return count.fetch_add(delta, std::memory_order_relaxed) + delta;
    }
};

// Opaque to the optimiser, so the virtual call below is a real indirect call.
__attribute__((noinline)) Counter* make_counter()
{
    static AtomicCounter c;
    Counter* p = &c;
    net::bench::keep(p);
    return p;
}

}  // namespace

int main(int argc, char** argv)
{
    namespace nk = net::kernel;
    const bool quick = net::bench::quick_mode(argc, argv);
    const std::uint64_t calls = quick ? 100'000 : 50'000'000;
    const int reps = quick ? 1 : 7;

    std::ostringstream log;
    nk::Logger logger(log, NET_LOG_WARN);
    nk::EventLoop loop(1);
    nk::BufferPool buffers;
    nk::MetricsRegistry metrics;
    nk::PluginHost host(nk::HostServices{loop, buffers, metrics, logger});
    host.load({nk::InstanceSpec{"g", std::string(NET_TEST_PLUGIN_DIR) + "/libnet-greeter.so", {}, {}, {}, {}}});
    loop.start();
    host.start_all();
    const net_host_t* table = host.find("g")->host_table();
    net_interface_ref_t ref{};
    if (table->interface_acquire(table, "g", ORG_EXAMPLE_GREETER_V1, &ref) != NET_OK) {
        std::fprintf(stderr, "cannot acquire %s\n", ORG_EXAMPLE_GREETER_V1);
        return 1;
    }
    const auto* iface = static_cast<const org_example_greeter_v1_t*>(ref.vtable);
    Counter* counter = make_counter();

    std::vector<double> plugin_ns, virtual_ns;
    for (int r = 0; r < reps; ++r) {
        plugin_ns.push_back(net::bench::seconds([&] {
            for (std::uint64_t i = 0; i < calls; ++i) net::bench::keep(iface->bump(ref.object, 1));
        }) * 1e9 / static_cast<double>(calls));
        virtual_ns.push_back(net::bench::seconds([&] {
            for (std::uint64_t i = 0; i < calls; ++i) net::bench::keep(counter->bump(1));
        }) * 1e9 / static_cast<double>(calls));
    }
    const double p = net::bench::median(plugin_ns), v = net::bench::median(virtual_ns);
    std::printf("plugin interface call: %.2f ns/call   direct virtual call: %.2f ns/call   "
                "difference: %+.2f ns/call (floor: <= +2 ns)   [median of %d x %llu calls]\n",
                p, v, p - v, reps, static_cast<unsigned long long>(calls));

    table->interface_release(table, &ref);
    host.stop_all();
    return 0;
}
