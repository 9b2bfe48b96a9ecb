// mesh_lab.hpp — several real nodes in one test process: identities, a shared PSK, reserved
// loopback UDP ports, manifests with the real transport and reliability plugins, and short timers
// so failure detection and routing converge within a test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "net/kernel/crypto/identity.hpp"
#include "net/kernel/manifest.hpp"
#include "net/kernel/mesh/mesh.hpp"
#include "net/kernel/node.hpp"
#include "net/kernel/wire/hex.hpp"
#include "net_test_support.hpp"

namespace net::test {

// A free loopback UDP port (bound then released; the kernel does not reuse it at once).
inline std::uint16_t reserve_udp_port()
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

class MeshLab {
public:
    struct NodeSpec {
        std::filesystem::path key_file;
        std::string entity_hex;
        std::string static_hex;
        std::uint64_t address = 0;
        std::uint16_t port = 0;
        nlohmann::json transport_config = nlohmann::json::object();
        nlohmann::json stream_config = nlohmann::json::object();
        nlohmann::json mesh_overrides = nlohmann::json::object();
        nlohmann::json peers = nlohmann::json::array();
    };

    explicit MeshLab(const TempDir& dir) : dir_(dir) {}

    NodeSpec& add(const std::string& name)
    {
        NodeSpec spec;
        spec.key_file = dir_.path() / (name + ".key");
        const auto id = kernel::crypto::Identity::generate();
        id.save(spec.key_file);
        spec.entity_hex = kernel::wire::hex_string(id.entity_public());
        spec.static_hex = kernel::wire::hex_string(id.static_public());
        spec.address = id.derived().address;
        spec.port = reserve_udp_port();
        return nodes_[name] = spec;
    }

    NodeSpec& spec(const std::string& name) { return nodes_.at(name); }
    std::uint64_t address(const std::string& name) const { return nodes_.at(name).address; }
    std::string endpoint(const std::string& name) const
    {
        return "127.0.0.1:" + std::to_string(nodes_.at(name).port);
    }

    // `from` lists `to` as a peer: with its endpoint when `direct`, else reached through relays.
    void know(const std::string& from, const std::string& to, bool direct)
    {
        if (direct) {
            know_at(from, to, endpoint(to));
            return;
        }
        nodes_.at(from).peers.push_back(peer_entry(to));
    }
    // `from` lists `to` as a peer at `at` (say, a proxy in front of it).
    void know_at(const std::string& from, const std::string& to, const std::string& at)
    {
        nlohmann::json peer = peer_entry(to);
        peer["endpoint"] = at;
        nodes_.at(from).peers.push_back(peer);
    }
    void link(const std::string& a, const std::string& b)
    {
        know(a, b, true);
        know(b, a, true);
    }

    nlohmann::json manifest(const std::string& name) const
    {
        const NodeSpec& s = nodes_.at(name);
        nlohmann::json transport = s.transport_config;
        transport["bind"] = endpoint(name);
        if (!transport.contains("socket_buffer_bytes")) transport["socket_buffer_bytes"] = 4 << 20;
        nlohmann::json mesh{{"identity", s.key_file.string()},
                            {"psk", psk_},
                            {"heartbeat_interval_ms", 100},
                            {"suspect_after_misses", 2},
                            {"session_timeout_ms", 1000},
                            {"pingwave_interval_ms", 100},
                            {"route_ttl_ms", 500},
                            {"handshake_timeout_ms", 200},
                            {"handshake_retries", 20},
                            {"reconnect_interval_ms", 200},
                            {"admin_socket", (dir_.path() / (name + ".sock")).string()},
                            {"peers", s.peers}};
        for (auto& [k, v] : s.mesh_overrides.items()) mesh[k] = v;
        const char* log_level = std::getenv("NET_TEST_LOG_LEVEL");
        return nlohmann::json{
            {"node", {{"name", name}, {"threads", 2}, {"log_level", log_level != nullptr ? log_level : "warn"}}},
            {"mesh", mesh},
            {"plugins",
             {{{"name", "udp"}, {"library", "net-transport-udp"}, {"config", transport}},
              {{"name", "fire"}, {"library", "net-reliability-fire"}},
              {{"name", "stream"}, {"library", "net-reliability-stream"}, {"config", s.stream_config}}}}};
    }

    std::unique_ptr<kernel::Node> start(const std::string& name) const
    {
        const auto file = dir_.write(name + ".json", manifest(name).dump(2));
        kernel::LoadOptions options;
        options.plugin_path = {NET_TEST_PLUGIN_DIR};
        auto node = std::make_unique<kernel::Node>(kernel::load_manifest(file, options), std::clog);
        node->start();
        return node;
    }

private:
    nlohmann::json peer_entry(const std::string& name) const
    {
        return {{"name", name}, {"entity_key", nodes_.at(name).entity_hex}, {"static_key", nodes_.at(name).static_hex}};
    }

    const TempDir& dir_;
    std::string psk_ = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
    std::map<std::string, NodeSpec> nodes_;
};

}  // namespace net::test
