// noise_transport.hpp — the transport phase after a Noise handshake: one CipherState per
// direction, associated data empty. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "net/kernel/crypto/noise_cipher_state.hpp"
#include "net/kernel/crypto/noise_status.hpp"

namespace net::kernel::crypto {

using NoiseKey = std::array<std::uint8_t, kNoiseDhLen>;  // an X25519 public key

class NoiseTransport {
public:
    NoiseTransport() noexcept = default;
    NoiseTransport(NoiseCipherState send, NoiseCipherState receive, std::span<const std::uint8_t> handshake_hash);

    NoiseResult encrypt(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) noexcept;
    NoiseResult decrypt(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& out) noexcept;
    NoiseResult rekey_send() noexcept { return send_.rekey(); }
    NoiseResult rekey_receive() noexcept { return receive_.rekey(); }

    NoiseCipherState& send_cipher() noexcept { return send_; }
    NoiseCipherState& receive_cipher() noexcept { return receive_; }
    std::span<const std::uint8_t> handshake_hash() const noexcept { return handshake_hash_; }

private:
    NoiseCipherState send_;
    NoiseCipherState receive_;
    std::vector<std::uint8_t> handshake_hash_;
};

}  // namespace net::kernel::crypto
