// Batches outgoing datagrams into sendmmsg calls (64 per call), grouping same-size runs to one
// endpoint into UDP GSO messages. Not thread-safe: the transport's send mutex guards it.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "net/host.h"
#include "net/iface/transport.h"
#include "transport_counters.hpp"

namespace net::udp {

// How long one send_batch call (or one scheduler round) may wait for the socket to drain.
struct SendBudget {
    std::chrono::steady_clock::time_point deadline{};
    bool started = false;
    // Milliseconds left, starting the clock on first use; 0 when spent.
    int remaining_ms(std::chrono::milliseconds total = std::chrono::milliseconds(100));
};

struct SendResult {
    net_status_t status = NET_OK;  // NET_OK, NET_E_WOULD_BLOCK or NET_E_IO
    std::size_t counted = 0;       // accepted entries that were queued with `counts`
};

class SendPath {
public:
    static constexpr std::size_t kCapacity = 64;

    using LogFn = std::function<void(net_log_level_t, const std::string&)>;

    SendPath(const net_host_t* host, TransportCounters& counters, LogFn log) noexcept;

    // Uses this socket from now on (call before the first add).
    void use_socket(int fd, int family, bool gso) noexcept;

    std::size_t room() const noexcept { return kCapacity - count_; }
    bool empty() const noexcept { return count_ == 0; }

    // Queues one datagram (room() must be > 0; the peer must be reachable, checked by the caller).
    // `owned`: the path holds a reference and releases it after the flush, sent or not.
    // `counts`: an accepted datagram adds one to SendResult::counted.
    void add(net_buffer_t* buffer, const net_endpoint_t& peer, bool owned, bool counts) noexcept;

    // Sends everything queued. On EAGAIN polls for POLLOUT within `budget`, then gives up with
    // NET_E_WOULD_BLOCK; datagrams the kernel refused for other reasons are skipped and counted
    // (NET_E_IO). The queue is empty afterwards either way.
    SendResult flush(SendBudget& budget) noexcept;

    // Releases owned entries without sending (used by stop).
    void discard() noexcept;

private:
    struct Entry {
        net_buffer_t* buffer;
        net_endpoint_t peer;
        bool owned;
        bool counts;
    };

    static constexpr std::size_t kMaxGsoSegments = 64;   // UDP_MAX_SEGMENTS on older kernels
    static constexpr std::size_t kMaxGsoBytes = 65000;   // below the 64 KiB IP datagram limit

    // Builds messages for entries [from, count_): returns the number of messages.
    std::size_t build_messages(std::size_t from) noexcept;
    void finish(std::size_t first_entry, std::size_t end_entry, bool accepted, SendResult& result) noexcept;
    // A GSO message was refused: narrow or turn off GSO. Returns true if it was a GSO message.
    bool narrow_gso(std::size_t message, int error) noexcept;

    const net_host_t* host_;
    TransportCounters& counters_;
    LogFn log_;
    int fd_ = -1;
    int family_ = 0;
    std::size_t gso_max_segment_ = 0;  // 0 = GSO off; otherwise the largest segment to group

    std::size_t count_ = 0;
    std::array<Entry, kCapacity> entries_{};
    std::array<iovec, kCapacity> iov_{};
    std::array<mmsghdr, kCapacity> messages_{};
    std::array<sockaddr_storage, kCapacity> addresses_{};
    std::array<std::size_t, kCapacity> first_entry_{};  // per message
    std::array<std::size_t, kCapacity> entry_count_{};  // per message
    alignas(cmsghdr) std::array<std::array<char, CMSG_SPACE(sizeof(std::uint16_t))>, kCapacity> control_{};
};

}  // namespace net::udp
