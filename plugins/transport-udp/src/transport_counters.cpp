#include "transport_counters.hpp"

#include <algorithm>
#include <cstring>

namespace net::udp {

TransportCounters::TransportCounters(const net_host_t* host) noexcept : host_(host)
{
    auto counter = [host](const char* name, const char* help) {
        return host->metric_register(host, NET_METRIC_COUNTER, name, help);
    };
    m_datagrams_sent_ = counter("datagrams_sent", "datagrams the kernel accepted for sending");
    m_datagrams_received_ = counter("datagrams_received", "datagrams delivered to the receiver");
    m_bytes_sent_ = counter("bytes_sent", "payload bytes the kernel accepted for sending");
    m_bytes_received_ = counter("bytes_received", "payload bytes delivered to the receiver");
    m_send_errors_ = counter("send_errors", "datagrams the kernel refused");
    m_receive_truncated_ = counter("receive_truncated", "received datagrams over 8192 bytes, dropped");
    m_dropped_unattached_ = counter("receive_dropped_unattached", "received datagrams dropped: no receiver attached");
    m_injected_drops_ = counter("injected_drops", "outgoing datagrams dropped by the fault injector");
}

void TransportCounters::sent(std::uint64_t datagrams, std::uint64_t bytes, std::uint64_t calls) noexcept
{
    bump(datagrams_sent_, m_datagrams_sent_, datagrams);
    bump(bytes_sent_, m_bytes_sent_, bytes);
    send_calls_.fetch_add(calls, std::memory_order_relaxed);
}

void TransportCounters::received(std::uint64_t datagrams, std::uint64_t bytes) noexcept
{
    bump(datagrams_received_, m_datagrams_received_, datagrams);
    bump(bytes_received_, m_bytes_received_, bytes);
}

void TransportCounters::send_error(std::uint64_t datagrams) noexcept { bump(send_errors_, m_send_errors_, datagrams); }
void TransportCounters::truncated(std::uint64_t datagrams) noexcept { bump(receive_truncated_, m_receive_truncated_, datagrams); }
void TransportCounters::dropped_unattached(std::uint64_t datagrams) noexcept
{
    bump(dropped_unattached_, m_dropped_unattached_, datagrams);
}

void TransportCounters::injected(std::uint64_t drops, std::uint64_t duplicates, std::uint64_t reorders,
                                 std::uint64_t delays) noexcept
{
    bump(injected_drops_, m_injected_drops_, drops);
    injected_duplicates_.fetch_add(duplicates, std::memory_order_relaxed);
    injected_reorders_.fetch_add(reorders, std::memory_order_relaxed);
    injected_delays_.fetch_add(delays, std::memory_order_relaxed);
}

void TransportCounters::copy_to(net_transport_stats_t* out) const noexcept
{
    net_transport_stats_t s{};
    s.struct_size = out->struct_size;
    const auto get = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    s.datagrams_sent = get(datagrams_sent_);
    s.datagrams_received = get(datagrams_received_);
    s.bytes_sent = get(bytes_sent_);
    s.bytes_received = get(bytes_received_);
    s.send_calls = get(send_calls_);
    s.receive_calls = get(receive_calls_);
    s.send_errors = get(send_errors_);
    s.receive_truncated = get(receive_truncated_);
    s.injected_drops = get(injected_drops_);
    s.injected_duplicates = get(injected_duplicates_);
    s.injected_reorders = get(injected_reorders_);
    s.injected_delays = get(injected_delays_);
    std::memcpy(out, &s, std::min<std::size_t>(out->struct_size, sizeof s));
}

}  // namespace net::udp
