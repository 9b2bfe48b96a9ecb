// buffer/pool_core.hpp — private layout of buffer handles, storage blocks, thread caches and the
// per-pool shared state behind net::kernel::BufferPool.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "net/buffer.h"
#include "net/kernel/buffer_pool.hpp"

namespace net::kernel::buffer_detail {

inline constexpr std::size_t kAlignment = 64;
inline constexpr std::size_t kMaxClasses = 32;
inline constexpr std::uint32_t kOversizeClass = 0xFFFFFFFFu;
inline constexpr std::size_t kHandlesPerSlab = 128;

struct Storage;

// A handle. `view` is the public net_buffer_t prefix, so a net_buffer_t* is a Handle*.
struct Handle {
    net_buffer_t view;
    std::atomic<std::uint32_t> refs;
    std::uint32_t is_root;  // 1: embedded in its Storage block; 0: a slice from the handle pool
    union {
        Storage* storage;   // while live (always, for a root handle)
        Handle* next_free;  // a slice handle on a free list
    };
};
static_assert(sizeof(Handle) == 32);

// The header of a storage block; the data follows it. Fields other than the refcounts and
// next_free are set once when the block is obtained from the system.
struct alignas(kAlignment) Storage {
    Handle root;
    std::atomic<std::uint32_t> refs;  // handles over this storage
    std::uint32_t class_index;        // kOversizeClass for an exact-size heap block
    std::size_t capacity;             // data bytes
    PoolCore* pool;
    Storage* next_free;  // on a free list

