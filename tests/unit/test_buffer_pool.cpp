// test_buffer_pool.cpp — net::kernel::BufferPool: handles, slices, copy-on-write, size classes,
// oversize blocks, thread caches and cross-thread release.
#define BOOST_TEST_MODULE buffer_pool
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/kernel/buffer_pool.hpp"

using net::kernel::BufferPool;

namespace {

void fill(net_buffer_t* b, std::uint8_t seed)
{
    for (std::size_t i = 0; i < b->len; ++i) b->data[i] = static_cast<std::uint8_t>(seed + i * 7);
}

bool holds(const std::uint8_t* p, std::size_t len, std::uint8_t seed, std::size_t first = 0)
{
    for (std::size_t i = 0; i < len; ++i)
        if (p[i] != static_cast<std::uint8_t>(seed + (first + i) * 7)) return false;
    return true;
}

bool aligned64(const void* p)
{
    return (reinterpret_cast<std::uintptr_t>(p) & 63u) == 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(allocate_gives_len_alignment_and_keeps_contents)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(1000);
    BOOST_REQUIRE(b != nullptr);
    BOOST_TEST(b->len == 1000u);
    BOOST_TEST(aligned64(b->data));
    BOOST_TEST(BufferPool::is_unique(b));
    fill(b, 3);
    net_buffer_t* again = BufferPool::retain(b);
    BOOST_TEST(again == b);
    BOOST_TEST(holds(b->data, b->len, 3));
    BufferPool::release(again);
    BOOST_TEST(holds(b->data, b->len, 3));
    BufferPool::release(b);
    BufferPool::release(nullptr);  // a no-op
    BOOST_TEST(BufferPool::retain(nullptr) == nullptr);
}

BOOST_AUTO_TEST_CASE(retain_and_release_are_counted)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(64);
    BOOST_REQUIRE(b != nullptr);
    BOOST_TEST(pool.stats().live_handles == 1u);
    BOOST_TEST(pool.stats().live_storage == 1u);
    BufferPool::retain(b);
    BufferPool::retain(b);
    BOOST_TEST(BufferPool::use_count(b) == 3u);
    BOOST_TEST(BufferPool::storage_use_count(b) == 1u);  // one handle, three references
    BufferPool::release(b);
    BufferPool::release(b);
    BOOST_TEST(BufferPool::use_count(b) == 1u);
    BOOST_TEST(pool.stats().live_handles == 1u);
    BOOST_TEST(pool.stats().live_storage == 1u);
    BufferPool::release(b);
    const BufferPool::Stats s = pool.stats();
    BOOST_TEST(s.live_handles == 0u);
    BOOST_TEST(s.live_storage == 0u);
    BOOST_TEST(s.pooled_blocks == 1u);  // cached for reuse, not freed
    BOOST_TEST(s.thread_cached_blocks == 1u);
}

BOOST_AUTO_TEST_CASE(released_blocks_are_reused)
{
    BufferPool pool;
    net_buffer_t* a = pool.allocate(2000);
    std::uint8_t* first = a->data;
    BufferPool::release(a);
    net_buffer_t* b = pool.allocate(1500);  // same class
    BOOST_TEST(b->data == first);
    BOOST_TEST(b->len == 1500u);
    BOOST_TEST(pool.stats().pooled_blocks == 1u);
    BufferPool::release(b);
}

