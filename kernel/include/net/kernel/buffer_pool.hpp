// net/kernel/buffer_pool.hpp — the kernel's size-classed pools of refcounted buffers.
//
// A BufferPool hands out net_buffer_t handles (net/buffer.h). A handle is {data, len} followed by
// private fields: an atomic handle refcount and a pointer to its storage block. Each handle holds
// one reference on its storage (atomic storage refcount); slice() makes a new handle over the same
// storage, and the storage goes back to its size class when the last handle over it is released.
//
// Layout: a plain allocate() is ONE pooled block — a 64-byte header holding the storage refcount
// and the root handle, then the data (64-byte aligned). Slice handles come from a small-object
// pool. Each thread keeps a cache per (pool, class); a cache hit takes no lock and no atomic
// read-modify-write. An overflowing cache returns half of its blocks to the pool's central list,
// an empty one refills half from it, and a thread's caches are flushed when the thread exits.
//
// Thread rules: allocate/retain/release/slice/is_unique/make_unique/set_len/capacity/stats are
// [any-thread]; a buffer may be released on a different thread than the one that allocated it.
// The static functions find the buffer's pool through the handle, so they work for buffers of
// any BufferPool. The pool must outlive its buffers: destroying it while buffers are live is a
// bug; the destructor reports it on stderr and leaks the pool's memory rather than crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "net/buffer.h"
#include "net/status.h"

namespace net::kernel {

namespace buffer_detail {
class PoolCore;
}

// BufferPool::Config.
struct BufferPoolConfig {
    // Data capacities of the pooled size classes (sorted and de-duplicated by the pool; at
    // most 32 classes, each > 0).
    std::vector<std::size_t> size_classes{256, 2048, 9216, 65536, 1048576};
    // Blocks per class per thread kept in the thread-local cache (0 disables the caches).
    std::size_t thread_cache_capacity = 64;
    // Bytes per class per thread a cache may hold: large classes cache fewer blocks (at
    // least one), so a thread does not sit on 64 MiB of 1 MiB buffers.
    std::size_t thread_cache_max_bytes = 4u << 20;
    // Requests larger than the largest class get an exact-size heap block up to this size;
    // larger requests fail (NULL).
    std::size_t max_oversize = 64u << 20;
};

// BufferPool::Stats. Counters are exact when no other thread is using the pool, approximate otherwise.
struct BufferPoolStats {
    std::size_t live_handles = 0;          // root and slice handles not yet released
    std::size_t live_storage = 0;          // storage blocks (pooled and oversize) in use
    std::size_t bytes_reserved = 0;        // bytes obtained from the system and not yet returned
    std::size_t live_oversize = 0;         // oversize blocks in use (part of live_storage)
    std::size_t pooled_blocks = 0;         // pooled storage blocks owned by the pool (live or free)
    std::size_t central_free_blocks = 0;   // free pooled blocks on the shared central lists
    std::size_t thread_cached_blocks = 0;  // free pooled blocks held by thread caches
    std::size_t thread_caches = 0;         // threads with a cache for this pool
};

class BufferPool {
public:
    using Config = BufferPoolConfig;
    using Stats = BufferPoolStats;

    // Throws std::invalid_argument for an unusable config (no classes, a zero class, > 32
    // classes) and std::bad_alloc when the pool itself cannot be allocated.
    explicit BufferPool(Config config = {});
    ~BufferPool();
    BufferPool(const BufferPool&) = delete;
    BufferPool& operator=(const BufferPool&) = delete;

    // A new handle of `len` bytes in the smallest class that holds them (an exact-size block above
    // the largest class, up to max_oversize). The bytes are NOT zeroed. The caller owns one
    // reference. NULL when `len` is too large or memory is exhausted.
    net_buffer_t* allocate(std::size_t len) noexcept;

    // Adds a reference to `buffer` (NULL ok) and returns it.
    static net_buffer_t* retain(net_buffer_t* buffer) noexcept;

    // Drops one reference (NULL ok). The handle dies with its last reference, the storage with
    // its last handle.
    static void release(net_buffer_t* buffer) noexcept;

    // A new handle over bytes [offset, offset + len) of `buffer`, sharing its storage. `buffer` is
    // untouched. NULL on a range that does not fit (overflow-checked) or when memory is exhausted.
    static net_buffer_t* slice(net_buffer_t* buffer, std::size_t offset, std::size_t len) noexcept;

    // True when the handle has one reference and is the only handle over its storage.
    static bool is_unique(const net_buffer_t* buffer) noexcept;

    // Consumes the caller's reference: returns `buffer` itself when unique, else a copy of its
    // bytes in fresh storage from the same pool (the original reference is released). On failure
    // returns NULL and the caller still owns `buffer`.
    static net_buffer_t* make_unique(net_buffer_t* buffer) noexcept;

    // Sets the length of a unique buffer. NET_E_BAD_STATE when shared, NET_E_INVALID_ARGUMENT
    // when NULL or `len` > capacity(buffer).
    static net_status_t set_len(net_buffer_t* buffer, std::size_t len) noexcept;

    // Bytes of storage from buffer->data to the end of its storage block (0 for NULL).
    static std::size_t capacity(const net_buffer_t* buffer) noexcept;

    // The handle's reference count and the number of handles over its storage (0 for NULL).
    // For tests and diagnostics: another thread may change them right after the call.
    static std::uint32_t use_count(const net_buffer_t* buffer) noexcept;
    static std::uint32_t storage_use_count(const net_buffer_t* buffer) noexcept;

    Stats stats() const noexcept;

    // Flushes the calling thread's cache for this pool, then returns every block on the central
    // lists to the system. Blocks cached by other threads are untouched. Returns the bytes freed.
    std::size_t trim() noexcept;

    std::size_t largest_class() const noexcept;
    const std::vector<std::size_t>& size_classes() const noexcept;

private:
    buffer_detail::PoolCore* core_;
};

}  // namespace net::kernel
