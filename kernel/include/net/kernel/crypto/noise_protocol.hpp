// noise_protocol.hpp — Noise protocol names and handshake patterns (table-driven).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/kernel/crypto/noise_status.hpp"

namespace net::kernel::crypto {

enum class NoiseToken : std::uint8_t { e, s, ee, es, se, ss, psk };

enum class NoiseCipher : std::uint8_t { chacha_poly, aes_gcm };

enum class NoiseRole : std::uint8_t { initiator, responder };

// A handshake pattern after modifiers were applied. messages[0] goes initiator → responder,
// messages[1] back, and so on.
struct NoisePattern {
    std::string name;  // "NKpsk0"
    std::vector<NoiseToken> initiator_pre;
    std::vector<NoiseToken> responder_pre;
    std::vector<std::vector<NoiseToken>> messages;

    std::size_t psk_count() const noexcept;
    bool has_psk() const noexcept { return psk_count() > 0; }
    // True when `role` sends (or pre-shares) its static key, so it must be configured with one.
    bool needs_local_static(NoiseRole role) const noexcept;
    // True when `role` must know the peer's static public key before the handshake.
    bool needs_remote_static(NoiseRole role) const noexcept;
};

// A parsed, supported protocol name, e.g. Noise_NKpsk0_25519_ChaChaPoly_BLAKE2b.
struct NoiseProtocol {
    std::string name;
    NoisePattern pattern;
    NoiseCipher cipher = NoiseCipher::chacha_poly;
};

// Parses `name`. Unsupported parts (BLAKE2s, SHA256, 448, unknown patterns or modifiers) give
// NoiseStatus::unsupported with the message "unsupported: <part>[, <part>...]"; a name that is
// not of the form Noise_<pattern>_<dh>_<cipher>_<hash> gives invalid_argument.
NoiseResult parse_noise_protocol(std::string_view name, NoiseProtocol& out) noexcept;

// Looks up a pattern with modifiers, e.g. "XX", "NKpsk0", "IKpsk1+psk2".
NoiseResult find_noise_pattern(std::string_view name, NoisePattern& out) noexcept;

// The base patterns in the table ("NN", "NK", "IK", "XX").
std::vector<std::string> noise_base_patterns();

const char* noise_cipher_name(NoiseCipher cipher) noexcept;  // "ChaChaPoly" / "AESGCM"

}  // namespace net::kernel::crypto
