// A periodic host timer owned by a plugin instance: started in start(), cancelled in stop().
// The host runs no timer callback after the instance's stop has returned (net/host.h), so the
// callback may use the instance pointer freely.
#pragma once

#include <cstdint>

#include "net/host.h"
#include "net/sdk/status.hpp"

namespace net::reliability {

class PeriodicTick {
public:
    PeriodicTick() = default;
    PeriodicTick(const PeriodicTick&) = delete;
    PeriodicTick& operator=(const PeriodicTick&) = delete;

    void start(const net_host_t* host, std::uint64_t period_ns, net_task_fn fn, void* user)
    {
        stop();
        const net_status_t s = host->timer_start(host, period_ns, period_ns, fn, user, &id_);
        if (s != NET_OK) throw net::sdk::Error(s, "could not start the reliability tick timer");
        host_ = host;
    }

    void stop() noexcept
    {
        if (host_ != nullptr && id_ != 0) host_->timer_cancel(host_, id_);
        id_ = 0;
        host_ = nullptr;
    }

private:
    const net_host_t* host_ = nullptr;
    net_timer_id_t id_ = 0;
};

}  // namespace net::reliability