BOOST_AUTO_TEST_CASE(slice_shares_storage_and_keeps_it_alive)
{
    BufferPool pool;
    net_buffer_t* parent = pool.allocate(1000);
    BOOST_REQUIRE(parent != nullptr);
    BOOST_REQUIRE(BufferPool::is_unique(parent));
    fill(parent, 11);  // written through the unique parent before slicing

    net_buffer_t* s = BufferPool::slice(parent, 100, 200);
    BOOST_REQUIRE(s != nullptr);
    BOOST_TEST(s != parent);
    BOOST_TEST(s->data == parent->data + 100);
    BOOST_TEST(s->len == 200u);
    BOOST_TEST(holds(s->data, s->len, 11, 100));
    BOOST_TEST(BufferPool::storage_use_count(parent) == 2u);
    BOOST_TEST(pool.stats().live_handles == 2u);
    BOOST_TEST(pool.stats().live_storage == 1u);

    net_buffer_t* inner = BufferPool::slice(s, 50, 10);  // a slice of a slice: same storage
    BOOST_REQUIRE(inner != nullptr);
    BOOST_TEST(inner->data == parent->data + 150);
    BOOST_TEST(BufferPool::storage_use_count(parent) == 3u);
    BufferPool::release(inner);

    BufferPool::release(parent);
    BOOST_TEST(pool.stats().live_handles == 1u);
    BOOST_TEST(pool.stats().live_storage == 1u);  // the slice keeps the storage
    BOOST_TEST(holds(s->data, s->len, 11, 100));
    // A block allocated now must not be the one the slice still uses.
    net_buffer_t* other = pool.allocate(1000);
    BOOST_REQUIRE(other != nullptr);
    BOOST_TEST((other->data + 1000 <= s->data || other->data >= s->data + s->len));
    fill(other, 99);
    BOOST_TEST(holds(s->data, s->len, 11, 100));
    BufferPool::release(other);

    BufferPool::release(s);
    BOOST_TEST(pool.stats().live_handles == 0u);
    BOOST_TEST(pool.stats().live_storage == 0u);
}

BOOST_AUTO_TEST_CASE(slice_checks_its_range)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(100);
    BOOST_REQUIRE(b != nullptr);
    constexpr std::size_t max = std::numeric_limits<std::size_t>::max();

    net_buffer_t* whole = BufferPool::slice(b, 0, 100);
    BOOST_TEST(whole != nullptr);
    net_buffer_t* empty_end = BufferPool::slice(b, 100, 0);
    BOOST_TEST(empty_end != nullptr);
    if (empty_end != nullptr) BOOST_TEST(empty_end->len == 0u);
    BufferPool::release(whole);
    BufferPool::release(empty_end);

    BOOST_TEST(BufferPool::slice(b, 101, 0) == nullptr);
    BOOST_TEST(BufferPool::slice(b, 0, 101) == nullptr);
    BOOST_TEST(BufferPool::slice(b, 50, 51) == nullptr);
    BOOST_TEST(BufferPool::slice(b, 1, max) == nullptr);  // offset + len wraps to 0
    BOOST_TEST(BufferPool::slice(b, max, 2) == nullptr);  // wraps to 1
    BOOST_TEST(BufferPool::slice(b, max, max) == nullptr);
    BOOST_TEST(BufferPool::slice(nullptr, 0, 0) == nullptr);

    net_buffer_t* s = BufferPool::slice(b, 10, 20);  // bounds are relative to the slice's view
    BOOST_REQUIRE(s != nullptr);
    BOOST_TEST(BufferPool::slice(s, 0, 21) == nullptr);
    BOOST_TEST(BufferPool::slice(s, 21, 0) == nullptr);
    net_buffer_t* t = BufferPool::slice(s, 20, 0);
    BOOST_TEST(t != nullptr);
    BufferPool::release(t);
    BufferPool::release(s);

    BOOST_TEST(pool.stats().live_handles == 1u);  // failed slices leaked nothing
    BOOST_TEST(BufferPool::storage_use_count(b) == 1u);
    BufferPool::release(b);
    BOOST_TEST(pool.stats().live_handles == 0u);
}

