#include "receive_loop.hpp"

#include <netinet/udp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "endpoint.hpp"
#include "net/sdk/status.hpp"
#include "transport_config.hpp"

namespace net::udp {

namespace {

// With GRO the kernel may coalesce up to 64 KiB of same-size segments into one buffer.
constexpr std::size_t kGroBufferSize = 65536;
constexpr std::size_t kControlSpace = CMSG_SPACE(sizeof(int));

}  // namespace

void ReceiveLoop::start(int socket_fd, std::size_t batch, bool gro)
{
    socket_fd_ = socket_fd;
    receive_size_ = gro ? kGroBufferSize : kMaxDatagram;
    ring_.assign(batch, nullptr);
    messages_.assign(batch, mmsghdr{});
    iov_.assign(batch, iovec{});
    addresses_.assign(batch, sockaddr_storage{});
    control_.assign(batch * kControlSpace, 0);
    out_.assign(batch, net_datagram_t{});
    out_count_ = 0;
    if (refill() < batch) {
        throw sdk::Error(NET_E_NO_MEMORY, "could not allocate " + std::to_string(batch) + " receive buffers of " +
                                              std::to_string(receive_size_) + " bytes");
    }
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw sdk::Error(NET_E_IO, std::string("eventfd failed: ") + std::strerror(errno));
    thread_ = std::thread([this] { run(); });
}

void ReceiveLoop::stop() noexcept
{
    if (thread_.joinable()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
        thread_.join();
    }
    if (wake_fd_ >= 0) ::close(wake_fd_);
    wake_fd_ = -1;
    for (net_buffer_t*& b : ring_) {
        host_->buffer_release(host_, b);
        b = nullptr;
    }
    ready_ = 0;
}

net_status_t ReceiveLoop::attach(net_transport_receive_fn fn, void* ctx) noexcept
{
    if (fn == nullptr) return NET_E_INVALID_ARGUMENT;
    std::lock_guard lock(receiver_mutex_);
    if (fn_ != nullptr) return NET_E_ALREADY_EXISTS;
    fn_ = fn;
    ctx_ = ctx;
    return NET_OK;
}

void ReceiveLoop::detach() noexcept
{
    std::lock_guard lock(receiver_mutex_);
    fn_ = nullptr;
    ctx_ = nullptr;
}

std::size_t ReceiveLoop::refill() noexcept
{
    std::size_t filled = 0;
    bool alloc_failed = false;
    for (std::size_t i = 0; i < ring_.size(); ++i) {
        if (ring_[i] == nullptr && !alloc_failed) {
            ring_[i] = host_->buffer_alloc(host_, receive_size_);
            alloc_failed = ring_[i] == nullptr;
        }
        if (ring_[i] != nullptr) {
            if (i != filled) std::swap(ring_[filled], ring_[i]);
            ++filled;
        }
    }
    ready_ = filled;
    return filled;
}

void ReceiveLoop::run() noexcept
{
    pollfd fds[2] = {{socket_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    for (;;) {
        if (refill() == 0) {
            // buffer_alloc is failing: wait a little (only for stop), then try again.
            pollfd wake = fds[1];
            if (::poll(&wake, 1, 10) > 0) return;
            continue;
        }
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
        if (fds[1].revents != 0) return;
        // Drain what is there, but come back to poll now and then to notice stop.
        for (int round = 0; round < 64; ++round) {
            if (receive_once() <= 0) break;
            if (refill() == 0) break;
        }
    }
}

int ReceiveLoop::receive_once() noexcept
{
    for (std::size_t k = 0; k < ready_; ++k) {
        iov_[k] = iovec{ring_[k]->data, receive_size_};
        msghdr& h = messages_[k].msg_hdr;
        h.msg_name = &addresses_[k];
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_iov = &iov_[k];
        h.msg_iovlen = 1;
        h.msg_control = &control_[k * kControlSpace];
        h.msg_controllen = kControlSpace;
        h.msg_flags = 0;
    }
    int n = 0;
    do {
        n = ::recvmmsg(socket_fd_, messages_.data(), static_cast<unsigned>(ready_), MSG_DONTWAIT, nullptr);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return 0;
    counters_.receive_call();

    std::uint64_t delivered = 0, bytes = 0, truncated = 0, unattached = 0;
    std::lock_guard lock(receiver_mutex_);
    for (int k = 0; k < n; ++k) {
        const msghdr& h = messages_[static_cast<std::size_t>(k)].msg_hdr;
        const std::size_t len = messages_[static_cast<std::size_t>(k)].msg_len;
        std::size_t segment = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                int size = 0;
                std::memcpy(&size, CMSG_DATA(c), sizeof size);
                segment = static_cast<std::size_t>(size);
            }
        }
        if (segment == 0 || segment >= len) segment = len;
        if ((h.msg_flags & MSG_TRUNC) != 0 || segment > kMaxDatagram) {
            ++truncated;  // the buffer stays in the ring and is reused
            continue;
        }
        const std::size_t segments = len == 0 ? 1 : (len + segment - 1) / segment;
        if (fn_ == nullptr) {
            unattached += segments;
            continue;
        }
        net_buffer_t* buffer = ring_[static_cast<std::size_t>(k)];
        ring_[static_cast<std::size_t>(k)] = nullptr;
        host_->buffer_set_len(host_, buffer, len);
        const net_endpoint_t peer = from_sockaddr(addresses_[static_cast<std::size_t>(k)]);
        if (segments == 1) {
            deliver(buffer, peer);
            ++delivered;
            bytes += len;
        } else {
            // Slices share the coalesced buffer's storage: no copy.
            for (std::size_t offset = 0; offset < len; offset += segment) {
                const std::size_t piece = std::min(segment, len - offset);
                net_buffer_t* slice = host_->buffer_slice(host_, buffer, offset, piece);
                if (slice == nullptr) {
                    unattached += (len - offset + segment - 1) / segment;
                    break;
                }
                deliver(slice, peer);
                ++delivered;
                bytes += piece;
            }
            host_->buffer_release(host_, buffer);
        }
    }
    flush_delivery();
    counters_.received(delivered, bytes);
    counters_.truncated(truncated);
    counters_.dropped_unattached(unattached);
    return n;
}

void ReceiveLoop::deliver(net_buffer_t* buffer, const net_endpoint_t& peer) noexcept
{
    out_[out_count_++] = net_datagram_t{buffer, peer};
    if (out_count_ == out_.size()) flush_delivery();
}

void ReceiveLoop::flush_delivery() noexcept
{
    if (out_count_ == 0) return;
    fn_(ctx_, out_.data(), out_count_);
    out_count_ = 0;
}

}  // namespace net::udp
