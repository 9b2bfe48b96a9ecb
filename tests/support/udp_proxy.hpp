// udp_proxy.hpp — a UDP proxy between two real nodes on loopback: forwards datagrams both ways
// and lets a test hold back, drop or count chosen ones (a stream packet to replay later, the
// handshake answers a lossy path would lose).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/kernel/session/session_frame.hpp"
#include "net/kernel/wire/packet_header.hpp"

namespace net::test {

inline sockaddr_in loopback(std::uint16_t port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

// Listens on `port`; what comes from `left`'s port goes to `right`, everything else to `left`.
class UdpProxy {
public:
    UdpProxy(std::uint16_t port, std::uint16_t left, std::uint16_t right) : left_(left), right_(right)
    {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        const auto a = loopback(port);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
            throw std::runtime_error("udp proxy: cannot bind 127.0.0.1:" + std::to_string(port));
        }
        thread_ = std::thread([this] { run(); });
    }
    ~UdpProxy()
    {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    UdpProxy(const UdpProxy&) = delete;
    UdpProxy& operator=(const UdpProxy&) = delete;

    // Sends raw bytes to the right-hand node from the proxy's port.
    void inject(const std::vector<std::uint8_t>& bytes)
    {
        const auto to = loopback(right_);
        ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    }

    // The next stream packet the left node sends is kept here instead of being forwarded.
    void hold_next_stream_packet() { hold_ = true; }
    std::vector<std::uint8_t> held()
    {
        std::lock_guard lock(mutex_);
        return held_;
    }

    // While set, handshake answers from the right-hand node are dropped (and counted).
    void drop_answers_from_right(bool drop) { drop_answers_ = drop; }
    std::uint64_t answers_dropped() const { return answers_dropped_; }
    // Session packets (not handshakes) the right-hand node has sent through the proxy.
    std::uint64_t session_packets_from_right() const { return session_packets_from_right_; }

private:
    void run()
    {
        std::vector<std::uint8_t> buf(9000);
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const auto n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) continue;
            const std::span<const std::uint8_t> datagram(buf.data(), static_cast<std::size_t>(n));
            const bool from_left = ntohs(from.sin_port) == left_;
            const auto header = kernel::wire::decode(datagram);
            const bool handshake = header.ok() && (header->flags & kernel::wire::packet_flag::handshake) != 0;
            if (from_left && hold_ && header.ok() && !handshake && header->subprotocol_id == 0x0001) {
                std::lock_guard lock(mutex_);
                held_.assign(datagram.begin(), datagram.end());
                hold_ = false;
                continue;
            }
            if (!from_left && header.ok()) {
                if (!handshake) {
                    ++session_packets_from_right_;
                } else if (drop_answers_ && is_answer(datagram)) {
                    ++answers_dropped_;
                    continue;
                }
            }
            const auto to = loopback(from_left ? right_ : left_);
            ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        }
    }

    static bool is_answer(std::span<const std::uint8_t> datagram)
    {
        return datagram.size() > kernel::wire::kPacketHeaderSize &&
               datagram[kernel::wire::kPacketHeaderSize] == kernel::session::kKindResponse;
    }

    int fd_ = -1;
    std::uint16_t left_;
    std::uint16_t right_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> hold_{false};
    std::atomic<bool> drop_answers_{false};
    std::atomic<std::uint64_t> answers_dropped_{0};
    std::atomic<std::uint64_t> session_packets_from_right_{0};
    std::mutex mutex_;
    std::vector<std::uint8_t> held_;
    std::thread thread_;
};

}  // namespace net::test
