// buffer/buffer_pool.cpp — BufferPool's hot paths (allocate, retain, release, slice) over the
// calling thread's cache, the thread-local cache registry, and the public API.
#include "net/kernel/buffer_pool.hpp"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>

#include "buffer/pool_core.hpp"

namespace net::kernel {

using buffer_detail::add_owned;
using buffer_detail::FreeList;
using buffer_detail::Handle;
using buffer_detail::kOversizeClass;
using buffer_detail::PoolCore;
using buffer_detail::Storage;
using buffer_detail::ThreadCache;
using buffer_detail::to_handle;

namespace {

// initial-exec: the kernel is linked into executables, and this keeps a cache lookup to one
// %fs-relative load instead of a __tls_get_addr call per operation.
[[gnu::tls_model("initial-exec")]] thread_local ThreadCache* tl_last = nullptr;  // most recently used cache
[[gnu::tls_model("initial-exec")]] thread_local ThreadCache* tl_head = nullptr;  // all of this thread's caches
[[gnu::tls_model("initial-exec")]] thread_local bool tl_exited = false;

// Pools destroyed with live buffers: kept reachable (and never freed) so late releases stay safe.
PoolCore* abandoned_pools = nullptr;

// Flushes the thread's caches to their pools when the thread exits. Constructed on first use.
struct ThreadExitFlush {
    bool armed = false;
    ~ThreadExitFlush()
    {
        tl_exited = true;
        tl_last = nullptr;
        std::lock_guard lock(buffer_detail::registry_mutex());
        while (ThreadCache* cache = tl_head) {
            tl_head = cache->next_in_thread;
            if (cache->pool != nullptr) cache->pool->retire_cache(*cache);
            delete cache;
        }
    }
};
thread_local ThreadExitFlush tl_exit_flush;

ThreadCache* find_local_cache(std::uint64_t pool_id) noexcept
{
    for (ThreadCache* cache = tl_head; cache != nullptr; cache = cache->next_in_thread)
        if (cache->pool_id == pool_id) return cache;
    return nullptr;
}

[[gnu::noinline]] ThreadCache* local_cache_slow(PoolCore& pool) noexcept
{
    if (ThreadCache* cache = find_local_cache(pool.id())) return tl_last = cache;
    if (tl_exited) return nullptr;
    std::lock_guard lock(buffer_detail::registry_mutex());
    // Drop caches whose pool is gone (their lists were drained by the pool's destructor).
    for (ThreadCache** link = &tl_head; *link != nullptr;) {
        ThreadCache* cache = *link;
        if (cache->pool == nullptr) {
            *link = cache->next_in_thread;
            delete cache;
        } else {
            link = &cache->next_in_thread;
        }
    }
    auto* cache = new (std::nothrow) ThreadCache;
    if (cache == nullptr) return nullptr;
    pool.init_cache(*cache);
    cache->next_in_thread = tl_head;
    tl_head = cache;
    tl_exit_flush.armed = true;
    return tl_last = cache;
}

// The calling thread's cache for `pool`; NULL while the thread is exiting or out of memory (the
// callers then go straight to the central lists).
inline ThreadCache* local_cache(PoolCore& pool) noexcept
{
    ThreadCache* cache = tl_last;
    if (cache != nullptr && cache->pool_id == pool.id()) [[likely]]
        return cache;
    return local_cache_slow(pool);
}

// Drops one reference the caller owns; true when it was the last. A count of 1 is ours alone
// (nobody else holds a reference to add or drop), so the common case needs no read-modify-write.
inline bool drop_ref(std::atomic<std::uint32_t>& refs) noexcept
{
    if (refs.load(std::memory_order_acquire) == 1) return true;
    // release: our accesses happen before whoever frees; acquire (on the last drop): everyone
    // else's happen before our free. acq_rel rather than release + acquire fence, which TSan
    // cannot model; on x86 both are one locked xadd.
    return refs.fetch_sub(1, std::memory_order_acq_rel) == 1;
}

template <class T>
inline T* pop(FreeList<T>& list) noexcept
{
    T* item = list.head;
    if (item != nullptr) [[likely]] {
        list.head = item->next_free;
        --list.count;
    }
    return item;
}

// Pushes onto the list; true when the list is now over capacity and must spill.
template <class T>
inline bool push(FreeList<T>& list, T* item) noexcept
{
    item->next_free = list.head;
    list.head = item;
    return ++list.count > list.capacity;
}

}  // namespace

namespace buffer_detail {

net_buffer_t* PoolCore::allocate(std::size_t len) noexcept
{
    const std::uint32_t cls = class_for(len);
    ThreadCache* cache = local_cache(*this);
    Storage* storage = nullptr;
    if (cls != kOversizeClass) [[likely]] {
        if (cache != nullptr) [[likely]] {
            storage = pop(cache->classes[cls]);
            if (storage == nullptr) [[unlikely]]
                storage = refill(cache->classes[cls], cls);
        } else {
            FreeList<Storage> none;
            storage = refill(none, cls);
        }
    } else {
        storage = new_oversize(len);
    }
    if (storage == nullptr) [[unlikely]]
        return nullptr;
    if (cache != nullptr) [[likely]] {
        add_owned(cache->live_storage, 1);
        add_owned(cache->live_handles, 1);
    } else {
        retired_storage_.fetch_add(1, std::memory_order_relaxed);
        retired_handles_.fetch_add(1, std::memory_order_relaxed);
    }
    storage->refs.store(1, std::memory_order_relaxed);
    storage->root.refs.store(1, std::memory_order_relaxed);
    storage->root.view.data = storage->data();
    storage->root.view.len = len;
    return &storage->root.view;
}

void PoolCore::release(Handle* handle) noexcept
{
    if (!drop_ref(handle->refs)) return;
    Storage* storage = handle->storage;
    PoolCore& pool = *storage->pool;
    const bool is_slice = handle->is_root == 0;
    // After this, a root handle (part of the storage block) may be recycled by another thread
    // unless this was the last reference.
    const bool last = drop_ref(storage->refs);
    ThreadCache* cache = local_cache(pool);
    if (cache != nullptr) [[likely]] {
        add_owned(cache->live_handles, -1);
        if (is_slice && push(cache->handles, handle)) [[unlikely]]
            pool.spill(cache->handles);
        if (!last) return;
        add_owned(cache->live_storage, -1);
        const std::uint32_t cls = storage->class_index;
        if (cls == kOversizeClass) [[unlikely]] {
            pool.free_storage(storage);
        } else if (push(cache->classes[cls], storage)) [[unlikely]] {
            pool.spill(cache->classes[cls], cls);
        }
        return;
    }
    pool.retired_handles_.fetch_sub(1, std::memory_order_relaxed);
    if (is_slice) pool.push_central(handle);
    if (!last) return;
    pool.retired_storage_.fetch_sub(1, std::memory_order_relaxed);
    if (storage->class_index == kOversizeClass)
        pool.free_storage(storage);
    else
        pool.push_central(storage);
}

net_buffer_t* PoolCore::slice(Handle* parent, std::size_t offset, std::size_t len) noexcept
{
    const std::size_t parent_len = parent->view.len;
    if (offset > parent_len || len > parent_len - offset) return nullptr;
    Storage* storage = parent->storage;
    PoolCore& pool = *storage->pool;
    ThreadCache* cache = local_cache(pool);
    Handle* handle = nullptr;
    if (cache != nullptr) [[likely]] {
        handle = pop(cache->handles);
        if (handle == nullptr) [[unlikely]]
            handle = pool.refill(cache->handles);
        if (handle == nullptr) [[unlikely]]
            return nullptr;
        add_owned(cache->live_handles, 1);
    } else {
        FreeList<Handle> none;
        handle = pool.refill(none);
        if (handle == nullptr) return nullptr;
        pool.retired_handles_.fetch_add(1, std::memory_order_relaxed);
    }
    storage->refs.fetch_add(1, std::memory_order_relaxed);
    handle->refs.store(1, std::memory_order_relaxed);
    handle->is_root = 0;
    handle->storage = storage;
    handle->view.data = parent->view.data + offset;
    handle->view.len = len;
    return &handle->view;
}

}  // namespace buffer_detail

BufferPool::BufferPool(Config config) : core_(new PoolCore(config)) {}

BufferPool::~BufferPool()
{
    {
        std::lock_guard lock(buffer_detail::registry_mutex());
        if (!core_->quiescent_locked()) {
            const Stats s = core_->stats_locked();
            std::fprintf(stderr,
                         "net::kernel::BufferPool destroyed with %zu live handle(s) over %zu storage block(s); "
                         "leaking the pool (a pool must outlive its buffers)\n",
                         s.live_handles, s.live_storage);
            core_->next_abandoned_ = abandoned_pools;
            abandoned_pools = core_;
            return;
        }
        core_->destroy_locked();
    }
    delete core_;
}

net_buffer_t* BufferPool::allocate(std::size_t len) noexcept
{
    return core_->allocate(len);
}

net_buffer_t* BufferPool::retain(net_buffer_t* buffer) noexcept
{
    if (buffer != nullptr) to_handle(buffer)->refs.fetch_add(1, std::memory_order_relaxed);
    return buffer;
}

void BufferPool::release(net_buffer_t* buffer) noexcept
{
    if (buffer != nullptr) PoolCore::release(to_handle(buffer));
}

net_buffer_t* BufferPool::slice(net_buffer_t* buffer, std::size_t offset, std::size_t len) noexcept
{
    return buffer != nullptr ? PoolCore::slice(to_handle(buffer), offset, len) : nullptr;
}

bool BufferPool::is_unique(const net_buffer_t* buffer) noexcept
{
    if (buffer == nullptr) return false;
    const Handle* handle = to_handle(buffer);
    // acquire: pairs with the release decrements of the other holders, whose reads of the bytes
    // then happen before the caller's writes.
    return handle->refs.load(std::memory_order_acquire) == 1 &&
           handle->storage->refs.load(std::memory_order_acquire) == 1;
}

net_buffer_t* BufferPool::make_unique(net_buffer_t* buffer) noexcept
{
    if (buffer == nullptr) return nullptr;
    if (is_unique(buffer)) return buffer;
    net_buffer_t* copy = to_handle(buffer)->storage->pool->allocate(buffer->len);
    if (copy == nullptr) return nullptr;
    if (buffer->len != 0) std::memcpy(copy->data, buffer->data, buffer->len);
    release(buffer);
    return copy;
}

net_status_t BufferPool::set_len(net_buffer_t* buffer, std::size_t len) noexcept
{
    if (buffer == nullptr) return NET_E_INVALID_ARGUMENT;
    if (!is_unique(buffer)) return NET_E_BAD_STATE;
    if (len > capacity(buffer)) return NET_E_INVALID_ARGUMENT;
    buffer->len = len;
    return NET_OK;
}

std::size_t BufferPool::capacity(const net_buffer_t* buffer) noexcept
{
    if (buffer == nullptr) return 0;
    Storage* storage = to_handle(buffer)->storage;
    return static_cast<std::size_t>(storage->data() + storage->capacity - buffer->data);
}

std::uint32_t BufferPool::use_count(const net_buffer_t* buffer) noexcept
{
    return buffer != nullptr ? to_handle(buffer)->refs.load(std::memory_order_relaxed) : 0;
}

std::uint32_t BufferPool::storage_use_count(const net_buffer_t* buffer) noexcept
{
    return buffer != nullptr ? to_handle(buffer)->storage->refs.load(std::memory_order_relaxed) : 0;
}

BufferPool::Stats BufferPool::stats() const noexcept
{
    return core_->stats();
}

std::size_t BufferPool::trim() noexcept
{
    if (ThreadCache* cache = find_local_cache(core_->id())) core_->flush(*cache);
    return core_->trim_central();
}

std::size_t BufferPool::largest_class() const noexcept
{
    return core_->largest_class();
}

const std::vector<std::size_t>& BufferPool::size_classes() const noexcept
{
    return core_->size_classes();
}

}  // namespace net::kernel