BOOST_AUTO_TEST_CASE(is_unique_tracks_references_and_slices)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(300);
    BOOST_TEST(BufferPool::is_unique(b));
    BufferPool::retain(b);
    BOOST_TEST(!BufferPool::is_unique(b));
    BufferPool::release(b);
    BOOST_TEST(BufferPool::is_unique(b));

    net_buffer_t* s = BufferPool::slice(b, 0, 10);
    BOOST_TEST(!BufferPool::is_unique(b));
    BOOST_TEST(!BufferPool::is_unique(s));
    BufferPool::release(s);
    BOOST_TEST(BufferPool::is_unique(b));

    s = BufferPool::slice(b, 5, 10);
    BufferPool::release(b);
    BOOST_TEST(BufferPool::is_unique(s));  // the last handle over the storage
    BufferPool::release(s);
    BOOST_TEST(!BufferPool::is_unique(nullptr));
}

BOOST_AUTO_TEST_CASE(make_unique_returns_same_handle_when_unique)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(500);
    fill(b, 5);
    net_buffer_t* u = BufferPool::make_unique(b);
    BOOST_TEST(u == b);
    BOOST_TEST(holds(u->data, u->len, 5));
    BOOST_TEST(pool.stats().live_handles == 1u);
    BufferPool::release(u);
    BOOST_TEST(BufferPool::make_unique(nullptr) == nullptr);
}

BOOST_AUTO_TEST_CASE(make_unique_copies_when_shared)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(500);
    fill(b, 5);
    net_buffer_t* mine = BufferPool::retain(b);  // two references: shared
    net_buffer_t* copy = BufferPool::make_unique(mine);
    BOOST_REQUIRE(copy != nullptr);
    BOOST_TEST(copy != b);
    BOOST_TEST(copy->data != b->data);
    BOOST_TEST(copy->len == 500u);
    BOOST_TEST(BufferPool::is_unique(copy));
    BOOST_TEST(holds(copy->data, copy->len, 5));
    BOOST_TEST(BufferPool::use_count(b) == 1u);  // make_unique consumed `mine`
    BOOST_TEST(BufferPool::is_unique(b));
    std::memset(copy->data, 0xEE, copy->len);
    BOOST_TEST(holds(b->data, b->len, 5));  // the original is unaffected
    BufferPool::release(copy);
    BufferPool::release(b);

    // A slice over shared storage: the copy holds just the slice's bytes.
    net_buffer_t* parent = pool.allocate(1000);
    fill(parent, 9);
    net_buffer_t* s = BufferPool::slice(parent, 200, 40);
    net_buffer_t* us = BufferPool::make_unique(s);
    BOOST_REQUIRE(us != nullptr);
    BOOST_TEST(us != s);
    BOOST_TEST(us->len == 40u);
    BOOST_TEST(holds(us->data, us->len, 9, 200));
    BOOST_TEST(BufferPool::storage_use_count(parent) == 1u);  // the slice was released
    BOOST_TEST(BufferPool::is_unique(parent));
    BufferPool::release(us);
    BufferPool::release(parent);
    BOOST_TEST(pool.stats().live_handles == 0u);
    BOOST_TEST(pool.stats().live_storage == 0u);
}

