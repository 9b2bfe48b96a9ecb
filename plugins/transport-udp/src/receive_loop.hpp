// The receive thread: poll, then recvmmsg straight into a ring of kernel pool buffers, split
// GRO-coalesced buffers into slices, and hand each batch to the attached callback.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "net/host.h"
#include "net/iface/transport.h"
#include "transport_counters.hpp"

namespace net::udp {

class ReceiveLoop {
public:
    ReceiveLoop(const net_host_t* host, TransportCounters& counters) noexcept : host_(host), counters_(counters) {}
    ~ReceiveLoop() { stop(); }
    ReceiveLoop(const ReceiveLoop&) = delete;
    ReceiveLoop& operator=(const ReceiveLoop&) = delete;

    // Fills the ring (`batch` buffers) and starts the thread. Throws net::sdk::Error
    // (NET_E_NO_MEMORY when the ring cannot be filled, NET_E_IO when the wake-up fd fails);
    // stop() cleans up after a failed start.
    void start(int socket_fd, std::size_t batch, bool gro);
    // Wakes and joins the thread, then releases the ring. Idempotent.
    void stop() noexcept;

    net_status_t attach(net_transport_receive_fn fn, void* ctx) noexcept;
    void detach() noexcept;

private:
    void run() noexcept;
    // One recvmmsg; returns the number of messages, 0 when the socket is empty.
    int receive_once() noexcept;
    // Refills empty ring slots; returns how many slots hold a buffer (compacted to the front).
    std::size_t refill() noexcept;
    void deliver(net_buffer_t* buffer, const net_endpoint_t& peer) noexcept;
    void flush_delivery() noexcept;

    const net_host_t* host_;
    TransportCounters& counters_;
    int socket_fd_ = -1;
    int wake_fd_ = -1;
    std::size_t receive_size_ = 0;
    std::thread thread_;

    // Owned by the receive thread while it runs.
    std::vector<net_buffer_t*> ring_;
    std::vector<mmsghdr> messages_;
    std::vector<iovec> iov_;
    std::vector<sockaddr_storage> addresses_;
    std::vector<char> control_;
    std::vector<net_datagram_t> out_;
    std::size_t out_count_ = 0;
    std::size_t ready_ = 0;

    std::mutex receiver_mutex_;  // held while a callback runs, so detach can wait for it
    net_transport_receive_fn fn_ = nullptr;
    void* ctx_ = nullptr;
};

}  // namespace net::udp
