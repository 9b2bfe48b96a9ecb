// noise_cipher_state.hpp — the Noise CipherState: a key, a 64-bit nonce and an AEAD.
#pragma once

#include <botan/secmem.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/crypto/noise_status.hpp"

namespace Botan {
class AEAD_Mode;
}

namespace net::kernel::crypto {

// ChaChaPoly nonces are 4 zero bytes + the counter little-endian; AESGCM nonces are 4 zero bytes +
// the counter big-endian (Noise spec, section 12). Not thread-safe; one owner at a time.
class NoiseCipherState {
public:
    explicit NoiseCipherState(NoiseCipher cipher = NoiseCipher::chacha_poly) noexcept;
    ~NoiseCipherState();
    NoiseCipherState(NoiseCipherState&&) noexcept;
    NoiseCipherState& operator=(NoiseCipherState&&) noexcept;
    NoiseCipherState(const NoiseCipherState&) = delete;
    NoiseCipherState& operator=(const NoiseCipherState&) = delete;

    NoiseCipher cipher() const noexcept { return cipher_; }
    // Sets a 32-byte key and resets the nonce to 0; an empty span clears the key.
    NoiseResult initialize_key(std::span<const std::uint8_t> key) noexcept;
    bool has_key() const noexcept { return has_key_; }
    void set_nonce(std::uint64_t nonce) noexcept { nonce_ = nonce; }
    std::uint64_t nonce() const noexcept { return nonce_; }

    // Appends the ciphertext (or the plaintext when there is no key) to `out`.
    NoiseResult encrypt_with_ad(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plaintext,
                                std::vector<std::uint8_t>& out) noexcept;
    // Appends the plaintext to `out`. On failure `out` is unchanged and the nonce does not move.
    NoiseResult decrypt_with_ad(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> ciphertext,
                                std::vector<std::uint8_t>& out) noexcept;
    // k = first 32 bytes of ENCRYPT(k, 2^64-1, "", zeros(32)); the nonce is kept.
    NoiseResult rekey() noexcept;

private:
    void make_nonce(std::uint64_t n, std::uint8_t out[12]) const noexcept;
    // Runs `mode` over `buffer` in place with nonce `n` and `ad`. Throws what Botan throws.
    void run(Botan::AEAD_Mode& mode, std::uint64_t n, std::span<const std::uint8_t> ad,
             Botan::secure_vector<std::uint8_t>& buffer) const;
    void load_key();
    Botan::AEAD_Mode& encryptor();
    Botan::AEAD_Mode& decryptor();

    NoiseCipher cipher_;
    Botan::secure_vector<std::uint8_t> key_;
    bool has_key_ = false;
    std::uint64_t nonce_ = 0;
    std::unique_ptr<Botan::AEAD_Mode> encryptor_;
    std::unique_ptr<Botan::AEAD_Mode> decryptor_;
};

}  // namespace net::kernel::crypto