BOOST_AUTO_TEST_CASE(set_len_rules)
{
    BufferPool pool;
    net_buffer_t* b = pool.allocate(100);
    BOOST_TEST(BufferPool::capacity(b) == 256u);
    BOOST_TEST(BufferPool::set_len(b, 256) == NET_OK);
    BOOST_TEST(b->len == 256u);
    BOOST_TEST(BufferPool::set_len(b, 0) == NET_OK);
    BOOST_TEST(b->len == 0u);
    BOOST_TEST(BufferPool::set_len(b, 257) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(b->len == 0u);
    BOOST_TEST(BufferPool::set_len(b, 100) == NET_OK);

    BufferPool::retain(b);
    BOOST_TEST(BufferPool::set_len(b, 50) == NET_E_BAD_STATE);
    BOOST_TEST(b->len == 100u);
    BufferPool::release(b);

    net_buffer_t* s = BufferPool::slice(b, 60, 10);
    BOOST_TEST(BufferPool::set_len(b, 50) == NET_E_BAD_STATE);
    BOOST_TEST(BufferPool::set_len(s, 5) == NET_E_BAD_STATE);
    BufferPool::release(b);
    // The slice is now the only handle: it may grow up to the end of the storage.
    BOOST_TEST(BufferPool::capacity(s) == 256u - 60u);
    BOOST_TEST(BufferPool::set_len(s, 196) == NET_OK);
    BOOST_TEST(BufferPool::set_len(s, 197) == NET_E_INVALID_ARGUMENT);
    BufferPool::release(s);

    BOOST_TEST(BufferPool::set_len(nullptr, 0) == NET_E_INVALID_ARGUMENT);
    BOOST_TEST(BufferPool::capacity(nullptr) == 0u);
}

BOOST_AUTO_TEST_CASE(size_class_choice)
{
    BufferPool pool;
    const std::vector<std::size_t> classes{256, 2048, 9216, 65536, 1048576};
    BOOST_TEST(pool.size_classes() == classes, boost::test_tools::per_element());
    BOOST_TEST(pool.largest_class() == 1048576u);
    struct Case {
        std::size_t len, capacity;
    };
    for (const Case c :
         {Case{0, 256}, Case{1, 256}, Case{256, 256}, Case{257, 2048}, Case{2048, 2048}, Case{2049, 9216},
          Case{9216, 9216}, Case{9217, 65536}, Case{65536, 65536}, Case{65537, 1048576}, Case{1048576, 1048576}}) {
        net_buffer_t* b = pool.allocate(c.len);
        BOOST_REQUIRE(b != nullptr);
        BOOST_TEST(b->len == c.len);
        BOOST_TEST(BufferPool::capacity(b) == c.capacity, "len " << c.len);
        BOOST_TEST(aligned64(b->data));
        BufferPool::release(b);
    }
    BOOST_TEST(pool.stats().live_oversize == 0u);

    // The pool sorts and de-duplicates its classes.
    BufferPool::Config config;
    config.size_classes = {4096, 100, 4096, 1000};
    BufferPool custom(config);
    BOOST_TEST(custom.size_classes() == (std::vector<std::size_t>{100, 1000, 4096}), boost::test_tools::per_element());
    net_buffer_t* b = custom.allocate(101);
    BOOST_TEST(BufferPool::capacity(b) == 1000u);
    BufferPool::release(b);
}

BOOST_AUTO_TEST_CASE(config_is_validated)
{
    BufferPool::Config empty;
    empty.size_classes.clear();
    BOOST_CHECK_THROW(BufferPool{empty}, std::invalid_argument);
    BufferPool::Config zero;
    zero.size_classes = {0, 64};
    BOOST_CHECK_THROW(BufferPool{zero}, std::invalid_argument);
    BufferPool::Config many;
    many.size_classes.clear();
    for (std::size_t i = 1; i <= 33; ++i) many.size_classes.push_back(i * 64);
    BOOST_CHECK_THROW(BufferPool{many}, std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(oversize_blocks_are_exact_and_freed)
{
    BufferPool::Config config;
    config.max_oversize = 4u << 20;
    BufferPool pool(config);
    const std::size_t before = pool.stats().bytes_reserved;
    const std::size_t len = pool.largest_class() + 1;
    net_buffer_t* b = pool.allocate(len);
    BOOST_REQUIRE(b != nullptr);
    BOOST_TEST(b->len == len);
    BOOST_TEST(BufferPool::capacity(b) == len);
    BOOST_TEST(aligned64(b->data));
    BufferPool::Stats s = pool.stats();
    BOOST_TEST(s.live_oversize == 1u);
    BOOST_TEST(s.live_storage == 1u);
    BOOST_TEST(s.bytes_reserved >= before + len);
    fill(b, 1);
    net_buffer_t* tail = BufferPool::slice(b, len - 10, 10);
    BufferPool::release(b);
    BOOST_TEST(holds(tail->data, 10, 1, len - 10));
    BufferPool::release(tail);
    s = pool.stats();
    BOOST_TEST(s.live_oversize == 0u);
    BOOST_TEST(s.live_storage == 0u);
    BOOST_TEST(s.bytes_reserved < before + len);  // returned to the system, not cached

    net_buffer_t* at_limit = pool.allocate(4u << 20);  // exactly max_oversize is allowed
    BOOST_TEST(at_limit != nullptr);
    BOOST_TEST(pool.stats().live_oversize == 1u);
    BufferPool::release(at_limit);
}

BOOST_AUTO_TEST_CASE(oversize_limit_and_huge_requests_fail)
{
    BufferPool::Config config;
    config.max_oversize = 2u << 20;
    BufferPool pool(config);
    net_buffer_t* ok = pool.allocate(2u << 20);
    BOOST_REQUIRE(ok != nullptr);
    BufferPool::release(ok);
    BOOST_TEST(pool.allocate((2u << 20) + 1) == nullptr);
    BOOST_TEST(pool.allocate(std::numeric_limits<std::size_t>::max()) == nullptr);
    BOOST_TEST(pool.allocate(std::numeric_limits<std::size_t>::max() - 10) == nullptr);

    BufferPool::Config none;
    none.max_oversize = 0;  // no oversize path at all
    BufferPool strict(none);
    BOOST_TEST(strict.allocate(strict.largest_class() + 1) == nullptr);
    BOOST_TEST(strict.stats().live_storage == 0u);
}

BOOST_AUTO_TEST_CASE(thread_cache_spills_to_central_list)
{
    BufferPool::Config config;
    config.thread_cache_capacity = 16;
    BufferPool pool(config);
    std::vector<net_buffer_t*> held;
    for (int i = 0; i < 100; ++i) held.push_back(pool.allocate(2048));
    for (net_buffer_t* b : held) BufferPool::release(b);
    BufferPool::Stats s = pool.stats();
    BOOST_TEST(s.pooled_blocks == 100u);
    BOOST_TEST(s.thread_cached_blocks <= 16u);
    BOOST_TEST(s.thread_cached_blocks >= 8u);
    BOOST_TEST(s.central_free_blocks + s.thread_cached_blocks == 100u);

    // Reuse drains the caches before asking the system for more.
    held.clear();
    for (int i = 0; i < 100; ++i) held.push_back(pool.allocate(2048));
    BOOST_TEST(pool.stats().pooled_blocks == 100u);
    for (net_buffer_t* b : held) BufferPool::release(b);

    const std::size_t reserved = pool.stats().bytes_reserved;
    const std::size_t freed = pool.trim();
    s = pool.stats();
    BOOST_TEST(freed > 0u);
    BOOST_TEST(s.bytes_reserved == reserved - freed);
    BOOST_TEST(s.pooled_blocks == 0u);
    BOOST_TEST(s.central_free_blocks == 0u);
}

BOOST_AUTO_TEST_CASE(disabled_thread_cache_still_works)
{
    BufferPool::Config config;
    config.thread_cache_capacity = 0;
    BufferPool pool(config);
    net_buffer_t* a = pool.allocate(10);
    net_buffer_t* s = BufferPool::slice(a, 1, 2);
    BufferPool::release(a);
    BufferPool::release(s);
    const BufferPool::Stats st = pool.stats();
    BOOST_TEST(st.live_handles == 0u);
    BOOST_TEST(st.thread_cached_blocks == 0u);
    BOOST_TEST(st.central_free_blocks == 1u);
}

BOOST_AUTO_TEST_CASE(many_pools_coexist)
{
    std::vector<std::unique_ptr<BufferPool>> pools;
    for (std::size_t i = 0; i < 40; ++i) {
        BufferPool::Config config;
        config.size_classes = {128 * (i + 1), 4096 * (i + 1)};
        pools.push_back(std::make_unique<BufferPool>(config));
    }
    std::vector<net_buffer_t*> buffers;
    for (int round = 0; round < 3; ++round)
        for (std::size_t i = 0; i < pools.size(); ++i) {
            net_buffer_t* b = pools[i]->allocate(100);
            BOOST_REQUIRE(b != nullptr);
            BOOST_TEST(BufferPool::capacity(b) == 128 * (i + 1));
            fill(b, static_cast<std::uint8_t>(i));
            buffers.push_back(b);
        }
    for (std::size_t k = 0; k < buffers.size(); ++k)
        BOOST_TEST(holds(buffers[k]->data, 100, static_cast<std::uint8_t>(k % pools.size())));
    for (std::size_t i = 0; i < pools.size(); ++i) BOOST_TEST(pools[i]->stats().live_handles == 3u);
    for (net_buffer_t* b : buffers) BufferPool::release(b);  // each goes back to its own pool
    for (std::size_t i = 0; i < pools.size(); ++i) {
        BOOST_TEST(pools[i]->stats().live_handles == 0u);
        BOOST_TEST(pools[i]->stats().pooled_blocks == 3u);
    }
    // Destroy every other pool, then keep using the rest and create new ones.
    for (std::size_t i = 0; i < pools.size(); i += 2) pools[i].reset();
    for (int i = 0; i < 10; ++i) {
        BufferPool fresh;
        net_buffer_t* b = fresh.allocate(3000);
        BOOST_TEST(BufferPool::capacity(b) == 9216u);
        BufferPool::release(b);
        for (std::size_t k = 1; k < pools.size(); k += 2) {
            net_buffer_t* c = pools[k]->allocate(10);
            BOOST_TEST(BufferPool::capacity(c) == 128 * (k + 1));
            BufferPool::release(c);
        }
    }
    for (std::size_t k = 1; k < pools.size(); k += 2) BOOST_TEST(pools[k]->stats().pooled_blocks == 3u);
}

BOOST_AUTO_TEST_CASE(pool_destroyed_while_another_thread_caches_its_blocks)
{
    auto pool = std::make_unique<BufferPool>();
    std::mutex m;
    std::condition_variable cv;
    bool released = false;
    bool done = false;
    std::thread t([&] {
        net_buffer_t* b = pool->allocate(100);
        BufferPool::release(b);  // now cached by this thread
        std::unique_lock lock(m);
        released = true;
        cv.notify_all();
        cv.wait(lock, [&] { return done; });
        BufferPool other;  // the thread keeps working with another pool after its first one died
        BufferPool::release(other.allocate(10));
    });
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return released; });
    }
    BOOST_TEST(pool->stats().thread_cached_blocks == 1u);
    pool.reset();  // drains the other thread's cache
    {
        std::lock_guard lock(m);
        done = true;
    }
    cv.notify_all();
    t.join();
}

