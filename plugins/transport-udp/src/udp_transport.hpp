// One UDP transport instance: the socket, the receive thread, the send path and the fault
// injector, behind the operations of net.transport/1.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fault_injector.hpp"
#include "fault_scheduler.hpp"
#include "net/host.h"
#include "net/iface/transport.h"
#include "receive_loop.hpp"
#include "send_path.hpp"
#include "transport_config.hpp"
#include "transport_counters.hpp"
#include "udp_socket.hpp"

namespace net::udp {

class UdpTransport {
public:
    UdpTransport(const net_host_t* host, TransportConfig config);
    ~UdpTransport();
    UdpTransport(const UdpTransport&) = delete;
    UdpTransport& operator=(const UdpTransport&) = delete;

    void start();
    void stop() noexcept;

    net_status_t local_endpoint(net_endpoint_t* out) const noexcept;
    net_status_t attach(net_transport_receive_fn fn, void* ctx) noexcept;
    void detach() noexcept { receive_.detach(); }
    net_status_t send_batch(const net_datagram_t* datagrams, std::size_t count, std::size_t* sent) noexcept;
    net_status_t stats(net_transport_stats_t* out) const noexcept;

private:
    struct Held {
        net_buffer_t* buffer = nullptr;  // a reference the transport owns
        net_endpoint_t peer{};
        std::uint64_t delay_ns = 0;
        std::uint64_t deadline_ns = 0;   // sent by the scheduler at this time if nothing follows it
    };

    void log(net_log_level_t level, const std::string& message) const noexcept;
    // Runs path_.flush, adds the accepted count to *consumed; returns false on back-pressure.
    bool flush(SendBudget& budget, std::size_t& consumed, net_status_t& status) noexcept;
    void send_with_faults(const net_datagram_t* datagrams, std::size_t count, std::size_t& consumed,
                          net_status_t& status, SendBudget& budget) noexcept;
    // Sends the held datagram now (after `after_due_ns`, the due time of the datagram it follows).
    void release_held(std::uint64_t now_ns, std::uint64_t after_due_ns) noexcept;
    void on_scheduler_wake(std::uint64_t now_ns) noexcept;

    const net_host_t* host_;
    const TransportConfig config_;
    TransportCounters counters_;
    UdpSocket socket_;
    ReceiveLoop receive_;
    std::atomic<bool> started_{false};

    std::mutex send_mutex_;  // guards everything below
    bool sending_open_ = false;
    SendPath path_;
    std::optional<FaultInjector> injector_;
    std::unique_ptr<FaultScheduler> scheduler_;
    Held held_;
};

}  // namespace net::udp
