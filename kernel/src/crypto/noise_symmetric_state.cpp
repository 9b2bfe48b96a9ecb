// noise_symmetric_state.cpp — SymmetricState: chaining key, handshake hash, HKDF (Noise spec 5.2).
#include "noise_symmetric_state.hpp"

namespace net::kernel::crypto {

void NoiseSymmetricState::initialize(std::string_view protocol_name, NoiseCipher cipher)
{
    cipher_ = cipher;
    hash_ = Botan::HashFunction::create_or_throw("BLAKE2b(512)");
    // Botan's HMAC pads keys to the hash's block length, which is 128 for BLAKE2b as Noise needs.
    hmac_ = Botan::MessageAuthenticationCode::create_or_throw("HMAC(BLAKE2b(512))");
    h_.assign(kNoiseHashLen, 0);
    if (protocol_name.size() <= kNoiseHashLen) {
        std::copy(protocol_name.begin(), protocol_name.end(), h_.begin());
    } else {
        hash_->update(reinterpret_cast<const std::uint8_t*>(protocol_name.data()), protocol_name.size());
        hash_->final(h_.data());
    }
    ck_.assign(h_.begin(), h_.end());
    cipher_state_ = NoiseCipherState(cipher);
}

void NoiseSymmetricState::hkdf(std::span<const std::uint8_t> input_key_material, std::size_t outputs,
                               Botan::secure_vector<std::uint8_t>& out1, Botan::secure_vector<std::uint8_t>& out2,
                               Botan::secure_vector<std::uint8_t>* out3)
{
    hmac_->set_key(ck_);
    hmac_->update(input_key_material.data(), input_key_material.size());
    const Botan::secure_vector<std::uint8_t> temp_key = hmac_->final();

    hmac_->set_key(temp_key);
    hmac_->update(std::uint8_t{0x01});
    out1 = hmac_->final();

    hmac_->set_key(temp_key);
    hmac_->update(out1);
    hmac_->update(std::uint8_t{0x02});
    out2 = hmac_->final();

    if (outputs == 3 && out3 != nullptr) {
        hmac_->set_key(temp_key);
        hmac_->update(out2);
        hmac_->update(std::uint8_t{0x03});
        *out3 = hmac_->final();
    }
}

void NoiseSymmetricState::set_cipher_key(Botan::secure_vector<std::uint8_t>& key)
{
    key.resize(kNoiseKeyLen);  // HASHLEN is 64: keys are the first 32 bytes
    if (auto result = cipher_state_.initialize_key(key); !result) throw std::runtime_error(result.message);
}

void NoiseSymmetricState::mix_key(std::span<const std::uint8_t> input_key_material)
{
    Botan::secure_vector<std::uint8_t> ck, temp_key;
    hkdf(input_key_material, 2, ck, temp_key, nullptr);
    ck_.swap(ck);
    set_cipher_key(temp_key);
}

void NoiseSymmetricState::mix_hash(std::span<const std::uint8_t> data)
{
    hash_->update(h_.data(), h_.size());
    hash_->update(data.data(), data.size());
    hash_->final(h_.data());
}

void NoiseSymmetricState::mix_key_and_hash(std::span<const std::uint8_t> input_key_material)
{
    Botan::secure_vector<std::uint8_t> ck, temp_h, temp_key;
    hkdf(input_key_material, 3, ck, temp_h, &temp_key);
    ck_.swap(ck);
    mix_hash(temp_h);
    set_cipher_key(temp_key);
}

NoiseResult NoiseSymmetricState::encrypt_and_hash(std::span<const std::uint8_t> plaintext,
                                                  std::vector<std::uint8_t>& out)
{
    const std::size_t start = out.size();
    auto result = cipher_state_.encrypt_with_ad(h_, plaintext, out);
    if (!result) return result;
    mix_hash(std::span<const std::uint8_t>(out).subspan(start));
    return result;
}

NoiseResult NoiseSymmetricState::decrypt_and_hash(std::span<const std::uint8_t> ciphertext,
                                                  std::vector<std::uint8_t>& out)
{
    auto result = cipher_state_.decrypt_with_ad(h_, ciphertext, out);
    if (!result) return result;
    mix_hash(ciphertext);
    return result;
}

void NoiseSymmetricState::split(NoiseCipherState& first, NoiseCipherState& second)
{
    Botan::secure_vector<std::uint8_t> key1, key2;
    hkdf({}, 2, key1, key2, nullptr);
    key1.resize(kNoiseKeyLen);
    key2.resize(kNoiseKeyLen);
    first = NoiseCipherState(cipher_);
    second = NoiseCipherState(cipher_);
    if (auto r = first.initialize_key(key1); !r) throw std::runtime_error(r.message);
    if (auto r = second.initialize_key(key2); !r) throw std::runtime_error(r.message);
    Botan::zap(ck_);
    cipher_state_ = NoiseCipherState(cipher_);
}

}  // namespace net::kernel::crypto
