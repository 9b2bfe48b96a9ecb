// test_noise_cipher_state.cpp — CipherState nonce layouts (ChaChaPoly little-endian, AESGCM
// big-endian) checked against Botan directly, rekey per the spec, nonce exhaustion.
#define BOOST_TEST_MODULE noise_cipher_state
#include <boost/test/unit_test.hpp>

#include <botan/aead.h>

#include <array>
#include <limits>
#include <vector>

#include "net/kernel/crypto/noise_cipher_state.hpp"

using namespace net::kernel::crypto;

namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes kKey = [] {
    Bytes key(32);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 3 + 1);
    return key;
}();

Bytes botan_encrypt(const char* algorithm, const Bytes& key, const std::array<std::uint8_t, 12>& nonce, const Bytes& ad,
                    const Bytes& plaintext)
{
    auto mode = Botan::AEAD_Mode::create_or_throw(algorithm, Botan::ENCRYPTION);
    mode->set_key(key);
    mode->set_associated_data(ad.data(), ad.size());
    mode->start(nonce.data(), nonce.size());
    Botan::secure_vector<std::uint8_t> buffer(plaintext.begin(), plaintext.end());
    mode->finish(buffer);
    return Bytes(buffer.begin(), buffer.end());
}

}  // namespace

BOOST_AUTO_TEST_CASE(chachapoly_nonce_is_little_endian)
{
    NoiseCipherState cs(NoiseCipher::chacha_poly);
    BOOST_REQUIRE(cs.initialize_key(kKey).ok());
    cs.set_nonce(0x0102030405060708ull);
    Bytes out;
    const Bytes ad{1, 2, 3}, plaintext{9, 8, 7, 6};
    BOOST_REQUIRE(cs.encrypt_with_ad(ad, plaintext, out).ok());
    const std::array<std::uint8_t, 12> nonce{0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1};
    BOOST_TEST((out == botan_encrypt("ChaCha20Poly1305", kKey, nonce, ad, plaintext)));
    BOOST_TEST(cs.nonce() == 0x0102030405060709ull);
}

BOOST_AUTO_TEST_CASE(aesgcm_nonce_is_big_endian)
{
    NoiseCipherState cs(NoiseCipher::aes_gcm);
    BOOST_REQUIRE(cs.initialize_key(kKey).ok());
    cs.set_nonce(0x0102030405060708ull);
    Bytes out;
    const Bytes ad{1, 2, 3}, plaintext{9, 8, 7, 6};
    BOOST_REQUIRE(cs.encrypt_with_ad(ad, plaintext, out).ok());
    const std::array<std::uint8_t, 12> nonce{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    BOOST_TEST((out == botan_encrypt("AES-256/GCM", kKey, nonce, ad, plaintext)));
}

BOOST_AUTO_TEST_CASE(rekey_encrypts_zeros_under_the_maximum_nonce)
{
    for (auto [cipher, algorithm] :
         {std::pair{NoiseCipher::chacha_poly, "ChaCha20Poly1305"}, std::pair{NoiseCipher::aes_gcm, "AES-256/GCM"}}) {
        NoiseCipherState cs(cipher);
        BOOST_REQUIRE(cs.initialize_key(kKey).ok());
        cs.set_nonce(5);
        BOOST_REQUIRE(cs.rekey().ok());
        BOOST_TEST(cs.nonce() == 5u);
        const std::array<std::uint8_t, 12> max_nonce{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        auto new_key = botan_encrypt(algorithm, kKey, max_nonce, {}, Bytes(32, 0));
        new_key.resize(32);
        Bytes out;
        const Bytes plaintext{42};
        BOOST_REQUIRE(cs.encrypt_with_ad({}, plaintext, out).ok());
        std::array<std::uint8_t, 12> nonce{};
        if (cipher == NoiseCipher::aes_gcm) {
            nonce[11] = 5;
        } else {
            nonce[4] = 5;
        }
        BOOST_TEST((out == botan_encrypt(algorithm, new_key, nonce, {}, plaintext)));
    }
}

BOOST_AUTO_TEST_CASE(without_a_key_data_passes_through)
{
    NoiseCipherState cs;
    Bytes out;
    const Bytes plaintext{1, 2, 3};
    BOOST_REQUIRE(cs.encrypt_with_ad({}, plaintext, out).ok());
    BOOST_TEST((out == plaintext));
    BOOST_TEST((cs.rekey().status == NoiseStatus::bad_state));
    BOOST_TEST((cs.initialize_key(Bytes(31, 0)).status == NoiseStatus::invalid_argument));
}

BOOST_AUTO_TEST_CASE(the_maximum_nonce_is_never_used_for_messages)
{
    NoiseCipherState cs;
    BOOST_REQUIRE(cs.initialize_key(kKey).ok());
    cs.set_nonce(std::numeric_limits<std::uint64_t>::max());
    Bytes out;
    BOOST_TEST((cs.encrypt_with_ad({}, Bytes{1}, out).status == NoiseStatus::nonce_exhausted));
    BOOST_TEST((cs.decrypt_with_ad({}, Bytes(17, 0), out).status == NoiseStatus::nonce_exhausted));
    BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(failed_decryption_keeps_the_nonce)
{
    NoiseCipherState sender, receiver;
    BOOST_REQUIRE(sender.initialize_key(kKey).ok());
    BOOST_REQUIRE(receiver.initialize_key(kKey).ok());
    Bytes wire, out;
    BOOST_REQUIRE(sender.encrypt_with_ad({}, Bytes{1, 2}, wire).ok());
    auto bad = wire;
    bad[0] ^= 1;
    BOOST_TEST((receiver.decrypt_with_ad({}, bad, out).status == NoiseStatus::decrypt_failed));
    BOOST_TEST(receiver.nonce() == 0u);
    BOOST_TEST((receiver.decrypt_with_ad({}, Bytes(15, 0), out).status == NoiseStatus::truncated));
    BOOST_REQUIRE(receiver.decrypt_with_ad({}, wire, out).ok());
    BOOST_TEST((out == Bytes{1, 2}));
}
