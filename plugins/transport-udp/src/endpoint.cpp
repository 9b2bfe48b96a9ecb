#include "endpoint.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <charconv>
#include <cstring>

#include "net/sdk/status.hpp"

namespace net::udp {

namespace {

[[noreturn]] void refuse(std::string_view field, std::string_view text, const std::string& why)
{
    throw sdk::Error(NET_E_CONFIG, std::string(field) + " \"" + std::string(text) + "\": " + why);
}

std::uint16_t parse_port(std::string_view port, std::string_view field, std::string_view text)
{
    if (port.empty()) refuse(field, text, "missing port after ':'");
    for (char c : port) {
        if (c < '0' || c > '9') refuse(field, text, "port \"" + std::string(port) + "\" is not a number");
    }
    if (port.size() > 5) refuse(field, text, "port out of range (0..65535)");
    unsigned value = 0;
    std::from_chars(port.data(), port.data() + port.size(), value);
    if (value > 65535) refuse(field, text, "port out of range (0..65535)");
    return static_cast<std::uint16_t>(value);
}

}  // namespace

net_endpoint_t parse_endpoint(std::string_view text, std::string_view field)
{
    net_endpoint_t out{};
    std::string host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) refuse(field, text, "missing ']' after the IPv6 address");
        if (close + 1 >= text.size() || text[close + 1] != ':') refuse(field, text, "expected \"[address]:port\"");
        host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
        std::string scope;
        if (const auto percent = host.find('%'); percent != std::string::npos) {
            scope = host.substr(percent + 1);
            host.resize(percent);
        }
        in6_addr a6{};
        if (::inet_pton(AF_INET6, host.c_str(), &a6) != 1) {
            refuse(field, text, "\"" + host + "\" is not a numeric IPv6 address");
        }
        out.family = NET_ENDPOINT_IPV6;
        std::memcpy(out.addr, &a6, 16);
        if (!scope.empty()) {
            unsigned index = ::if_nametoindex(scope.c_str());
            if (index == 0) {
                const auto r = std::from_chars(scope.data(), scope.data() + scope.size(), index);
                if (r.ec != std::errc() || r.ptr != scope.data() + scope.size()) {
                    refuse(field, text, "unknown interface \"" + scope + "\"");
                }
            }
            out.scope_id = index;
        }
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) refuse(field, text, "expected \"host:port\" (IPv6 as \"[addr]:port\")");
        host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) refuse(field, text, "IPv6 addresses must be written \"[addr]:port\"");
        in_addr a4{};
        if (::inet_pton(AF_INET, host.c_str(), &a4) != 1) {
            refuse(field, text, "\"" + host + "\" is not a numeric IPv4 address");
        }
        out.family = NET_ENDPOINT_IPV4;
        std::memcpy(out.addr, &a4, 4);
    }
    out.port = parse_port(port, field, text);
    return out;
}

std::string format_endpoint(const net_endpoint_t& endpoint)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (endpoint.family == NET_ENDPOINT_IPV4) {
        ::inet_ntop(AF_INET, endpoint.addr, text, sizeof text);
        return std::string(text) + ":" + std::to_string(endpoint.port);
    }
    if (endpoint.family == NET_ENDPOINT_IPV6) {
        ::inet_ntop(AF_INET6, endpoint.addr, text, sizeof text);
        std::string out = "[" + std::string(text);
        if (endpoint.scope_id != 0) out += "%" + std::to_string(endpoint.scope_id);
        return out + "]:" + std::to_string(endpoint.port);
    }
    return "(unset)";
}

socklen_t to_sockaddr(const net_endpoint_t& endpoint, int socket_family, sockaddr_storage& out) noexcept
{
    if (socket_family == AF_INET) {
        if (endpoint.family != NET_ENDPOINT_IPV4) return 0;
        auto& a = reinterpret_cast<sockaddr_in&>(out);
        a = sockaddr_in{};
        a.sin_family = AF_INET;
        a.sin_port = htons(endpoint.port);
        std::memcpy(&a.sin_addr, endpoint.addr, 4);
        return sizeof(sockaddr_in);
    }
    auto& a = reinterpret_cast<sockaddr_in6&>(out);
    a = sockaddr_in6{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(endpoint.port);
    if (endpoint.family == NET_ENDPOINT_IPV6) {
        std::memcpy(&a.sin6_addr, endpoint.addr, 16);
        a.sin6_scope_id = endpoint.scope_id;
    } else if (endpoint.family == NET_ENDPOINT_IPV4) {
        a.sin6_addr.s6_addr[10] = 0xff;
        a.sin6_addr.s6_addr[11] = 0xff;
        std::memcpy(&a.sin6_addr.s6_addr[12], endpoint.addr, 4);
    } else {
        return 0;
    }
    return sizeof(sockaddr_in6);
}

net_endpoint_t from_sockaddr(const sockaddr_storage& address) noexcept
{
    net_endpoint_t out{};
    if (address.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(address);
        out.family = NET_ENDPOINT_IPV4;
        out.port = ntohs(a.sin_port);
        std::memcpy(out.addr, &a.sin_addr, 4);
    } else if (address.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(address);
        out.port = ntohs(a.sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
            out.family = NET_ENDPOINT_IPV4;
            std::memcpy(out.addr, &a.sin6_addr.s6_addr[12], 4);
        } else {
            out.family = NET_ENDPOINT_IPV6;
            out.scope_id = a.sin6_scope_id;
            std::memcpy(out.addr, &a.sin6_addr, 16);
        }
    }
    return out;
}

bool same_endpoint(const net_endpoint_t& a, const net_endpoint_t& b) noexcept
{
    if (a.family != b.family || a.port != b.port) return false;
    if (a.family == NET_ENDPOINT_IPV4) return std::memcmp(a.addr, b.addr, 4) == 0;
    return a.scope_id == b.scope_id && std::memcmp(a.addr, b.addr, 16) == 0;
}

}  // namespace net::udp
