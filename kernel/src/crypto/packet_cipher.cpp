// packet_cipher.cpp — ChaCha20-Poly1305 (RFC 8439 §2.8) and AES-256-GCM built from reusable Botan
// primitives, so a packet costs no allocation and authentication is checked before decryption.
//
// Botan's AEAD_Mode objects are not used on the packet path: their finish() takes a
// secure_vector (the packet would have to be copied into one), ChaCha20Poly1305/GCM decryption
// writes plaintext before the tag is checked, and a bad tag is reported by throwing.

// ghash.h is marked "future internal" and warns; GHASH is still exported API in Botan 2.
#define BOTAN_NO_DEPRECATED_WARNINGS 1

#include "net/kernel/crypto/packet_cipher.hpp"

#include <botan/block_cipher.h>
#include <botan/ghash.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>
#include <botan/stream_cipher.h>

#include <cstring>
#include <stdexcept>

namespace net::kernel::crypto {

namespace {

constexpr std::size_t counter_offset = PacketCipher::nonce_prefix_size;

void store_le64(std::uint8_t* out, std::uint64_t v) noexcept
{
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

PacketCipher::PacketCipher(CipherSuite suite, std::span<const std::uint8_t, key_size> key,
                           std::span<const std::uint8_t, nonce_prefix_size> nonce_prefix)
    : suite_(suite)
{
    std::memcpy(iv_template_.data(), nonce_prefix.data(), nonce_prefix_size);
    iv_template_[15] = 1;  // GCM J0 = nonce || 0x00000001 (ChaCha reads only the first 12 bytes)
    switch (suite) {
        case CipherSuite::chacha20_poly1305:
            stream_ = Botan::StreamCipher::create_or_throw("ChaCha(20)");
            stream_->set_key(key.data(), key.size());
            poly1305_ = Botan::MessageAuthenticationCode::create_or_throw("Poly1305");
            break;
        case CipherSuite::aes256_gcm: {
            aes_ = Botan::BlockCipher::create_or_throw("AES-256");
            aes_->set_key(key.data(), key.size());
            stream_ = Botan::StreamCipher::create_or_throw("CTR-BE(AES-256,4)");
            stream_->set_key(key.data(), key.size());
            std::array<std::uint8_t, 16> h{};
            aes_->encrypt(h.data());
            ghash_ = std::make_unique<Botan::GHASH>();
            ghash_->set_key(h.data(), h.size());
            Botan::secure_scrub_memory(h.data(), h.size());
            break;
        }
        default:
            throw std::invalid_argument("PacketCipher: unknown cipher suite");
    }
}

PacketCipher::~PacketCipher()
{
    // Botan's secure_vector storage is zeroed when freed; clear() wipes the key schedules now.
    if (stream_) stream_->clear();
    if (poly1305_) poly1305_->clear();
    if (aes_) aes_->clear();
    if (ghash_) ghash_->clear();
    Botan::secure_scrub_memory(iv_template_.data(), iv_template_.size());
    Botan::secure_scrub_memory(gcm_tag_mask_.data(), gcm_tag_mask_.size());
}

PacketCipher::PacketCipher(PacketCipher&&) noexcept = default;
PacketCipher& PacketCipher::operator=(PacketCipher&&) noexcept = default;

void PacketCipher::start_message(std::uint64_t counter)
{
    store_le64(iv_template_.data() + counter_offset, counter);
    if (suite_ == CipherSuite::chacha20_poly1305) {
        stream_->set_iv(iv_template_.data(), nonce_size);
        // Block 0 keys Poly1305 (its second half is discarded); the payload starts at block 1.
        std::uint8_t block0[64];
        stream_->write_keystream(block0, sizeof(block0));
        poly1305_->set_key(block0, 32);
        Botan::secure_scrub_memory(block0, sizeof(block0));
    } else {
        stream_->set_iv(iv_template_.data(), iv_template_.size());
        // The first CTR block E(K, J0) masks the tag; the payload starts at J0 + 1.
        stream_->write_keystream(gcm_tag_mask_.data(), gcm_tag_mask_.size());
    }
}

void PacketCipher::authenticate(std::span<const std::uint8_t> ad, const std::uint8_t* text, std::size_t len,
                                std::uint8_t* tag_out)
{
    if (suite_ == CipherSuite::chacha20_poly1305) {
        static constexpr std::uint8_t zeros[16] = {};
        poly1305_->update(ad.data(), ad.size());
        if (ad.size() % 16) poly1305_->update(zeros, 16 - ad.size() % 16);
        poly1305_->update(text, len);
        if (len % 16) poly1305_->update(zeros, 16 - len % 16);
        std::uint8_t lengths[16];
        store_le64(lengths, ad.size());
        store_le64(lengths + 8, len);
        poly1305_->update(lengths, sizeof(lengths));
        poly1305_->final(tag_out);
    } else {
        ghash_->set_associated_data(ad.data(), ad.size());
        ghash_->start(gcm_tag_mask_.data(), gcm_tag_mask_.size());
        ghash_->update(text, len);
        ghash_->final(tag_out, tag_size);
        Botan::secure_scrub_memory(gcm_tag_mask_.data(), gcm_tag_mask_.size());
    }
}

net_status_t PacketCipher::seal_into(std::span<const std::uint8_t> ad, const std::uint8_t* in, std::uint8_t* out,
                                     std::size_t len, std::uint8_t* tag, std::uint64_t counter) noexcept
{
    if (counter == max_counter) return NET_E_BAD_STATE;
    if (len > max_plaintext || ad.size() > max_plaintext) return NET_E_INVALID_ARGUMENT;
    try {
        start_message(counter);
        stream_->cipher(in, out, len);
        authenticate(ad, out, len, tag);
        return NET_OK;
    } catch (...) {
        return NET_E_INTERNAL;
    }
}

net_status_t PacketCipher::open_into(std::span<const std::uint8_t> ad, const std::uint8_t* in, std::uint8_t* out,
                                     std::size_t len, const std::uint8_t* tag, std::uint64_t counter) noexcept
{
    if (counter == max_counter) return NET_E_DENIED;  // never sealed, so never authentic
    if (len > max_plaintext || ad.size() > max_plaintext) return NET_E_INVALID_ARGUMENT;
    try {
        start_message(counter);
        std::uint8_t expected[tag_size];
        authenticate(ad, in, len, expected);
        if (!Botan::constant_time_compare(expected, tag, tag_size)) return NET_E_DENIED;
        stream_->cipher(in, out, len);
        return NET_OK;
    } catch (...) {
        return NET_E_INTERNAL;
    }
}

net_status_t PacketCipher::seal_in_place(std::span<const std::uint8_t> associated_data, std::span<std::uint8_t> buffer,
                                         std::size_t plaintext_len, std::uint64_t counter) noexcept
{
    if (plaintext_len > buffer.size() || buffer.size() - plaintext_len < tag_size) return NET_E_INVALID_ARGUMENT;
    std::uint8_t* p = buffer.data();
    return seal_into(associated_data, p, p, plaintext_len, p + plaintext_len, counter);
}

OpenResult PacketCipher::open_in_place(std::span<const std::uint8_t> associated_data, std::span<std::uint8_t> buffer,
                                       std::uint64_t counter) noexcept
{
    if (buffer.size() < tag_size) return {NET_E_INVALID_ARGUMENT, 0};
    const std::size_t len = buffer.size() - tag_size;
    std::uint8_t* p = buffer.data();
    const net_status_t st = open_into(associated_data, p, p, len, p + len, counter);
    return {st, st == NET_OK ? len : 0};
}

net_status_t PacketCipher::seal_tag(std::span<const std::uint8_t> associated_data,
                                    std::span<std::uint8_t, tag_size> tag, std::uint64_t counter) noexcept
{
    return seal_into(associated_data, nullptr, nullptr, 0, tag.data(), counter);
}

net_status_t PacketCipher::verify_tag(std::span<const std::uint8_t> associated_data, std::span<const std::uint8_t> tag,
                                      std::uint64_t counter) noexcept
{
    if (tag.size() != tag_size) return NET_E_INVALID_ARGUMENT;
    return open_into(associated_data, nullptr, nullptr, 0, tag.data(), counter);
}

}  // namespace net::kernel::crypto
