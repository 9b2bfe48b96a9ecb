// session_keys.hpp — derivations from the handshake: session id, nonce prefixes, packet keys.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "net/kernel/crypto/noise_cipher_state.hpp"
#include "net/kernel/session/session_result.hpp"

namespace net::kernel::session::detail {

std::uint64_t session_id_from_hash(std::span<const std::uint8_t> handshake_hash) noexcept;

// BLAKE2b(label || handshake_hash)[0..4).
SessionResult derive_nonce_prefix(const char* label, std::span<const std::uint8_t> handshake_hash,
                                  std::array<std::uint8_t, 4>& out) noexcept;

// First 32 bytes of ENCRYPT(k, 0, "net/session packet key", zeros(32)) under the chain's key; the
// chain's nonce is left as it was.
SessionResult derive_packet_key(crypto::NoiseCipherState& chain, std::array<std::uint8_t, 32>& out) noexcept;

}  // namespace net::kernel::session::detail
