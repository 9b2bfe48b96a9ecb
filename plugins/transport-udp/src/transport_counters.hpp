// Cumulative counters of one transport instance: lock-free atomics for stats(), mirrored into
// host metrics. Updated once per batch, not per datagram.
#pragma once

#include <atomic>
#include <cstdint>

#include "net/host.h"
#include "net/iface/transport.h"

namespace net::udp {

class TransportCounters {
public:
    // Registers the metrics ([lifecycle]: call from create).
    explicit TransportCounters(const net_host_t* host) noexcept;

    void sent(std::uint64_t datagrams, std::uint64_t bytes, std::uint64_t calls) noexcept;
    void received(std::uint64_t datagrams, std::uint64_t bytes) noexcept;
    void receive_call() noexcept { receive_calls_.fetch_add(1, std::memory_order_relaxed); }
    void send_error(std::uint64_t datagrams) noexcept;
    void truncated(std::uint64_t datagrams) noexcept;
    void dropped_unattached(std::uint64_t datagrams) noexcept;
    void injected(std::uint64_t drops, std::uint64_t duplicates, std::uint64_t reorders, std::uint64_t delays) noexcept;

    // Fills at most out->struct_size bytes of *out (struct_size itself is left as the caller set it).
    void copy_to(net_transport_stats_t* out) const noexcept;

private:
    void bump(std::atomic<std::uint64_t>& counter, net_metric_t* metric, std::uint64_t delta) noexcept
    {
        if (delta == 0) return;
        counter.fetch_add(delta, std::memory_order_relaxed);
        if (metric != nullptr) host_->metric_add(host_, metric, static_cast<std::int64_t>(delta));
    }

    const net_host_t* host_;
    std::atomic<std::uint64_t> datagrams_sent_{0}, datagrams_received_{0}, bytes_sent_{0}, bytes_received_{0};
    std::atomic<std::uint64_t> send_calls_{0}, receive_calls_{0}, send_errors_{0}, receive_truncated_{0};
    std::atomic<std::uint64_t> injected_drops_{0}, injected_duplicates_{0}, injected_reorders_{0}, injected_delays_{0};
    std::atomic<std::uint64_t> dropped_unattached_{0};
    net_metric_t* m_datagrams_sent_ = nullptr;
    net_metric_t* m_datagrams_received_ = nullptr;
    net_metric_t* m_bytes_sent_ = nullptr;
    net_metric_t* m_bytes_received_ = nullptr;
    net_metric_t* m_send_errors_ = nullptr;
    net_metric_t* m_receive_truncated_ = nullptr;
    net_metric_t* m_dropped_unattached_ = nullptr;
    net_metric_t* m_injected_drops_ = nullptr;
};

}  // namespace net::udp