    std::uint8_t* data() noexcept { return reinterpret_cast<std::uint8_t*>(this) + sizeof(Storage); }
};
static_assert(sizeof(Storage) == kAlignment, "the data must start 64-byte aligned right after the header");

// While an object is free, the view of its (root) handle holds, for the first object of a
// chain on a CentralList, the next chain (data) and this chain's length (len). allocate and
// slice overwrite both before the handle is handed out.
inline net_buffer_t& chain_meta(Storage* s) noexcept
{
    return s->root.view;
}

inline Handle* to_handle(net_buffer_t* buffer) noexcept
{
    return reinterpret_cast<Handle*>(buffer);
}
inline const Handle* to_handle(const net_buffer_t* buffer) noexcept
{
    return reinterpret_cast<const Handle*>(buffer);
}

// A singly linked LIFO touched only by its owning thread (no atomics).
template <class T>
struct FreeList {
    T* head = nullptr;
    std::uint32_t count = 0;
    std::uint32_t capacity = 0;
};

// A shared stack of free objects, protected by its mutex, kept as a stack of *chains*: each
// chain is the run of objects one spill (or thread exit) gave back, linked by next_free and
// ending with NULL. Its first object carries the chain's metadata in fields that are unused
// while an object is free (chain_meta: the handle's view). A refill takes one whole chain, so
// both sides hold the mutex for O(1) work; walking a chain of cache-cold objects under the
// mutex (one miss per object) made contending threads sleep on it.
template <class T>
struct alignas(kAlignment) CentralList {
    mutable std::mutex mutex;
    T* chains = nullptr;     // first object of the top chain
    std::size_t count = 0;   // objects in all chains
};

inline net_buffer_t& chain_meta(Handle* h) noexcept
{
    return h->view;
}

// One thread's cache for one pool. Owned by the thread (freed at thread exit or when pruned after
// its pool died). The lists are touched only by the owner, except by the pool's destructor, which
// may drain it because no thread may use a pool that is being destroyed.
struct ThreadCache {
    std::uint64_t pool_id = 0;  // immutable; pool ids are never reused
    PoolCore* pool = nullptr;   // null once the pool is gone; written under registry_mutex()
    ThreadCache* next_in_thread = nullptr;
    ThreadCache* prev_in_pool = nullptr;  // the pool's registry, under registry_mutex()
    ThreadCache* next_in_pool = nullptr;
    // Deltas written only by the owner (load + store, no read-modify-write); summed by stats().
    std::atomic<std::int64_t> live_handles{0};
    std::atomic<std::int64_t> live_storage{0};
    FreeList<Handle> handles;
    FreeList<Storage> classes[kMaxClasses];
};

inline void add_owned(std::atomic<std::int64_t>& counter, std::int64_t delta) noexcept
{
    counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

// Guards every pool's cache registry, every thread's cache list changes and pool destruction.
// Taken only on slow paths (first use of a pool on a thread, thread exit, stats, destruction).
std::mutex& registry_mutex() noexcept;

class PoolCore {
public:
    explicit PoolCore(const BufferPool::Config& config);
    PoolCore(const PoolCore&) = delete;
    PoolCore& operator=(const PoolCore&) = delete;

    // Hot paths (buffer_pool.cpp).
    net_buffer_t* allocate(std::size_t len) noexcept;
    static void release(Handle* handle) noexcept;
    static net_buffer_t* slice(Handle* parent, std::size_t offset, std::size_t len) noexcept;

    std::uint32_t class_for(std::size_t len) const noexcept
    {
        for (std::uint32_t i = 0; i < class_count_; ++i)
            if (len <= class_sizes_[i]) return i;
        return kOversizeClass;
    }

    // Slow paths (pool_core.cpp).
    Storage* new_oversize(std::size_t len) noexcept;  // NULL when too large or out of memory
    void free_storage(Storage* storage) noexcept;     // to the system
    // Pops one object for an empty thread list, moving up to half its capacity from the central
    // list into it first; allocates from the system when the central list is empty too.
    Storage* refill(FreeList<Storage>& list, std::uint32_t cls) noexcept;
    Handle* refill(FreeList<Handle>& list) noexcept;
    // Moves objects from an overfull thread list to the central list, keeping half its capacity.
    void spill(FreeList<Storage>& list, std::uint32_t cls) noexcept;
    void spill(FreeList<Handle>& list) noexcept;
    void push_central(Storage* storage) noexcept;
    void push_central(Handle* handle) noexcept;
    void flush(ThreadCache& cache) noexcept;  // every cached object back to the central lists

    // Under registry_mutex().
    void init_cache(ThreadCache& cache) noexcept;    // capacities, then links it into the registry
    void retire_cache(ThreadCache& cache) noexcept;  // flush, fold its counters, unlink, orphan
    bool quiescent_locked() const noexcept;          // no live handle or storage
    void destroy_locked() noexcept;                  // drains every cache, frees everything

    BufferPool::Stats stats_locked() const noexcept;  // under registry_mutex()
    BufferPool::Stats stats() const noexcept;
    std::size_t trim_central() noexcept;

    std::uint64_t id() const noexcept { return id_; }
    std::size_t max_oversize() const noexcept { return max_oversize_; }
    std::size_t largest_class() const noexcept { return class_sizes_[class_count_ - 1]; }
    const std::vector<std::size_t>& size_classes() const noexcept { return class_list_; }

    // Counters of buffers handled without a thread cache (thread exiting, cache allocation
    // failure) plus those folded in from retired caches.
    std::atomic<std::int64_t> retired_handles_{0};
    std::atomic<std::int64_t> retired_storage_{0};
    PoolCore* next_abandoned_ = nullptr;  // under registry_mutex()

private:
    Storage* new_storage(std::uint32_t cls) noexcept;
    template <class T>
    void give_back(FreeList<T>& list, CentralList<T>& central, std::uint32_t keep) noexcept;
    template <class T>
    static T* take(FreeList<T>& list, CentralList<T>& central) noexcept;
    void live_counts_locked(std::int64_t& handles, std::int64_t& storage) const noexcept;

    std::uint64_t id_;
    std::uint32_t class_count_ = 0;
    std::size_t class_sizes_[kMaxClasses] = {};
    std::uint32_t class_cache_capacity_[kMaxClasses] = {};
    std::uint32_t handle_cache_capacity_ = 0;
    std::size_t max_oversize_ = 0;
    std::vector<std::size_t> class_list_;

    CentralList<Storage> central_[kMaxClasses];
    CentralList<Handle> central_handles_;
    std::vector<void*> handle_slabs_;  // under central_handles_.mutex

    std::atomic<std::size_t> bytes_reserved_{0};
    std::atomic<std::size_t> pooled_blocks_{0};
    std::atomic<std::size_t> live_oversize_{0};

    ThreadCache* caches_ = nullptr;  // registry, under registry_mutex()
    std::size_t cache_count_ = 0;
};

}  // namespace net::kernel::buffer_detail
