// mesh_config.cpp — reading the manifest's "mesh" section (the schema already checked the shapes).
#include "net/kernel/mesh/mesh_config.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "net/kernel/wire/hex.hpp"

namespace net::kernel::mesh {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const Manifest& m, const std::string& pointer, const std::string& detail)
{
    throw ManifestError(m.file.string(), pointer, detail);
}

fs::path relative_to_manifest(const Manifest& m, const std::string& path)
{
    const fs::path p(path);
    return p.is_absolute() ? p : m.file.parent_path() / p;
}

template <std::size_t N>
std::array<std::uint8_t, N> decode_hex_key(const Manifest& m, const std::string& pointer, const std::string& text)
{
    std::array<std::uint8_t, N> out{};
    const auto r = wire::hex_decode(text, out);
    if (!r || *r != N) fail(m, pointer, "expected " + std::to_string(2 * N) + " hex digits");
    return out;
}

Millis millis(const nlohmann::json& mesh, const char* key, Millis fallback)
{
    const auto it = mesh.find(key);
    return it == mesh.end() ? fallback : Millis(it->get<std::int64_t>());
}

}  // namespace

std::optional<net_endpoint_t> parse_endpoint(const std::string& text, std::string& error)
{
    net_endpoint_t ep{};
    std::string host;
    std::string port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            error = "expected \"[ipv6]:port\"";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
        ep.family = NET_ENDPOINT_IPV6;
        if (inet_pton(AF_INET6, host.c_str(), ep.addr) != 1) {
            error = "\"" + host + "\" is not an IPv6 address";
            return std::nullopt;
        }
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            error = "expected \"host:port\"";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        ep.family = NET_ENDPOINT_IPV4;
        if (inet_pton(AF_INET, host.c_str(), ep.addr) != 1) {
            error = "\"" + host + "\" is not an IPv4 address";
            return std::nullopt;
        }
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
        error = "port \"" + port_text + "\" is not in 1..65535";
        return std::nullopt;
    }
    ep.port = static_cast<std::uint16_t>(port);
    return ep;
}

std::string format_endpoint(const net_endpoint_t& ep)
{
    char host[INET6_ADDRSTRLEN] = {};
    if (ep.family == NET_ENDPOINT_IPV4) {
        inet_ntop(AF_INET, ep.addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ep.port);
    }
    if (ep.family == NET_ENDPOINT_IPV6) {
        inet_ntop(AF_INET6, ep.addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ep.port);
    }
    return "(none)";
}

bool same_endpoint(const net_endpoint_t& a, const net_endpoint_t& b) noexcept
{
    if (a.family != b.family || a.port != b.port) return false;
    const std::size_t n = a.family == NET_ENDPOINT_IPV4 ? 4 : 16;
    return std::memcmp(a.addr, b.addr, n) == 0;
}

std::string format_address(Address address)
{
    char text[19];
    std::snprintf(text, sizeof text, "0x%012llx", static_cast<unsigned long long>(address));
    return text;
}

std::optional<Address> parse_address(const std::string& text)
{
    std::string_view digits = text;
    if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
    if (digits.empty() || digits.size() > 12) return std::nullopt;
    Address value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

MeshConfig parse_mesh_config(const Manifest& m, const fs::path& admin_socket)
{
    const nlohmann::json& mesh = m.mesh;
    MeshConfig c;
    if (!mesh.contains("identity")) {
        fail(m, "/mesh", "missing required property \"identity\" (a key file from `net-mesh identity generate`)");
    }
    c.identity_file = relative_to_manifest(m, mesh.at("identity").get<std::string>());
    const bool has_psk = mesh.contains("psk");
    const bool has_psk_file = mesh.contains("psk_file");
    if (has_psk == has_psk_file) fail(m, "/mesh", "set exactly one of \"psk\" and \"psk_file\"");
    std::string psk_hex;
    std::string psk_pointer = "/mesh/psk";
    if (has_psk) {
        psk_hex = mesh.at("psk").get<std::string>();
    } else {
        psk_pointer = "/mesh/psk_file";
        const fs::path file = relative_to_manifest(m, mesh.at("psk_file").get<std::string>());
        std::ifstream in(file);
        if (!in) fail(m, psk_pointer, "cannot read " + file.string());
        in >> psk_hex;
    }
    const auto psk = decode_hex_key<32>(m, psk_pointer, psk_hex);
    c.psk.assign(psk.begin(), psk.end());

    c.transport = mesh.value("transport", std::string());
    c.suite = mesh.value("suite", std::string("chacha20-poly1305")) == "aes-256-gcm" ? crypto::NoiseCipher::aes_gcm
                                                                                     : crypto::NoiseCipher::chacha_poly;
    c.heartbeat_interval = millis(mesh, "heartbeat_interval_ms", c.heartbeat_interval);
    c.suspect_after_misses = mesh.value("suspect_after_misses", c.suspect_after_misses);
    c.session_timeout = millis(mesh, "session_timeout_ms", c.session_timeout);
    c.pingwave_interval = millis(mesh, "pingwave_interval_ms", c.pingwave_interval);
    c.route_ttl = millis(mesh, "route_ttl_ms", 3 * c.pingwave_interval);
    c.handshake_timeout = millis(mesh, "handshake_timeout_ms", c.handshake_timeout);
    c.handshake_retries = mesh.value("handshake_retries", c.handshake_retries);
    c.reconnect_interval = millis(mesh, "reconnect_interval_ms", c.reconnect_interval);
    if (c.heartbeat_interval * c.suspect_after_misses >= c.session_timeout) {
        fail(m, "/mesh/session_timeout_ms",
             "must be longer than heartbeat_interval_ms x suspect_after_misses (" +
                 std::to_string((c.heartbeat_interval * c.suspect_after_misses).count()) + " ms)");
    }
    if (c.route_ttl <= c.pingwave_interval) {
        fail(m, "/mesh/route_ttl_ms", "must be longer than pingwave_interval_ms");
    }
    c.admin_socket = admin_socket;

    std::set<std::string> names;
    std::set<Address> addresses;
    if (const auto peers = mesh.find("peers"); peers != mesh.end()) {
        for (std::size_t i = 0; i < peers->size(); ++i) {
            const auto& p = (*peers)[i];
            const std::string at = "/mesh/peers/" + std::to_string(i);
            PeerConfig peer;
            peer.name = p.at("name").get<std::string>();
            if (!names.insert(peer.name).second) fail(m, at + "/name", "duplicate peer name \"" + peer.name + "\"");
            peer.entity_key = decode_hex_key<32>(m, at + "/entity_key", p.at("entity_key").get<std::string>());
            peer.static_key = decode_hex_key<32>(m, at + "/static_key", p.at("static_key").get<std::string>());
            const auto derived = crypto::derive_from_entity_key(peer.entity_key);
            peer.node_id = derived.node_id;
            peer.address = derived.address;
            if (!addresses.insert(peer.address).second) {
                fail(m, at + "/entity_key", "the same node as an earlier peer (" + format_address(peer.address) + ")");
            }
            if (const auto ep = p.find("endpoint"); ep != p.end()) {
                std::string error;
                peer.endpoint = parse_endpoint(ep->get<std::string>(), error);
                if (!peer.endpoint) fail(m, at + "/endpoint", error);
            }
            c.peers.push_back(std::move(peer));
        }
    }
    return c;
}

}  // namespace net::kernel::mesh
