// noise_dh.cpp — X25519 key agreement and key generation.
#include "noise_dh.hpp"

#include <botan/curve25519.h>
#include <botan/system_rng.h>

namespace net::kernel::crypto {

bool noise_dh(std::span<const std::uint8_t> private_key, std::span<const std::uint8_t> public_key,
              Botan::secure_vector<std::uint8_t>& shared)
{
    shared.assign(kNoiseDhLen, 0);
    Botan::curve25519_donna(shared.data(), private_key.data(), public_key.data());
    std::uint8_t any = 0;
    for (auto byte : shared) any |= byte;
    return any != 0;
}

NoiseKey noise_public_key(std::span<const std::uint8_t> private_key) noexcept
{
    NoiseKey key{};
    if (private_key.size() == kNoiseDhLen) Botan::curve25519_basepoint(key.data(), private_key.data());
    return key;
}

Botan::secure_vector<std::uint8_t> noise_generate_private_key()
{
    Botan::secure_vector<std::uint8_t> key(kNoiseDhLen);
    Botan::system_rng().randomize(key.data(), key.size());
    return key;
}

}  // namespace net::kernel::crypto
