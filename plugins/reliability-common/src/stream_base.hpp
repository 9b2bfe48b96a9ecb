// What every reliability stream object has: its link, its lock, the callback gate, the activity
// timestamp (for idle timeout and LRU eviction) and the once-only close.
//
// Closing happens in two steps so that the stream table can claim a victim under its own lock
// without taking the stream's lock: claim_close() flips the closed flag (only one caller wins),
// finish_close() releases the mode's state under the stream lock and calls link->closed after
// unlocking.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "callback_gate.hpp"
#include "monotonic_clock.hpp"
#include "net/iface/reliability.h"

namespace net::reliability {

class StreamBase : public std::enable_shared_from_this<StreamBase> {
public:
    explicit StreamBase(const net_stream_link_t* link) noexcept : link_(link), last_activity_(now_ns()) {}
    virtual ~StreamBase() = default;
    StreamBase(const StreamBase&) = delete;
    StreamBase& operator=(const StreamBase&) = delete;

    std::uint64_t last_activity_ns() const noexcept { return last_activity_.load(std::memory_order_relaxed); }
    bool is_closed() const noexcept { return closed_.load(std::memory_order_acquire); }
    bool idle_for_longer_than(std::uint64_t now, std::uint64_t idle_ns) const noexcept
    {
        const std::uint64_t last = last_activity_ns();
        return now > last && now - last > idle_ns;
    }

    // True for exactly one caller: the one that must then call finish_close().
    bool claim_close() noexcept { return !closed_.exchange(true, std::memory_order_acq_rel); }

    void finish_close(net_status_t reason, const std::string& message) noexcept
    {
        CallbackGate::Pass pass;
        {
            std::lock_guard lock(mutex_);
            release_state_locked();
            pass = gate_.enter();
        }
        if (pass) link_->closed(link_->ctx, reason, message.c_str());
    }

    void close(net_status_t reason, const std::string& message) noexcept
    {
        if (claim_close()) finish_close(reason, message);
    }

    // stream_receive holds this while it runs: the application may destroy the stream from inside
    // deliver, and the object must outlive the rest of the call.
    std::shared_ptr<StreamBase> keep_alive() { return shared_from_this(); }

    // stream_destroy: after it returns no link callback runs and the mode's state is released.
    void destroy() noexcept
    {
        closed_.store(true, std::memory_order_release);
        {
            std::lock_guard lock(mutex_);
            gate_.shut();
            release_state_locked();
        }
        gate_.wait_until_empty();
    }

protected:
    void touch(std::uint64_t now) noexcept { last_activity_.store(now, std::memory_order_relaxed); }

    // Drops buffers, queues and timers of the mode. Called under mutex_, possibly twice.
    virtual void release_state_locked() noexcept {}

    const net_stream_link_t* const link_;
    std::mutex mutex_;
    CallbackGate gate_;

private:
    std::atomic<bool> closed_{false};
    std::atomic<std::uint64_t> last_activity_;
};

}  // namespace net::reliability
