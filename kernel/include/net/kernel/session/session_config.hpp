// net/kernel/session/session_config.hpp — configuration of handshakes and sessions.
#pragma once

#include <botan/secmem.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/crypto/noise_transport.hpp"

namespace net::kernel::session {

// Injected so tests control time; an empty Clock means std::chrono::steady_clock::now.
using Clock = std::function<std::chrono::steady_clock::time_point()>;

std::chrono::steady_clock::time_point clock_now(const Clock& clock) noexcept;

using NodeId = std::vector<std::uint8_t>;  // 1..255 bytes
inline constexpr std::size_t kMaxNodeIdSize = 255;

struct SessionLimits {
    // Each direction moves to a new epoch (Noise REKEY) before sealing packet number
    // `rekey_after_packets` of the current epoch, or once the epoch is `rekey_after_age` old.
    std::uint64_t rekey_after_packets = std::uint64_t{1} << 60;
    std::chrono::steady_clock::duration rekey_after_age = std::chrono::seconds(120);
    // The receiver keeps the previous epoch's keys and replay window after it saw the first packet
    // of a new epoch, for this long, and (when non-zero) for at most this many new-epoch packets.
    std::chrono::steady_clock::duration old_epoch_grace = std::chrono::seconds(5);
    std::uint64_t old_epoch_grace_packets = 0;
    std::size_t replay_window = 1024;  // a power of two >= 64
};

// What both roles share.
struct HandshakeConfig {
    crypto::NoiseCipher suite = crypto::NoiseCipher::chacha_poly;
    NodeId local_node_id;
    Botan::secure_vector<std::uint8_t> psk;  // 32 bytes, shared by both nodes
    Clock clock;
    SessionLimits limits;
};

struct InitiatorConfig : HandshakeConfig {
    NodeId remote_node_id;
    crypto::NoiseKey remote_static{};  // the responder's X25519 public key
    std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(1);
    unsigned handshake_retries = 5;  // resends of the first message before giving up
};

struct ResponderConfig : HandshakeConfig {
    Botan::secure_vector<std::uint8_t> local_static;  // X25519 private key (32 bytes)
    std::size_t duplicate_cache_size = 64;            // first messages remembered to answer duplicates
};

}  // namespace net::kernel::session
