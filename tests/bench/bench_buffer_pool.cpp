// bench_buffer_pool.cpp — BufferPool's hot paths beside references measured in the same run:
// 2 KiB acquire+release vs malloc/free(2048) on 1 and 2 threads, retain+release vs a
// std::shared_ptr copy, slice+release vs a std::shared_ptr aliasing view (the C++ idiom for a
// shared sub-range).
// Usage: bench_buffer_pool [--quick]   (--quick: tiny iteration counts, a smoke run for ctest)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "net/kernel/buffer_pool.hpp"

using net::kernel::BufferPool;

namespace {

constexpr int kRepetitions = 5;

// Keeps `p` (and what it points to) observable so the loop is not optimised away.
inline void escape(const void* p)
{
    asm volatile("" : : "r"(p) : "memory");
}

using Clock = std::chrono::steady_clock;

// Runs `body(iterations)` on `threads` threads started together; returns ns per op per thread
// (the mean over threads of each thread's elapsed / iterations).
double run_ns_per_op(int threads, std::size_t iterations, const std::function<void(std::size_t)>& body)
{
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<double> ns(static_cast<std::size_t>(threads));
    auto worker = [&](int id) {
        body(iterations / 16 + 1);  // warm the thread's caches
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        const auto start = Clock::now();
        body(iterations);
        const auto elapsed = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
        ns[static_cast<std::size_t>(id)] = elapsed / static_cast<double>(iterations);
    };
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) workers.emplace_back(worker, i);
    while (ready.load() != threads) std::this_thread::yield();
    go.store(true, std::memory_order_release);
    for (std::thread& t : workers) t.join();
    double sum = 0;
    for (double v : ns) sum += v;
    return sum / threads;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Pair {
    const char* name;
    const char* reference_name;
    int threads;
    std::function<void(std::size_t)> subject;
    std::function<void(std::size_t)> reference;
    bool has_floor;  // must be >= 3x faster than the reference
};

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const std::size_t iterations = quick ? 2000 : 4000000;

    BufferPool pool;
    net_buffer_t* shared = pool.allocate(2048);
    if (shared == nullptr) {
        std::fprintf(stderr, "allocate failed\n");
        return 1;
    }
    auto shared_ptr = std::make_shared<std::uint64_t>(1);

    auto pool_alloc = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            net_buffer_t* b = pool.allocate(2048);
            b->data[0] = static_cast<std::uint8_t>(i);
            escape(b->data);
            BufferPool::release(b);
        }
    };
    auto malloc_free = [](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            auto* p = static_cast<std::uint8_t*>(std::malloc(2048));
            p[0] = static_cast<std::uint8_t>(i);
            escape(p);
            std::free(p);
        }
    };
    auto retain_release = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            net_buffer_t* r = BufferPool::retain(shared);
            escape(r);
            BufferPool::release(r);
        }
    };
    auto shared_ptr_copy = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            std::shared_ptr<std::uint64_t> copy = shared_ptr;
            escape(copy.get());
        }
    };
    auto slice_release = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            net_buffer_t* s = BufferPool::slice(shared, i & 1023, 64);
            escape(s->data);
            BufferPool::release(s);
        }
    };
    auto bytes_owner = std::shared_ptr<std::uint8_t[]>(new std::uint8_t[2048]);
    auto shared_ptr_view = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            std::shared_ptr<std::uint8_t> view(bytes_owner, bytes_owner.get() + (i & 1023));
            escape(view.get());
        }
    };

    const std::vector<Pair> pairs{
        {"acquire+release 2 KiB", "malloc/free(2048)", 1, pool_alloc, malloc_free, true},
        {"acquire+release 2 KiB", "malloc/free(2048)", 2, pool_alloc, malloc_free, true},
        {"retain+release", "shared_ptr copy+destroy", 1, retain_release, shared_ptr_copy, false},
        {"retain+release", "shared_ptr copy+destroy", 2, retain_release, shared_ptr_copy, false},
        {"slice+release", "shared_ptr aliasing view", 1, slice_release, shared_ptr_view, false},
        {"slice+release", "shared_ptr aliasing view", 2, slice_release, shared_ptr_view, false},
    };

    std::printf("BufferPool hot paths: median of %d repetitions, %zu ops per thread each%s\n", kRepetitions, iterations,
                quick ? " (--quick smoke run: figures are meaningless)" : "");
    std::printf("%-24s %7s %12s   %-26s %12s   %s\n", "operation", "threads", "pool ns/op", "reference", "ref ns/op",
                "ratio");
    bool floor_met = true;
    for (const Pair& p : pairs) {
        std::vector<double> subject;
        std::vector<double> reference;
        for (int r = 0; r < kRepetitions; ++r) {  // interleaved, so both see the same machine noise
            subject.push_back(run_ns_per_op(p.threads, iterations, p.subject));
            reference.push_back(run_ns_per_op(p.threads, iterations, p.reference));
        }
        const double s = median(subject);
        const double ref = median(reference);
        const double ratio = ref / s;
        std::printf("%-24s %7d %12.2f   %-26s %12.2f   pool is %.1f\u00d7 %s than %s\n", p.name, p.threads, s,
                    p.reference_name, ref, ratio >= 1 ? ratio : 1 / ratio, ratio >= 1 ? "faster" : "slower",
                    p.reference_name);
        if (p.has_floor && ratio < 3.0) floor_met = false;
    }
    if (!quick)
        std::printf("floor (acquire+release >= 3.0\u00d7 faster than malloc/free, 1 and 2 threads): %s\n",
                    floor_met ? "met" : "NOT met");

    BufferPool::release(shared);
    const BufferPool::Stats st = pool.stats();
    if (st.live_handles != 0 || st.live_storage != 0) {
        std::fprintf(stderr, "leak: %zu handles, %zu storage blocks live\n", st.live_handles, st.live_storage);
        return 1;
    }
    return 0;
}
