// net/kernel/mesh/mesh_config.hpp — the manifest's "mesh" section, read and checked.
// Errors are ManifestError naming the manifest file and the JSON pointer of the bad field.
#pragma once

#include <botan/secmem.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/iface/transport.h"
#include "net/kernel/crypto/identity.hpp"
#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/manifest.hpp"

namespace net::kernel::mesh {

using Address = std::uint64_t;  // a node's 48-bit routing address
using Millis = std::chrono::milliseconds;

struct PeerConfig {
    std::string name;
    crypto::PublicKey32 entity_key{};
    crypto::PublicKey32 static_key{};
    std::uint64_t node_id = 0;  // derived from entity_key
    Address address = 0;        // derived from entity_key
    std::optional<net_endpoint_t> endpoint;  // absent: reached through relays
};

struct MeshConfig {
    std::filesystem::path identity_file;
    Botan::secure_vector<std::uint8_t> psk;  // 32 bytes
    std::string transport;                   // instance name; empty = the only provider
    crypto::NoiseCipher suite = crypto::NoiseCipher::chacha_poly;
    Millis heartbeat_interval{5000};
    unsigned suspect_after_misses = 2;
    Millis session_timeout{30000};
    Millis pingwave_interval{1000};
    Millis route_ttl{3000};
    Millis handshake_timeout{1000};
    unsigned handshake_retries = 5;
    Millis reconnect_interval{2000};
    std::filesystem::path admin_socket;  // empty = no admin socket
    // Answers admin commands the mesh does not know (the node's channel and log commands); returns
    // null for a command it does not know either. Called on admin connection threads.
    std::function<nlohmann::json(const nlohmann::json&)> admin_extension;
    std::vector<PeerConfig> peers;
};

// Reads manifest.mesh (which must not be null) and the psk_file if it names one. `admin_socket`
// is where the node serves status (admin::admin_socket_for). Throws ManifestError.
MeshConfig parse_mesh_config(const Manifest& manifest, const std::filesystem::path& admin_socket);

// "127.0.0.1:7001", "[::1]:7001" → endpoint; std::nullopt with `error` set otherwise.
std::optional<net_endpoint_t> parse_endpoint(const std::string& text, std::string& error);
std::string format_endpoint(const net_endpoint_t& endpoint);
bool same_endpoint(const net_endpoint_t& a, const net_endpoint_t& b) noexcept;

// "0x1a2b3c4d5e6f"
std::string format_address(Address address);
std::optional<Address> parse_address(const std::string& text);

}  // namespace net::kernel::mesh