BOOST_AUTO_TEST_CASE(thread_exit_flushes_its_cache)
{
    BufferPool pool;
    std::vector<net_buffer_t*> handed_over;
    std::thread t([&] {
        std::vector<net_buffer_t*> mine;
        for (int i = 0; i < 10; ++i) mine.push_back(pool.allocate(2048));
        for (int i = 0; i < 7; ++i) BufferPool::release(mine[static_cast<std::size_t>(i)]);
        handed_over.assign(mine.begin() + 7, mine.end());
    });
    t.join();
    BufferPool::Stats s = pool.stats();
    BOOST_TEST(s.thread_caches == 0u);  // the thread's cache is gone
    BOOST_TEST(s.live_storage == 3u);
    BOOST_TEST(s.live_handles == 3u);
    BOOST_TEST(s.pooled_blocks == 10u);
    BOOST_TEST(s.central_free_blocks == 7u);  // flushed, not lost
    BOOST_TEST(s.thread_cached_blocks == 0u);
    for (net_buffer_t* b : handed_over) BufferPool::release(b);  // released on another thread
    s = pool.stats();
    BOOST_TEST(s.live_storage == 0u);
    BOOST_TEST(s.live_handles == 0u);
    BOOST_TEST(s.thread_caches == 1u);
    BOOST_TEST(s.thread_cached_blocks == 3u);
    BOOST_TEST(s.central_free_blocks == 7u);
}

