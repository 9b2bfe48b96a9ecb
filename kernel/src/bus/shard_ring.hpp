// bus/shard_ring.hpp — one shard's bounded ring: Dmitry Vyukov's array queue (a sequence number
// per slot), sized once to a power of two. Many producers push; the shard's flush thread pops,
// and under drop_oldest producers pop too (to evict the oldest), so pops can be multi-consumer.
//
// push: claim a position with a CAS on enqueue_pos, write the slot, publish it by storing the
// slot's sequence (release). pop: the mirror image on dequeue_pos. "Full" means `capacity`
// events are queued: a slot whose previous event was claimed by a pop but not yet copied out is
// waited for (a few nanoseconds), not reported as full, so the policies count exactly.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "net/iface/bus_adapter.h"

namespace net::kernel::bus::detail {

inline void cpu_relax() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

class ShardRing {
public:
    explicit ShardRing(std::size_t capacity_pow2)
        : mask_(capacity_pow2 - 1), slots_(new Slot[capacity_pow2])
    {
        for (std::size_t i = 0; i < capacity_pow2; ++i) slots_[i].seq.store(i, std::memory_order_relaxed);
    }

    std::size_t capacity() const noexcept { return mask_ + 1; }

    // Queues `event`; false when the ring holds `capacity` events. `position` gets the event's
    // enqueue position (0, 1, 2, ... over the ring's life).
    bool try_push(const net_bus_event_t& event, std::uint64_t& position) noexcept
    {
        std::uint64_t pos = enqueue_pos_.load(std::memory_order_relaxed);
        for (;;) {
            Slot& slot = slots_[pos & mask_];
            const std::uint64_t seq = slot.seq.load(std::memory_order_acquire);
            const auto dif = static_cast<std::int64_t>(seq - pos);
            if (dif == 0) {
                // seq_cst: the flush thread's sleep protocol (Bus) orders this claim before the
                // producer's read of the shard's wake mark.
                if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst,
                                                       std::memory_order_relaxed)) {
                    // Start pulling a later slot's line (last written by the consumer) early.
                    __builtin_prefetch(&slots_[(pos + kPrefetchAhead) & mask_], 1);
                    slot.event = event;
                    slot.seq.store(pos + 1, std::memory_order_release);
                    position = pos;
                    return true;
                }
            } else if (dif < 0) {
                // The slot still holds the event of the previous lap: full, unless a pop has
                // already claimed that event and is copying it out.
                const auto queued = static_cast<std::int64_t>(pos - dequeue_pos_.load(std::memory_order_acquire));
                if (queued > static_cast<std::int64_t>(mask_)) return false;
                cpu_relax();
                pos = enqueue_pos_.load(std::memory_order_relaxed);
            } else {
                pos = enqueue_pos_.load(std::memory_order_relaxed);
            }
        }
    }

    // Takes the oldest event; false when none is ready (empty, or the next one is still being
    // written). Multi: other threads may pop at the same time (CAS); otherwise a plain store.
    template <bool Multi>
    bool try_pop(net_bus_event_t& out) noexcept
    {
        std::uint64_t pos = dequeue_pos_.load(std::memory_order_relaxed);
        for (;;) {
            Slot& slot = slots_[pos & mask_];
            const std::uint64_t seq = slot.seq.load(std::memory_order_acquire);
            const auto dif = static_cast<std::int64_t>(seq - (pos + 1));
            if (dif == 0) {
                if constexpr (Multi) {
                    if (!dequeue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_acq_rel,
                                                            std::memory_order_relaxed)) {
                        continue;
                    }
                } else {
                    dequeue_pos_.store(pos + 1, std::memory_order_release);
                }
                __builtin_prefetch(&slots_[(pos + kPrefetchAhead) & mask_], 1);
                out = slot.event;
                slot.seq.store(pos + mask_ + 1, std::memory_order_release);
                return true;
            }
            if (dif < 0) return false;
            pos = dequeue_pos_.load(std::memory_order_relaxed);
        }
    }

    // True once the event at enqueue position `position` has been written (and not yet
    // overwritten by a later lap). Reads only that slot's line, which its producer writes once:
    // a cheap thing to poll, unlike enqueue_pos, which every push writes.
    bool written(std::uint64_t position) const noexcept
    {
        const std::uint64_t seq = slots_[position & mask_].seq.load(std::memory_order_acquire);
        return static_cast<std::int64_t>(seq - (position + 1)) >= 0;
    }

    // Positions claimed by pushes / pops so far. pushed() is seq_cst (the sleep protocol).
    std::uint64_t pushed() const noexcept { return enqueue_pos_.load(std::memory_order_seq_cst); }
    std::uint64_t popped() const noexcept { return dequeue_pos_.load(std::memory_order_acquire); }
    // Events queued now (claimed pushes not yet popped): a snapshot.
    std::size_t depth() const noexcept
    {
        const std::uint64_t popped_now = dequeue_pos_.load(std::memory_order_acquire);
        const std::uint64_t pushed_now = enqueue_pos_.load(std::memory_order_acquire);
        return pushed_now > popped_now ? static_cast<std::size_t>(pushed_now - popped_now) : 0;
    }

private:
    // One cache line per slot: two producers filling neighbouring slots do not share a line.
    struct alignas(64) Slot {
        std::atomic<std::uint64_t> seq{0};
        net_bus_event_t event{};
    };

    static constexpr std::uint64_t kPrefetchAhead = 4;

    alignas(64) std::atomic<std::uint64_t> enqueue_pos_{0};
    alignas(64) std::atomic<std::uint64_t> dequeue_pos_{0};
    alignas(64) const std::size_t mask_;
    std::unique_ptr<Slot[]> slots_;
};

}  // namespace net::kernel::bus::detail
