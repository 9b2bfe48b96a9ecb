#include "send_path.hpp"

#include <netinet/udp.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include "endpoint.hpp"

namespace net::udp {

namespace {

// sendmmsg, or sendmsg for a single message (a request or a response on its own): the same result,
// without sendmmsg's per-call overhead.
int send_messages(int fd, mmsghdr* messages, unsigned count) noexcept
{
    if (count != 1) return ::sendmmsg(fd, messages, count, MSG_DONTWAIT);
    const ssize_t r = ::sendmsg(fd, &messages->msg_hdr, MSG_DONTWAIT);
    if (r < 0) return -1;
    messages->msg_len = static_cast<unsigned>(r);
    return 1;
}

}  // namespace

int SendBudget::remaining_ms(std::chrono::milliseconds total)
{
    const auto now = std::chrono::steady_clock::now();
    if (!started) {
        started = true;
        deadline = now + total;
    }
    if (now >= deadline) return 0;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    return left < 1 ? 1 : static_cast<int>(left);
}

SendPath::SendPath(const net_host_t* host, TransportCounters& counters, LogFn log) noexcept
    : host_(host), counters_(counters), log_(std::move(log))
{
}

void SendPath::use_socket(int fd, int family, bool gso) noexcept
{
    fd_ = fd;
    family_ = family;
    gso_max_segment_ = gso ? 8192 : 0;
}

void SendPath::add(net_buffer_t* buffer, const net_endpoint_t& peer, bool owned, bool counts) noexcept
{
    entries_[count_++] = Entry{buffer, peer, owned, counts};
}

std::size_t SendPath::build_messages(std::size_t from) noexcept
{
    std::size_t m = 0;
    std::size_t i = from;
    while (i < count_) {
        const Entry& head = entries_[i];
        const std::size_t segment = head.buffer->len;
        std::size_t j = i + 1;
        if (segment > 0 && segment <= gso_max_segment_) {
            while (j < count_ && j - i < kMaxGsoSegments && entries_[j].buffer->len == segment &&
                   (j - i + 1) * segment <= kMaxGsoBytes && same_endpoint(entries_[j].peer, head.peer)) {
                ++j;
            }
        }
        for (std::size_t k = i; k < j; ++k) {
            iov_[k].iov_base = entries_[k].buffer->data;
            iov_[k].iov_len = entries_[k].buffer->len;
        }
        msghdr& h = messages_[m].msg_hdr;
        h = msghdr{};
        h.msg_name = &addresses_[m];
        h.msg_namelen = to_sockaddr(head.peer, family_, addresses_[m]);
        h.msg_iov = &iov_[i];
        h.msg_iovlen = j - i;
        if (j - i > 1) {
            h.msg_control = control_[m].data();
            h.msg_controllen = control_[m].size();
            cmsghdr* c = CMSG_FIRSTHDR(&h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
            const auto size16 = static_cast<std::uint16_t>(segment);
            std::memcpy(CMSG_DATA(c), &size16, sizeof size16);
        }
        first_entry_[m] = i;
        entry_count_[m] = j - i;
        ++m;
        i = j;
    }
    return m;
}

void SendPath::finish(std::size_t first_entry, std::size_t end_entry, bool accepted, SendResult& result) noexcept
{
    std::uint64_t bytes = 0;
    for (std::size_t k = first_entry; k < end_entry; ++k) {
        Entry& e = entries_[k];
        bytes += e.buffer->len;
        if (accepted && e.counts) ++result.counted;
        if (e.owned) host_->buffer_release(host_, e.buffer);
        e.buffer = nullptr;
    }
    if (accepted) {
        counters_.sent(end_entry - first_entry, bytes, 0);
    } else {
        counters_.send_error(end_entry - first_entry);
    }
}

bool SendPath::narrow_gso(std::size_t message, int error) noexcept
{
    if (entry_count_[message] < 2) return false;
    const std::size_t segment = entries_[first_entry_[message]].buffer->len;
    // EIO: the device cannot segment at all; EINVAL/EMSGSIZE: this segment size exceeds the path MTU.
    gso_max_segment_ = error == EIO ? 0 : segment - 1;
    if (log_) {
        log_(NET_LOG_INFO, "gso: the kernel refused " + std::to_string(segment) + "-byte segments (" +
                               std::strerror(error) + "); " +
                               (gso_max_segment_ == 0 ? std::string("gso off")
                                                      : "gso only below " + std::to_string(segment) + " bytes"));
    }
    return true;
}

SendResult SendPath::flush(SendBudget& budget) noexcept
{
    SendResult result;
    std::size_t done_entries = 0;
    std::size_t messages = build_messages(0);
    std::size_t next = 0;  // first message not yet sent
    while (next < messages) {
        const int r = send_messages(fd_, &messages_[next], static_cast<unsigned>(messages - next));
        if (r > 0) {
            counters_.sent(0, 0, 1);
            for (int k = 0; k < r; ++k, ++next) {
                const std::size_t first = first_entry_[next];
                finish(first, first + entry_count_[next], true, result);
                done_entries = first + entry_count_[next];
            }
            continue;
        }
        const int error = errno;
        if (r < 0 && error == EINTR) continue;
        if (r < 0 && (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS)) {
            const int wait_ms = budget.remaining_ms();
            if (wait_ms > 0) {
                // ENOBUFS (device queue full) does not show in POLLOUT: back off a millisecond instead.
                pollfd p{fd_, POLLOUT, 0};
                ::poll(&p, error == ENOBUFS ? 0 : 1, error == ENOBUFS ? 1 : wait_ms);
                continue;
            }
            result.status = NET_E_WOULD_BLOCK;
            break;
        }
        if ((error == EINVAL || error == EMSGSIZE || error == EIO) && narrow_gso(next, error)) {
            messages = build_messages(done_entries);
            next = 0;
            continue;
        }
        // This message is refused for good (EMSGSIZE, ENETUNREACH, EACCES, ...): skip it, go on.
        const std::size_t first = first_entry_[next];
        finish(first, first + entry_count_[next], false, result);
        done_entries = first + entry_count_[next];
        ++next;
        result.status = NET_E_IO;
    }
    if (done_entries < count_) {
        // Given up under back-pressure: the caller sees them as not sent.
        finish(done_entries, count_, false, result);
    }
    count_ = 0;
    return result;
}

void SendPath::discard() noexcept
{
    for (std::size_t k = 0; k < count_; ++k) {
        if (entries_[k].owned) host_->buffer_release(host_, entries_[k].buffer);
    }
    count_ = 0;
}

}  // namespace net::udp
