// buffer/pool_core.cpp — the slow paths of the buffer pools: configuration, system allocation,
// the central lists, the cache registry, statistics and destruction.
#include "buffer/pool_core.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

namespace net::kernel::buffer_detail {

namespace {

std::atomic<std::uint64_t> next_pool_id{1};

constexpr std::size_t kMaxClassSize = std::size_t{1} << 40;

constexpr std::size_t block_bytes(std::size_t capacity) noexcept
{
    return (sizeof(Storage) + capacity + kAlignment - 1) & ~(kAlignment - 1);
}

std::uint32_t clamp_capacity(std::size_t n) noexcept
{
    return static_cast<std::uint32_t>(std::min<std::size_t>(n, std::size_t{1} << 20));
}

}  // namespace

std::mutex& registry_mutex() noexcept
{
    static std::mutex mutex;
    return mutex;
}

PoolCore::PoolCore(const BufferPool::Config& config) : id_(next_pool_id.fetch_add(1, std::memory_order_relaxed))
{
    class_list_ = config.size_classes;
    std::sort(class_list_.begin(), class_list_.end());
    class_list_.erase(std::unique(class_list_.begin(), class_list_.end()), class_list_.end());
    if (class_list_.empty()) throw std::invalid_argument("BufferPool: no size classes");
    if (class_list_.size() > kMaxClasses) throw std::invalid_argument("BufferPool: more than 32 size classes");
    if (class_list_.front() == 0) throw std::invalid_argument("BufferPool: a size class of 0 bytes");
    if (class_list_.back() > kMaxClassSize) throw std::invalid_argument("BufferPool: a size class above 1 TiB");

    class_count_ = static_cast<std::uint32_t>(class_list_.size());
    const std::size_t per_class = config.thread_cache_capacity;
    for (std::uint32_t i = 0; i < class_count_; ++i) {
        class_sizes_[i] = class_list_[i];
        const std::size_t by_bytes = std::max<std::size_t>(1, config.thread_cache_max_bytes / class_list_[i]);
        class_cache_capacity_[i] = per_class == 0 ? 0 : clamp_capacity(std::min(per_class, by_bytes));
    }
    handle_cache_capacity_ = clamp_capacity(per_class);
    max_oversize_ = std::min(config.max_oversize, kMaxClassSize);
}

Storage* PoolCore::new_storage(std::uint32_t cls) noexcept
{
    const std::size_t bytes = block_bytes(class_sizes_[cls]);
    void* memory = std::aligned_alloc(kAlignment, bytes);
    if (memory == nullptr) return nullptr;
    auto* storage = new (memory) Storage{};
    storage->root.is_root = 1;
    storage->root.storage = storage;
    storage->class_index = cls;
    storage->capacity = class_sizes_[cls];
    storage->pool = this;
    bytes_reserved_.fetch_add(bytes, std::memory_order_relaxed);
    pooled_blocks_.fetch_add(1, std::memory_order_relaxed);
    return storage;
}

Storage* PoolCore::new_oversize(std::size_t len) noexcept
{
    if (len > max_oversize_) return nullptr;
    const std::size_t bytes = block_bytes(len);
    void* memory = std::aligned_alloc(kAlignment, bytes);
    if (memory == nullptr) return nullptr;
    auto* storage = new (memory) Storage{};
    storage->root.is_root = 1;
    storage->root.storage = storage;
    storage->class_index = kOversizeClass;
    storage->capacity = len;
    storage->pool = this;
    bytes_reserved_.fetch_add(bytes, std::memory_order_relaxed);
    live_oversize_.fetch_add(1, std::memory_order_relaxed);
    return storage;
}

void PoolCore::free_storage(Storage* storage) noexcept
{
    bytes_reserved_.fetch_sub(block_bytes(storage->capacity), std::memory_order_relaxed);
    if (storage->class_index == kOversizeClass)
        live_oversize_.fetch_sub(1, std::memory_order_relaxed);
    else
        pooled_blocks_.fetch_sub(1, std::memory_order_relaxed);
    std::free(storage);
}

namespace {

template <class T>
T* next_chain(T* first) noexcept
{
    return reinterpret_cast<T*>(chain_meta(first).data);
}

// Pushes the chain first..last (n objects; last->next_free already NULL). Under the mutex.
template <class T>
void push_chain_locked(CentralList<T>& central, T* first, std::size_t n) noexcept
{
    chain_meta(first).data = reinterpret_cast<std::uint8_t*>(central.chains);
    chain_meta(first).len = n;
    central.chains = first;
    central.count += n;
}

}  // namespace

// Moves the top chain of `central` (usually half a thread list's capacity: what one spill gave
// back) into `list`, then pops one. NULL when `central` is empty.
template <class T>
T* PoolCore::take(FreeList<T>& list, CentralList<T>& central) noexcept
{
    T* first = nullptr;
    std::size_t n = 0;
    {
        std::lock_guard lock(central.mutex);
        first = central.chains;
        if (first == nullptr) return nullptr;
        n = chain_meta(first).len;
        central.chains = next_chain(first);
        central.count -= n;
        if (list.capacity == 0) {
            // No thread cache to keep the rest in (a thread past its cache's end): one object,
            // the rest of its chain stays central.
            if (n > 1) push_chain_locked(central, first->next_free, n - 1);
            return first;
        }
    }
    if (list.head != nullptr) {
        // The callers refill empty lists; keep whatever is there anyway.
        T* last = first;
        while (last->next_free != nullptr) last = last->next_free;
        last->next_free = list.head;
    }
    list.head = first;
    list.count += static_cast<std::uint32_t>(n);
    T* item = list.head;
    list.head = item->next_free;
    --list.count;
    return item;
}

Storage* PoolCore::refill(FreeList<Storage>& list, std::uint32_t cls) noexcept
{
    if (Storage* storage = take(list, central_[cls])) return storage;
    return new_storage(cls);
}

Handle* PoolCore::refill(FreeList<Handle>& list) noexcept
{
    if (Handle* handle = take(list, central_handles_)) return handle;
    void* memory = std::aligned_alloc(kAlignment, kHandlesPerSlab * sizeof(Handle));
    if (memory == nullptr) return nullptr;
    {
        std::lock_guard lock(central_handles_.mutex);
        try {
            handle_slabs_.push_back(memory);
        } catch (...) {
            std::free(memory);
            return nullptr;
        }
    }
    bytes_reserved_.fetch_add(kHandlesPerSlab * sizeof(Handle), std::memory_order_relaxed);
    auto* slab = static_cast<Handle*>(memory);
    for (std::size_t i = 0; i < kHandlesPerSlab; ++i) {
        Handle* handle = new (slab + i) Handle{};
        handle->next_free = i + 1 < kHandlesPerSlab ? slab + i + 1 : nullptr;
    }
    // The caller gets the first handle, its list (or, without one, the central list) the rest:
    // pushing the slab to the central list and taking from it again would let another thread
    // take the whole slab in between and leave this caller with nothing.
    Handle* const rest = slab + 1;
    if (list.capacity == 0) {
        std::lock_guard lock(central_handles_.mutex);
        push_chain_locked(central_handles_, rest, kHandlesPerSlab - 1);
    } else {
        slab[kHandlesPerSlab - 1].next_free = list.head;
        list.head = rest;
        list.count += static_cast<std::uint32_t>(kHandlesPerSlab - 1);
    }
    return slab;
}

// Moves all but the last `keep` objects (the first ones, most recently pushed, are moved: they
// are about to be overwritten anyway, the older ones are colder) to `central` in one splice.
template <class T>
void PoolCore::give_back(FreeList<T>& list, CentralList<T>& central, std::uint32_t keep) noexcept
{
    if (list.count <= keep) return;
    const std::uint32_t n = list.count - keep;
    T* first = list.head;
    T* last = first;
    for (std::uint32_t i = 1; i < n; ++i) last = last->next_free;
    list.head = last->next_free;
    list.count = keep;
    last->next_free = nullptr;
    std::lock_guard lock(central.mutex);
    push_chain_locked(central, first, n);
}

void PoolCore::spill(FreeList<Storage>& list, std::uint32_t cls) noexcept
{
    give_back(list, central_[cls], list.capacity / 2);
}

void PoolCore::spill(FreeList<Handle>& list) noexcept
{
    give_back(list, central_handles_, list.capacity / 2);
}

void PoolCore::push_central(Storage* storage) noexcept
{
    CentralList<Storage>& central = central_[storage->class_index];
    storage->next_free = nullptr;
    std::lock_guard lock(central.mutex);
    push_chain_locked(central, storage, 1);
}

void PoolCore::push_central(Handle* handle) noexcept
{
    handle->next_free = nullptr;
    std::lock_guard lock(central_handles_.mutex);
    push_chain_locked(central_handles_, handle, 1);
}

void PoolCore::flush(ThreadCache& cache) noexcept
{
    for (std::uint32_t i = 0; i < class_count_; ++i) give_back(cache.classes[i], central_[i], 0);
    give_back(cache.handles, central_handles_, 0);
}

void PoolCore::init_cache(ThreadCache& cache) noexcept
{
    cache.pool_id = id_;
    cache.pool = this;
    for (std::uint32_t i = 0; i < class_count_; ++i) cache.classes[i].capacity = class_cache_capacity_[i];
    cache.handles.capacity = handle_cache_capacity_;
    cache.prev_in_pool = nullptr;
    cache.next_in_pool = caches_;
    if (caches_ != nullptr) caches_->prev_in_pool = &cache;
    caches_ = &cache;
    ++cache_count_;
}

void PoolCore::retire_cache(ThreadCache& cache) noexcept
{
    flush(cache);
    retired_handles_.fetch_add(cache.live_handles.load(std::memory_order_relaxed), std::memory_order_relaxed);
    retired_storage_.fetch_add(cache.live_storage.load(std::memory_order_relaxed), std::memory_order_relaxed);
    cache.live_handles.store(0, std::memory_order_relaxed);
    cache.live_storage.store(0, std::memory_order_relaxed);
    if (cache.prev_in_pool != nullptr)
        cache.prev_in_pool->next_in_pool = cache.next_in_pool;
    else
        caches_ = cache.next_in_pool;
    if (cache.next_in_pool != nullptr) cache.next_in_pool->prev_in_pool = cache.prev_in_pool;
    cache.prev_in_pool = cache.next_in_pool = nullptr;
    cache.pool = nullptr;
    --cache_count_;
}

void PoolCore::live_counts_locked(std::int64_t& handles, std::int64_t& storage) const noexcept
{
    handles = retired_handles_.load(std::memory_order_relaxed);
    storage = retired_storage_.load(std::memory_order_relaxed);
    for (const ThreadCache* cache = caches_; cache != nullptr; cache = cache->next_in_pool) {
        handles += cache->live_handles.load(std::memory_order_relaxed);
        storage += cache->live_storage.load(std::memory_order_relaxed);
    }
}

bool PoolCore::quiescent_locked() const noexcept
{
    std::int64_t handles = 0;
    std::int64_t storage = 0;
    live_counts_locked(handles, storage);
    return handles == 0 && storage == 0;
}

void PoolCore::destroy_locked() noexcept
{
    while (caches_ != nullptr) {
        ThreadCache& cache = *caches_;
        for (std::uint32_t i = 0; i < class_count_; ++i) {
            FreeList<Storage>& list = cache.classes[i];
            while (Storage* storage = list.head) {
                list.head = storage->next_free;
                free_storage(storage);
            }
            list.count = 0;
        }
        cache.handles.head = nullptr;  // the slabs are freed below
        cache.handles.count = 0;
        retire_cache(cache);
    }
    trim_central();
    std::lock_guard lock(central_handles_.mutex);
    for (void* slab : handle_slabs_) {
        std::free(slab);
        bytes_reserved_.fetch_sub(kHandlesPerSlab * sizeof(Handle), std::memory_order_relaxed);
    }
    handle_slabs_.clear();
    central_handles_.chains = nullptr;
    central_handles_.count = 0;
}

std::size_t PoolCore::trim_central() noexcept
{
    std::size_t freed = 0;
    for (std::uint32_t i = 0; i < class_count_; ++i) {
        Storage* chain = nullptr;
        {
            std::lock_guard lock(central_[i].mutex);
            chain = std::exchange(central_[i].chains, nullptr);
            central_[i].count = 0;
        }
        while (chain != nullptr) {
            Storage* const following = next_chain(chain);
            for (Storage* s = chain; s != nullptr;) {
                Storage* const next = s->next_free;
                freed += block_bytes(s->capacity);
                free_storage(s);
                s = next;
            }
            chain = following;
        }
    }
    return freed;
}

BufferPool::Stats PoolCore::stats_locked() const noexcept
{
    BufferPool::Stats stats;
    std::int64_t handles = 0;
    std::int64_t storage = 0;
    live_counts_locked(handles, storage);
    stats.thread_caches = cache_count_;
    std::size_t central = 0;
    for (std::uint32_t i = 0; i < class_count_; ++i) {
        std::lock_guard lock(central_[i].mutex);
        central += central_[i].count;
    }
    const auto clamp = [](std::int64_t v) { return v < 0 ? std::size_t{0} : static_cast<std::size_t>(v); };
    stats.live_handles = clamp(handles);
    stats.live_storage = clamp(storage);
    stats.bytes_reserved = bytes_reserved_.load(std::memory_order_relaxed);
    stats.live_oversize = live_oversize_.load(std::memory_order_relaxed);
    stats.pooled_blocks = pooled_blocks_.load(std::memory_order_relaxed);
    stats.central_free_blocks = central;
    const std::size_t live_pooled =
        stats.live_storage > stats.live_oversize ? stats.live_storage - stats.live_oversize : 0;
    const std::size_t accounted = live_pooled + central;
    stats.thread_cached_blocks = stats.pooled_blocks > accounted ? stats.pooled_blocks - accounted : 0;
    return stats;
}

BufferPool::Stats PoolCore::stats() const noexcept
{
    std::lock_guard lock(registry_mutex());
    return stats_locked();
}

}  // namespace net::kernel::buffer_detail
