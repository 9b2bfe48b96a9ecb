// noise_dh.hpp — X25519 for the Noise engine (Botan's curve25519_donna, which clamps scalars).
#pragma once

#include <botan/secmem.h>

#include <cstdint>
#include <span>

#include "net/kernel/crypto/noise_handshake.hpp"

namespace net::kernel::crypto {

// DH(private, public) into `shared` (32 bytes). False when the result is all zero, i.e. the
// public key is of low order; Noise allows rejecting those and we do.
bool noise_dh(std::span<const std::uint8_t> private_key, std::span<const std::uint8_t> public_key,
              Botan::secure_vector<std::uint8_t>& shared);

}  // namespace net::kernel::crypto
