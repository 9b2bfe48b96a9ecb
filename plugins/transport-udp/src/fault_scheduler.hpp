// The fault injector's clock: a thread that wakes when a delayed datagram is due, or when a
// datagram held for reordering has waited long enough, and calls the transport back to send.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "net/host.h"
#include "net/iface/transport.h"

namespace net::udp {

std::uint64_t monotonic_ns() noexcept;

class FaultScheduler {
public:
    struct Delayed {
        std::uint64_t due_ns;
        std::uint64_t sequence;  // keeps submission order among equal due times
        net_buffer_t* buffer;    // a reference the scheduler owns
        net_endpoint_t peer;
    };

    // `on_wake(now_ns)` runs on the scheduler thread whenever something may be due; it takes
    // what is due with take_due. It must not be called with the scheduler's lock held.
    explicit FaultScheduler(const net_host_t* host);
    ~FaultScheduler();
    FaultScheduler(const FaultScheduler&) = delete;
    FaultScheduler& operator=(const FaultScheduler&) = delete;

    void start(std::function<void(std::uint64_t)> on_wake);
    // Joins the thread, then releases every datagram still queued.
    void stop() noexcept;

    // Takes ownership of `buffer` (one reference).
    void push(std::uint64_t due_ns, net_buffer_t* buffer, const net_endpoint_t& peer);
    // Makes the thread wake at `deadline_ns` (0 = no held datagram).
    void set_hold_deadline(std::uint64_t deadline_ns) noexcept;

    // Calls fn(Delayed&&) for each queued datagram due at `now_ns`, earliest first, while
    // `fn` returns true; ownership of the buffer passes to fn.
    template <class Fn>
    void take_due(std::uint64_t now_ns, Fn&& fn)
    {
        std::lock_guard lock(mutex_);
        while (!queue_.empty() && queue_.front().due_ns <= now_ns) {
            Delayed d = pop_front_locked();
            if (!fn(d)) {
                push_locked(d);
                return;
            }
        }
    }

    std::size_t queued() const;

private:
    void run();
    Delayed pop_front_locked();
    void push_locked(const Delayed& d);

    const net_host_t* host_;
    std::function<void(std::uint64_t)> on_wake_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Delayed> queue_;  // a min-heap on (due_ns, sequence)
    std::uint64_t next_sequence_ = 0;
    std::uint64_t hold_deadline_ns_ = 0;
    bool running_ = false;
    std::thread thread_;
};

}  // namespace net::udp
