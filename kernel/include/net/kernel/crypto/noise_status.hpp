// noise_status.hpp — the result type every Noise call returns instead of throwing.
#pragma once

#include <cstddef>
#include <string>

namespace net::kernel::crypto {

inline constexpr std::size_t kNoiseMaxMessage = 65535;  // Noise spec, section 3
inline constexpr std::size_t kNoiseDhLen = 32;          // X25519
inline constexpr std::size_t kNoiseHashLen = 64;        // BLAKE2b
inline constexpr std::size_t kNoiseKeyLen = 32;
inline constexpr std::size_t kNoiseTagLen = 16;
inline constexpr std::size_t kNoisePskLen = 32;

enum class NoiseStatus {
    ok,
    unsupported,        // a protocol name part this engine does not implement (not a failure)
    invalid_argument,   // malformed protocol name, missing or wrong-sized key, bad PSK count
    bad_state,          // call out of order, or the handshake already failed
    message_too_large,  // more than kNoiseMaxMessage bytes
    truncated,          // a handshake message shorter than its tokens need
    decrypt_failed,     // AEAD tag did not verify: wrong key, PSK, prologue, suite or tampering
    dh_failed,          // X25519 produced the all-zero output (low-order public key)
    nonce_exhausted,    // the cipher state's nonce reached 2^64-1
    internal_error,     // an unexpected exception from the crypto library
};

const char* noise_status_name(NoiseStatus status) noexcept;

struct NoiseResult {
    NoiseStatus status = NoiseStatus::ok;
    std::string message;

    bool ok() const noexcept { return status == NoiseStatus::ok; }
    explicit operator bool() const noexcept { return ok(); }

    static NoiseResult success() noexcept { return {}; }
    static NoiseResult failure(NoiseStatus status, std::string message) noexcept
    {
        return NoiseResult{status, std::move(message)};
    }
};

}  // namespace net::kernel::crypto
