// The receive thread: recvmmsg straight into a ring of kernel pool buffers (blocking for the first
// datagram, after a short bounded busy-poll once traffic was seen), split GRO-coalesced buffers
// into slices, and hand each batch to the attached callback.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
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

    // Fills the ring (`batch` buffers) and starts the thread on a blocking socket (it sets a
    // receive timeout on it, so a stop is noticed even if the wake-up below were lost).
    // `busy_poll_us`: after a datagram, keep polling the socket without sleeping for this long
    // before blocking (0 = never; also never when the thread may use only one CPU).
    // Throws net::sdk::Error (NET_E_NO_MEMORY when the ring cannot be filled); stop() cleans up
    // after a failed start.
    void start(int socket_fd, std::size_t batch, bool gro, std::uint32_t busy_poll_us);
    // Wakes the thread (shutdown(SHUT_RD) on the socket: the socket can still send, but receives
    // nothing more), joins it, then releases the ring. Idempotent. Call before closing the socket.
    void stop() noexcept;

    net_status_t attach(net_transport_receive_fn fn, void* ctx) noexcept;
    void detach() noexcept;

private:
    void run() noexcept;
    // One recvmmsg with `flags` (MSG_DONTWAIT or MSG_WAITFORONE); returns the number of
    // messages handled, 0 when none arrived (empty socket, timeout, signal, stop).
    int receive_once(int flags) noexcept;
    // Refills empty ring slots; returns how many slots hold a buffer (compacted to the front).
    std::size_t refill() noexcept;
    void set_slot(std::size_t k, net_buffer_t* buffer) noexcept;
    void deliver(net_buffer_t* buffer, const net_endpoint_t& peer) noexcept;
    void flush_delivery() noexcept;

    const net_host_t* host_;
    TransportCounters& counters_;
    int socket_fd_ = -1;
    std::size_t receive_size_ = 0;
    std::int64_t busy_poll_ns_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;

    // Owned by the receive thread while it runs. Slot k's mmsghdr always points at iov_[k],
    // addresses_[k] and its control space; iov_[k] follows ring_[k].
    std::vector<net_buffer_t*> ring_;
    std::vector<mmsghdr> messages_;
    std::vector<iovec> iov_;
    std::vector<sockaddr_storage> addresses_;
    std::vector<char> control_;
    std::vector<net_datagram_t> out_;
    std::size_t out_count_ = 0;
    std::size_t ready_ = 0;
    std::size_t vlen_ = 1;  // messages the next recvmmsg asks for (adapts, see receive_once)
    std::uint32_t full_calls_ = 0;  // calls in a row that got all they asked for
    bool ring_full_ = false;  // no slot emptied since the last refill

    std::mutex receiver_mutex_;  // held while a callback runs, so detach can wait for it
    net_transport_receive_fn fn_ = nullptr;
    void* ctx_ = nullptr;
};

}  // namespace net::udp
