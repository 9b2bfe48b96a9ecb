#include "receive_loop.hpp"

#include <netinet/udp.h>
#include <sched.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "endpoint.hpp"
#include "net/sdk/status.hpp"
#include "transport_config.hpp"

namespace net::udp {

namespace {

// With GRO the kernel may coalesce up to 64 KiB of same-size segments into one buffer.
constexpr std::size_t kGroBufferSize = 65536;
constexpr std::size_t kControlSpace = CMSG_SPACE(sizeof(int));

// A sched_yield that kept the busy-polling thread off the CPU for longer than this means other
// threads want the CPU: stop spinning and block.
constexpr std::int64_t kContendedYieldNs = 50'000;

// Full recvmmsg calls in a row before the next one asks for twice as many messages.
constexpr std::uint32_t kGrowAfterFullCalls = 4;

// What recvmmsg rewrites in a slot's header; set again before the slot is used.
void reset_header(msghdr& h) noexcept
{
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_controllen = kControlSpace;
    h.msg_flags = 0;
}

std::int64_t monotonic_now_ns() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// recvmmsg, or recvmsg for a single message (the same result without recvmmsg's per-call
// overhead; MSG_WAITFORONE then means a plain blocking receive).
int receive_messages(int fd, mmsghdr* messages, unsigned count, int flags) noexcept
{
    if (count != 1) return ::recvmmsg(fd, messages, count, flags, nullptr);
    const ssize_t r = ::recvmsg(fd, &messages->msg_hdr, flags & ~MSG_WAITFORONE);
    if (r < 0) return -1;
    messages->msg_len = static_cast<unsigned>(r);
    return 1;
}

bool may_use_several_cpus() noexcept
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return false;
    return CPU_COUNT(&set) > 1;
}

}  // namespace

