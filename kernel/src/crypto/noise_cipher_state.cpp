// noise_cipher_state.cpp — CipherState over Botan's ChaCha20Poly1305 and AES-256/GCM.
#include "net/kernel/crypto/noise_cipher_state.hpp"

#include <botan/aead.h>
#include <botan/exceptn.h>
#include <botan/mem_ops.h>

#include <limits>

namespace net::kernel::crypto {
namespace {

constexpr std::uint64_t kMaxNonce = std::numeric_limits<std::uint64_t>::max();

const char* botan_aead_name(NoiseCipher cipher)
{
    return cipher == NoiseCipher::aes_gcm ? "AES-256/GCM" : "ChaCha20Poly1305";
}

}  // namespace

NoiseCipherState::NoiseCipherState(NoiseCipher cipher) noexcept : cipher_(cipher) {}
NoiseCipherState::~NoiseCipherState() = default;
NoiseCipherState::NoiseCipherState(NoiseCipherState&&) noexcept = default;
NoiseCipherState& NoiseCipherState::operator=(NoiseCipherState&&) noexcept = default;

void NoiseCipherState::make_nonce(std::uint64_t n, std::uint8_t out[12]) const noexcept
{
    for (int i = 0; i < 4; ++i) out[i] = 0;
    for (int i = 0; i < 8; ++i) {
        const auto byte = static_cast<std::uint8_t>(n >> (8 * i));
        if (cipher_ == NoiseCipher::aes_gcm) {
            out[11 - i] = byte;
        } else {
            out[4 + i] = byte;
        }
    }
}

// Transport CipherStates only ever encrypt or only decrypt, so each AEAD object is made on first use.
void NoiseCipherState::load_key()
{
    if (encryptor_) encryptor_->set_key(key_);
    if (decryptor_) decryptor_->set_key(key_);
}

Botan::AEAD_Mode& NoiseCipherState::encryptor()
{
    if (!encryptor_) {
        encryptor_ = Botan::AEAD_Mode::create_or_throw(botan_aead_name(cipher_), Botan::ENCRYPTION);
        encryptor_->set_key(key_);
    }
    return *encryptor_;
}

Botan::AEAD_Mode& NoiseCipherState::decryptor()
{
    if (!decryptor_) {
        decryptor_ = Botan::AEAD_Mode::create_or_throw(botan_aead_name(cipher_), Botan::DECRYPTION);
        decryptor_->set_key(key_);
    }
    return *decryptor_;
}

NoiseResult NoiseCipherState::initialize_key(std::span<const std::uint8_t> key) noexcept
{
    try {
        nonce_ = 0;
        if (key.empty()) {
            key_.clear();
            has_key_ = false;
            if (encryptor_) encryptor_->clear();
            if (decryptor_) decryptor_->clear();
            return NoiseResult::success();
        }
        if (key.size() != kNoiseKeyLen) {
            return NoiseResult::failure(NoiseStatus::invalid_argument, "cipher key must be 32 bytes");
        }
        key_.assign(key.begin(), key.end());
        load_key();
        has_key_ = true;
        return NoiseResult::success();
    } catch (const std::exception& e) {
        has_key_ = false;
        return NoiseResult::failure(NoiseStatus::internal_error, std::string("cipher setup failed: ") + e.what());
    }
}

void NoiseCipherState::run(Botan::AEAD_Mode& mode, std::uint64_t n, std::span<const std::uint8_t> ad,
                           Botan::secure_vector<std::uint8_t>& buffer) const
{
    std::uint8_t nonce[12];
    make_nonce(n, nonce);
    mode.set_associated_data(ad.data(), ad.size());
    mode.start(nonce, sizeof nonce);
    mode.finish(buffer);
}

NoiseResult NoiseCipherState::encrypt_with_ad(std::span<const std::uint8_t> ad, std::span<const std::uint8_t> plaintext,
                                              std::vector<std::uint8_t>& out) noexcept
{
    try {
        if (!has_key_) {
            out.insert(out.end(), plaintext.begin(), plaintext.end());
            return NoiseResult::success();
        }
        if (nonce_ == kMaxNonce) return NoiseResult::failure(NoiseStatus::nonce_exhausted, "cipher nonce exhausted");
        Botan::secure_vector<std::uint8_t> buffer(plaintext.begin(), plaintext.end());
        run(encryptor(), nonce_, ad, buffer);
        out.insert(out.end(), buffer.begin(), buffer.end());
        ++nonce_;
        return NoiseResult::success();
    } catch (const std::exception& e) {
        return NoiseResult::failure(NoiseStatus::internal_error, std::string("encryption failed: ") + e.what());
    }
}

NoiseResult NoiseCipherState::decrypt_with_ad(std::span<const std::uint8_t> ad,
                                              std::span<const std::uint8_t> ciphertext,
                                              std::vector<std::uint8_t>& out) noexcept
{
    try {
        if (!has_key_) {
            out.insert(out.end(), ciphertext.begin(), ciphertext.end());
            return NoiseResult::success();
        }
        if (nonce_ == kMaxNonce) return NoiseResult::failure(NoiseStatus::nonce_exhausted, "cipher nonce exhausted");
        if (ciphertext.size() < kNoiseTagLen) {
            return NoiseResult::failure(NoiseStatus::truncated, "ciphertext of " + std::to_string(ciphertext.size()) +
                                                                    " bytes is shorter than the 16-byte tag");
        }
        Botan::secure_vector<std::uint8_t> buffer(ciphertext.begin(), ciphertext.end());
        run(decryptor(), nonce_, ad, buffer);
        out.insert(out.end(), buffer.begin(), buffer.end());
        ++nonce_;
        return NoiseResult::success();
    } catch (const Botan::Invalid_Authentication_Tag&) {
        return NoiseResult::failure(NoiseStatus::decrypt_failed,
                                    "decryption failed: authentication tag mismatch (wrong key, PSK, prologue or "
                                    "cipher suite, or a modified message)");
    } catch (const std::exception& e) {
        return NoiseResult::failure(NoiseStatus::internal_error, std::string("decryption failed: ") + e.what());
    }
}

NoiseResult NoiseCipherState::rekey() noexcept
{
    try {
        if (!has_key_) return NoiseResult::failure(NoiseStatus::bad_state, "rekey without a key");
        Botan::secure_vector<std::uint8_t> buffer(kNoiseKeyLen, 0);
        run(encryptor(), kMaxNonce, {}, buffer);
        buffer.resize(kNoiseKeyLen);
        key_.swap(buffer);
        load_key();
        return NoiseResult::success();
    } catch (const std::exception& e) {
        return NoiseResult::failure(NoiseStatus::internal_error, std::string("rekey failed: ") + e.what());
    }
}

}  // namespace net::kernel::crypto
