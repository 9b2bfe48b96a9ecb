#include "udp_socket.hpp"

#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "endpoint.hpp"
#include "net/sdk/status.hpp"

namespace net::udp {

namespace {

std::string errno_text(int error) { return std::string(std::strerror(error)); }

bool set_int(int fd, int level, int name, int value) noexcept
{
    return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

int get_int(int fd, int level, int name) noexcept
{
    int value = 0;
    socklen_t len = sizeof value;
    return ::getsockopt(fd, level, name, &value, &len) == 0 ? value : -1;
}

}  // namespace

void UdpSocket::open(const TransportConfig& config, const LogFn& log)
{
    close();
    family_ = config.bind.family == NET_ENDPOINT_IPV6 ? AF_INET6 : AF_INET;
    fd_ = ::socket(family_, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw sdk::Error(NET_E_IO, "bind \"" + config.bind_text + "\": socket() failed: " + errno_text(errno));
    }
    size_buffers(config.socket_buffer_bytes, log);

    // UDP_SEGMENT with size 0 is a harmless probe: it only succeeds on kernels that know the option.
    gso_ = config.gso && set_int(fd_, SOL_UDP, UDP_SEGMENT, 0);
    gro_ = config.gro && set_int(fd_, SOL_UDP, UDP_GRO, 1);

    sockaddr_storage address{};
    const socklen_t length = to_sockaddr(config.bind, family_, address);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        const int error = errno;
        close();
        throw sdk::Error(NET_E_IO, "bind \"" + config.bind_text + "\": " + errno_text(error));
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    local_ = from_sockaddr(bound);

    log(NET_LOG_INFO, "bound " + format_endpoint(local_) + "; gso " + (gso_ ? "on" : "off") + ", gro " +
                          (gro_ ? "on" : "off") + (config.gso && !gso_ ? " (gso unsupported by the kernel)" : "") +
                          (config.gro && !gro_ ? " (gro unsupported by the kernel)" : "") + "; batch " +
                          std::to_string(config.batch) + "; busy poll " + std::to_string(config.busy_poll_us) + " us");
}

void UdpSocket::size_buffers(std::uint64_t requested, const LogFn& log)
{
    const int want = static_cast<int>(requested);
    struct Option {
        const char* name;
        int force;
        int plain;
    };
    for (const Option& o : {Option{"SO_RCVBUF", SO_RCVBUFFORCE, SO_RCVBUF}, Option{"SO_SNDBUF", SO_SNDBUFFORCE, SO_SNDBUF}}) {
        // The FORCE variants ignore net.core.[rw]mem_max but need CAP_NET_ADMIN.
        if (!set_int(fd_, SOL_SOCKET, o.force, want)) set_int(fd_, SOL_SOCKET, o.plain, want);
        // Linux reports twice the usable size it granted (it reserves half for bookkeeping).
        const int reported = get_int(fd_, SOL_SOCKET, o.plain);
        const std::uint64_t granted = reported > 0 ? static_cast<std::uint64_t>(reported) / 2 : 0;
        if (granted < requested) {
            log(NET_LOG_WARN, std::string("socket_buffer_bytes: requested ") + std::to_string(requested) + " for " +
                                  o.name + ", the kernel granted " + std::to_string(granted) +
                                  " (raise net.core." + (o.plain == SO_RCVBUF ? "rmem_max" : "wmem_max") +
                                  " or run with CAP_NET_ADMIN)");
        }
    }
}

void UdpSocket::close() noexcept
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

}  // namespace net::udp