BOOST_AUTO_TEST_CASE(cross_thread_stress)
{
    BufferPool::Config config;
    config.thread_cache_capacity = 8;  // small: exercise spills and refills
    BufferPool pool(config);
    constexpr int kThreads = 4;
    constexpr int kOps = 20000;
    std::mutex queue_mutex;
    std::deque<net_buffer_t*> queue;  // buffers handed from one thread to another
    std::atomic<int> corrupt{0};
    std::atomic<int> failures{0};

    auto worker = [&](int id) {
        std::mt19937 rng(static_cast<unsigned>(id) * 7919u + 1u);
        std::vector<net_buffer_t*> local;
        for (int op = 0; op < kOps; ++op) {
            const unsigned r = rng() % 8;
            if (r < 3 || local.empty()) {
                const std::size_t len = rng() % 12000;
                net_buffer_t* b = pool.allocate(len);
                if (b == nullptr) {
                    failures.fetch_add(1);
                    continue;
                }
                std::memset(b->data, id, b->len);
                local.push_back(b);
            } else if (r == 3) {
                net_buffer_t* b = local.back();
                local.pop_back();
                std::lock_guard lock(queue_mutex);
                queue.push_back(b);
            } else if (r == 4) {
                net_buffer_t* b = nullptr;
                {
                    std::lock_guard lock(queue_mutex);
                    if (!queue.empty()) {
                        b = queue.front();
                        queue.pop_front();
                    }
                }
                if (b != nullptr) {
                    const std::uint8_t v = b->len ? b->data[0] : 0;
                    for (std::size_t i = 0; i < b->len; ++i)
                        if (b->data[i] != v) {
                            corrupt.fetch_add(1);
                            break;
                        }
                    BufferPool::release(b);
                }
            } else if (r == 5) {
                net_buffer_t* b = local.back();
                net_buffer_t* s = BufferPool::slice(b, b->len / 2, b->len - b->len / 2);
                if (s == nullptr) {
                    failures.fetch_add(1);
                    continue;
                }
                // Hand the slice away and drop the parent: the storage lives on in the slice.
                local.pop_back();
                BufferPool::release(b);
                std::lock_guard lock(queue_mutex);
                queue.push_back(s);
            } else if (r == 6) {
                net_buffer_t* b = local.back();
                net_buffer_t* extra = BufferPool::retain(b);
                std::lock_guard lock(queue_mutex);
                queue.push_back(extra);  // another thread releases this reference
                local.pop_back();
                queue.push_back(b);
            } else {
                BufferPool::release(local.back());
                local.pop_back();
            }
        }
        for (net_buffer_t* b : local) BufferPool::release(b);
    };
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) threads.emplace_back(worker, i);
    for (std::thread& t : threads) t.join();
    for (net_buffer_t* b : queue) BufferPool::release(b);
    BOOST_TEST(corrupt.load() == 0);
    BOOST_TEST(failures.load() == 0);
    const BufferPool::Stats s = pool.stats();
    BOOST_TEST(s.live_handles == 0u);
    BOOST_TEST(s.live_storage == 0u);
    BOOST_TEST(s.live_oversize == 0u);
    BOOST_TEST(s.thread_caches == 1u);  // only this thread's (it released the queue)
    BOOST_TEST(s.central_free_blocks + s.thread_cached_blocks == s.pooled_blocks);
}

BOOST_AUTO_TEST_CASE(destroying_with_live_buffers_leaks_instead_of_crashing)
{
    auto pool = std::make_unique<BufferPool>();
    net_buffer_t* b = pool->allocate(100);
    fill(b, 4);
    pool.reset();  // a bug in the caller: reported on stderr
    BOOST_TEST(holds(b->data, b->len, 4));
    net_buffer_t* s = BufferPool::slice(b, 0, 10);
    BOOST_TEST(s != nullptr);
    BufferPool::release(s);
    BufferPool::release(b);
}
