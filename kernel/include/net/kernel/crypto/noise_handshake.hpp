// noise_handshake.hpp — the Noise HandshakeState (revision 34) over X25519 and BLAKE2b; it splits
// into a NoiseTransport (noise_transport.hpp).
//
// Every call is noexcept and returns a NoiseResult. Any handshake error (truncated, oversized or
// garbage message, wrong PSK, wrong static key, suite or prologue mismatch, call out of order)
// leaves the handshake failed: later calls return bad_state. Not thread-safe.
#pragma once

#include <botan/secmem.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/kernel/crypto/noise_cipher_state.hpp"
#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/crypto/noise_status.hpp"
#include "net/kernel/crypto/noise_transport.hpp"

namespace net::kernel::crypto {

struct NoiseHandshakeConfig {
    std::string protocol_name;  // "Noise_NKpsk0_25519_ChaChaPoly_BLAKE2b"
    NoiseRole role = NoiseRole::initiator;
    std::vector<std::uint8_t> prologue;
    Botan::secure_vector<std::uint8_t> local_static;  // X25519 private key (32 bytes) or empty
    // Its public key, when the caller has it already (saves one scalar multiplication per
    // handshake); derived from local_static when absent. Must match local_static.
    std::optional<NoiseKey> local_static_public;
    std::optional<NoiseKey> remote_static;                 // the peer's public key, when known beforehand
    std::vector<Botan::secure_vector<std::uint8_t>> psks;  // 32 bytes each, in pattern order
    // The ephemeral private key to use instead of a fresh random one. Test vectors set it; the
    // session initiator sets it to rebuild its state after a rejected response, because a failed
    // read_message leaves the handshake failed (making reads transactional would remove this use).
    Botan::secure_vector<std::uint8_t> fixed_ephemeral;
};

class NoiseHandshake {
public:
    NoiseHandshake() noexcept;
    ~NoiseHandshake();
    NoiseHandshake(NoiseHandshake&&) noexcept;
    NoiseHandshake& operator=(NoiseHandshake&&) noexcept;

    // Parses the protocol name, checks the keys the pattern needs and runs the pre-messages.
    NoiseResult initialize(const NoiseHandshakeConfig& config) noexcept;

    // Writes the next handshake message carrying `payload` into `out` (replacing its contents).
    NoiseResult write_message(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) noexcept;
    // Reads the peer's next handshake message; its payload goes into `payload` (replaced).
    NoiseResult read_message(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& payload) noexcept;

    bool is_initialized() const noexcept;
    bool is_my_turn_to_write() const noexcept;
    bool is_complete() const noexcept;
    bool has_failed() const noexcept;
    // Current h (64 bytes); the handshake hash once complete. Empty before initialize.
    std::span<const std::uint8_t> handshake_hash() const noexcept;
    // The peer's static public key, once known.
    std::optional<NoiseKey> remote_static() const noexcept;

    // After the last message: the initiator sends with the first split key, the responder with
    // the second. The handshake's own keys are wiped.
    NoiseResult split(NoiseTransport& out) noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The X25519 public key of a private key (helper for configuration and tests).
NoiseKey noise_public_key(std::span<const std::uint8_t> private_key) noexcept;
// A fresh X25519 private key from the system RNG (throws Botan::Exception only if that fails).
Botan::secure_vector<std::uint8_t> noise_generate_private_key();

}  // namespace net::kernel::crypto
