// noise_symmetric_state.hpp — the Noise SymmetricState with BLAKE2b (internal to the handshake).
// Methods may throw Botan exceptions; NoiseHandshake catches them at its API boundary.
#pragma once

#include <botan/hash.h>
#include <botan/mac.h>
#include <botan/secmem.h>

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "net/kernel/crypto/noise_cipher_state.hpp"

namespace net::kernel::crypto {

class NoiseSymmetricState {
public:
    void initialize(std::string_view protocol_name, NoiseCipher cipher);
    void mix_key(std::span<const std::uint8_t> input_key_material);
    void mix_hash(std::span<const std::uint8_t> data);
    void mix_key_and_hash(std::span<const std::uint8_t> input_key_material);
    NoiseResult encrypt_and_hash(std::span<const std::uint8_t> plaintext, std::vector<std::uint8_t>& out);
    NoiseResult decrypt_and_hash(std::span<const std::uint8_t> ciphertext, std::vector<std::uint8_t>& out);
    bool has_key() const noexcept { return cipher_state_.has_key(); }
    std::span<const std::uint8_t> handshake_hash() const noexcept { return h_; }
    // The two transport CipherStates; wipes ck and the handshake cipher key.
    void split(NoiseCipherState& first, NoiseCipherState& second);

private:
    // HKDF as the Noise spec defines it (section 4.3): HMAC-BLAKE2b over ck, 2 or 3 outputs.
    void hkdf(std::span<const std::uint8_t> input_key_material, std::size_t outputs,
              Botan::secure_vector<std::uint8_t>& out1, Botan::secure_vector<std::uint8_t>& out2,
              Botan::secure_vector<std::uint8_t>* out3);
    void set_cipher_key(Botan::secure_vector<std::uint8_t>& key);

    NoiseCipher cipher_ = NoiseCipher::chacha_poly;
    Botan::secure_vector<std::uint8_t> ck_;
    std::vector<std::uint8_t> h_;
    NoiseCipherState cipher_state_;
    std::unique_ptr<Botan::HashFunction> hash_;
    std::unique_ptr<Botan::MessageAuthenticationCode> hmac_;
};

}  // namespace net::kernel::crypto
