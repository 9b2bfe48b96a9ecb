// The UDP socket: opened and bound in start(), sized, and probed for GSO/GRO.
#pragma once

#include <functional>
#include <string>

#include "net/iface/transport.h"
#include "net/log.h"
#include "transport_config.hpp"

namespace net::udp {

class UdpSocket {
public:
    using LogFn = std::function<void(net_log_level_t, const std::string&)>;

    UdpSocket() = default;
    ~UdpSocket() { close(); }
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    // Opens a blocking socket (the receive thread blocks in recvmmsg; sends pass MSG_DONTWAIT), sizes its buffers, enables GSO/GRO where the config asks and the
    // kernel allows, and binds it. Logs what it got. Throws net::sdk::Error(NET_E_IO) naming the
    // bind address on failure.
    void open(const TransportConfig& config, const LogFn& log);
    void close() noexcept;

    int fd() const noexcept { return fd_; }
    int family() const noexcept { return family_; }
    const net_endpoint_t& local() const noexcept { return local_; }
    bool gso() const noexcept { return gso_; }
    bool gro() const noexcept { return gro_; }

private:
    void size_buffers(std::uint64_t requested, const LogFn& log);

    int fd_ = -1;
    int family_ = 0;
    net_endpoint_t local_{};
    bool gso_ = false;
    bool gro_ = false;
};

}  // namespace net::udp
