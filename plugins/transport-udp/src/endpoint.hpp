// Endpoints: "host:port" text, net_endpoint_t and sockaddr, converted both ways.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

#include "net/iface/transport.h"

namespace net::udp {

// Parses "a.b.c.d:port" or "[v6%scope]:port" (numeric addresses only). Throws
// net::sdk::Error(NET_E_CONFIG) naming `field` and the text, e.g.
// `bind "127.0.0.1:99999": port out of range`.
net_endpoint_t parse_endpoint(std::string_view text, std::string_view field);

// "127.0.0.1:5000", "[::1]:5000", "[fe80::1%2]:5000".
std::string format_endpoint(const net_endpoint_t& endpoint);

// Writes `endpoint` as a sockaddr for a socket of `socket_family` (AF_INET or AF_INET6): an IPv4
// endpoint becomes a v4-mapped address on an IPv6 socket. Returns the address length, or 0 when
// the endpoint cannot be reached from such a socket (unset, or IPv6 on an IPv4 socket).
socklen_t to_sockaddr(const net_endpoint_t& endpoint, int socket_family, sockaddr_storage& out) noexcept;

// The endpoint of a received address; v4-mapped IPv6 addresses come back as IPv4.
net_endpoint_t from_sockaddr(const sockaddr_storage& address) noexcept;

bool same_endpoint(const net_endpoint_t& a, const net_endpoint_t& b) noexcept;

}  // namespace net::udp