void ReceiveLoop::start(int socket_fd, std::size_t batch, bool gro, std::uint32_t busy_poll_us)
{
    socket_fd_ = socket_fd;
    receive_size_ = gro ? kGroBufferSize : kMaxDatagram;
    busy_poll_ns_ = static_cast<std::int64_t>(busy_poll_us) * 1000;
    ring_.assign(batch, nullptr);
    messages_.assign(batch, mmsghdr{});
    iov_.assign(batch, iovec{});
    addresses_.assign(batch, sockaddr_storage{});
    control_.assign(batch * kControlSpace, 0);
    out_.assign(batch, net_datagram_t{});
    out_count_ = 0;
    ring_full_ = false;
    vlen_ = 1;
    full_calls_ = 0;
    for (std::size_t k = 0; k < batch; ++k) {
        msghdr& h = messages_[k].msg_hdr;
        h.msg_name = &addresses_[k];
        h.msg_iov = &iov_[k];
        h.msg_iovlen = 1;
        h.msg_control = &control_[k * kControlSpace];
        reset_header(h);
    }
    if (refill() < batch) {
        throw sdk::Error(NET_E_NO_MEMORY, "could not allocate " + std::to_string(batch) + " receive buffers of " +
                                              std::to_string(receive_size_) + " bytes");
    }
    // The thread blocks in recvmmsg; stop() wakes it with shutdown(SHUT_RD). The timeout only
    // bounds how long a stop could go unnoticed if that wake-up were ever lost.
    timeval timeout{0, 200000};
    ::setsockopt(socket_fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    stopping_.store(false, std::memory_order_relaxed);
    thread_ = std::thread([this] { run(); });
}

void ReceiveLoop::stop() noexcept
{
    if (thread_.joinable()) {
        stopping_.store(true, std::memory_order_release);
        // On an unconnected UDP socket shutdown() answers ENOTCONN but still marks the socket
        // shut for reading and wakes a blocked receiver (Linux inet_shutdown); sending still works.
        (void)::shutdown(socket_fd_, SHUT_RD);
        thread_.join();
    }
    for (net_buffer_t*& b : ring_) {
        host_->buffer_release(host_, b);
        b = nullptr;
    }
    ready_ = 0;
    ring_full_ = false;
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

void ReceiveLoop::set_slot(std::size_t k, net_buffer_t* buffer) noexcept
{
    ring_[k] = buffer;
    iov_[k] = iovec{buffer->data, receive_size_};
}

std::size_t ReceiveLoop::refill() noexcept
{
    if (ring_full_) return ready_;
    std::size_t filled = 0;
    bool alloc_failed = false;
    for (std::size_t i = 0; i < ring_.size(); ++i) {
        if (ring_[i] == nullptr && !alloc_failed) {
            net_buffer_t* b = host_->buffer_alloc(host_, receive_size_);
            if (b != nullptr) {
                set_slot(i, b);
            } else {
                alloc_failed = true;
            }
        }
        if (ring_[i] != nullptr) {
            if (i != filled) {
                std::swap(ring_[filled], ring_[i]);
                std::swap(iov_[filled], iov_[i]);
            }
            ++filled;
        }
    }
    ready_ = filled;
    ring_full_ = filled == ring_.size();
    return filled;
}

void ReceiveLoop::run() noexcept
{
    // Busy-polling only pays when another CPU runs the sender meanwhile.
    const bool spin = busy_poll_ns_ > 0 && may_use_several_cpus();
    std::int64_t spin_until = 0;  // 0: not spinning
    while (!stopping_.load(std::memory_order_acquire)) {
        if (refill() == 0) {
            // buffer_alloc is failing: wait a little, then try again.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if (spin_until != 0) {
            if (receive_once(MSG_DONTWAIT) > 0) {
                spin_until = monotonic_now_ns() + busy_poll_ns_;
                continue;
            }
            const std::int64_t now = monotonic_now_ns();
            if (now >= spin_until) {
                spin_until = 0;
                continue;
            }
            ::sched_yield();  // lets a thread waiting for this CPU (the sender, say) run first
            // Away for long: the CPU has other work, so spinning takes it from someone and a
            // datagram arriving while this thread waits for the CPU would not even wake it.
            if (monotonic_now_ns() - now > kContendedYieldNs) spin_until = 0;
            continue;
        }
        if (receive_once(MSG_WAITFORONE) > 0 && spin) spin_until = monotonic_now_ns() + busy_poll_ns_;
    }
}

int ReceiveLoop::receive_once(int flags) noexcept
{
    // recvmmsg goes on until `vlen` messages or an empty socket, and finding it empty costs one
    // more message's worth of work. A call that got fewer than it asked for emptied the socket:
    // ask for that many next time (one, in a request/response exchange). A full call may have left
    // more behind: after kGrowAfterFullCalls full calls in a row (an empty poll in between breaks
    // the row), ask for twice as many, up to the ring. Bulk traffic gets there within
    // 6 x kGrowAfterFullCalls calls; one datagram at a time, when nothing is polled in between,
    // pays for looking past it once in kGrowAfterFullCalls + 1 calls.
    const std::size_t vlen = std::min(ready_, vlen_);
    const int n = receive_messages(socket_fd_, messages_.data(), static_cast<unsigned>(vlen), flags);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // Not expected on a bound UDP socket; do not spin on it (stop is still noticed).
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (n <= 0) {  // empty socket, the receive timeout, a signal, or the error above
        full_calls_ = 0;
        return 0;
    }
    if (stopping_.load(std::memory_order_acquire)) return 0;  // woken by shutdown: nothing real
    if (static_cast<std::size_t>(n) < vlen) {
        vlen_ = static_cast<std::size_t>(n);
        full_calls_ = 0;
    } else if (++full_calls_ >= kGrowAfterFullCalls) {
        vlen_ = std::min(ring_.size(), vlen * 2);
        full_calls_ = 0;
    }
    counters_.receive_call();

    std::uint64_t delivered = 0, bytes = 0, truncated = 0, unattached = 0;
    std::lock_guard lock(receiver_mutex_);
    for (int k = 0; k < n; ++k) {
        msghdr& h = messages_[static_cast<std::size_t>(k)].msg_hdr;
        const std::size_t len = messages_[static_cast<std::size_t>(k)].msg_len;
        std::size_t segment = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                int size = 0;
                std::memcpy(&size, CMSG_DATA(c), sizeof size);
                segment = static_cast<std::size_t>(size);
            }
        }
        const bool cut = (h.msg_flags & MSG_TRUNC) != 0;
        reset_header(h);  // the kernel rewrote the lengths and flags of this slot
        if (segment == 0 || segment >= len) segment = len;
        if (cut || segment > kMaxDatagram) {
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
        ring_full_ = false;
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
