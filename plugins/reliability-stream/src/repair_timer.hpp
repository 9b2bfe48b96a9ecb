// One-shot host timer of a "stream" instance for repair probes (docs/reliability.md,
// "Retransmission"): streams ask for it to run at their repair deadline; it runs at the earliest
// deadline asked for (or a little before), and its callback asks again for the next one.
#pragma once

#include <atomic>
#include <cstdint>

#include "net/host.h"

namespace net::reliability {

class RepairTimer {
public:
    // Deadlines this close to an armed one do not arm another timer.
    static constexpr std::uint64_t kSlackNs = 100'000;

    void bind(const net_host_t* host, net_task_fn fn, void* user) noexcept
    {
        host_ = host;
        fn_ = fn;
        user_ = user;
    }

    // Makes the callback run at `deadline_ns` (now_ns() clock) or earlier. [any-thread]
    void request(std::uint64_t deadline_ns, std::uint64_t now) noexcept
    {
        if (host_ == nullptr) return;
        std::uint64_t armed = armed_.load();
        do {
            if (armed != 0 && armed <= deadline_ns + kSlackNs) return;  // an earlier run will look
        } while (!armed_.compare_exchange_weak(armed, deadline_ns));
        net_timer_id_t id = 0;
        if (host_->timer_start(host_, deadline_ns > now ? deadline_ns - now : 0, 0, fn_, user_, &id) != NET_OK) {
            armed_.store(0);  // the loop is shutting down: nothing to repair any more
        }
    }

    // First thing in the callback: the next request arms again.
    void fired() noexcept { armed_.store(0); }

private:
    const net_host_t* host_ = nullptr;
    net_task_fn fn_ = nullptr;
    void* user_ = nullptr;
    std::atomic<std::uint64_t> armed_{0};  // deadline of the earliest armed timer; 0: none
};

}  // namespace net::reliability
