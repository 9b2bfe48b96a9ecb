// net/kernel/crypto/packet_cipher.hpp — one direction of a session's packet encryption.
//
// A PacketCipher holds one 32-byte key and seals (or opens) packets with ChaCha20-Poly1305
// (RFC 8439) or AES-256-GCM (SP 800-38D). The 12-byte nonce is a 4-byte session-derived prefix
// followed by the 8-byte little-endian packet counter; it is built from a cached template, only
// the counter bytes are written per packet. The counter 2^64-1 is never used: sealing it fails.
//
// Per packet: no heap allocation, no exception, no lock. The Botan primitives (stream cipher, MAC /
// GHASH, block cipher) are created once in the constructor and reused. open verifies the tag
// BEFORE decrypting, so a packet that fails authentication is never turned into plaintext: its
// bytes are left exactly as they were.
//
// Status codes: NET_OK; NET_E_DENIED when authentication fails (bad tag, AD, counter or key);
// NET_E_INVALID_ARGUMENT for a buffer too small for the tag, or too large for the suite;
// NET_E_BAD_STATE when sealing with the reserved counter 2^64-1; NET_E_NO_MEMORY when the
// buffer-level open needs a new buffer and the pool has none; NET_E_INTERNAL if Botan throws.
//
// Thread rule: an instance is [single-thread] — one direction of one session is driven by one
// thread at a time (the primitives carry per-message state). Different instances are independent.
// The key is wiped when the instance is destroyed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "net/buffer.h"
#include "net/status.h"

namespace Botan {
class BlockCipher;
class GHASH;
class MessageAuthenticationCode;
class StreamCipher;
}  // namespace Botan

namespace net::kernel {
class BufferPool;
}

namespace net::kernel::crypto {

enum class CipherSuite : std::uint8_t {
    chacha20_poly1305 = 1,
    aes256_gcm = 2,
};

// Result of an open: the plaintext length when status == NET_OK.
struct OpenResult {
    net_status_t status = NET_OK;
    std::size_t plaintext_len = 0;

    bool ok() const noexcept { return status == NET_OK; }
};

class PacketCipher {
public:
    static constexpr std::size_t key_size = 32;
    static constexpr std::size_t nonce_prefix_size = 4;
    static constexpr std::size_t nonce_size = 12;
    static constexpr std::size_t tag_size = 16;
    static constexpr std::uint64_t max_counter = ~std::uint64_t{0};  // reserved, never sealed
    // Largest plaintext per packet (both suites' per-nonce limits are far above this).
    static constexpr std::size_t max_plaintext = std::size_t{1} << 30;

    // Throws std::runtime_error when Botan lacks the suite's primitives (never on a normal build).
    PacketCipher(CipherSuite suite, std::span<const std::uint8_t, key_size> key,
                 std::span<const std::uint8_t, nonce_prefix_size> nonce_prefix);
    ~PacketCipher();
    PacketCipher(const PacketCipher&) = delete;
    PacketCipher& operator=(const PacketCipher&) = delete;
    // A moved-from instance may only be destroyed or assigned to.
    PacketCipher(PacketCipher&&) noexcept;
    PacketCipher& operator=(PacketCipher&&) noexcept;

    CipherSuite suite() const noexcept { return suite_; }

    // Encrypts buffer[0, plaintext_len) in place and writes the tag at buffer[plaintext_len,
    // plaintext_len + 16). `buffer` must hold plaintext_len + tag_size bytes. The AD is only read.
    // On failure `buffer` is unchanged.
    net_status_t seal_in_place(std::span<const std::uint8_t> associated_data, std::span<std::uint8_t> buffer,
                               std::size_t plaintext_len, std::uint64_t counter) noexcept;

    // `buffer` is ciphertext || tag. On success decrypts it in place and returns the plaintext
    // length (buffer.size() - 16); on failure `buffer` is unchanged.
    OpenResult open_in_place(std::span<const std::uint8_t> associated_data, std::span<std::uint8_t> buffer,
                             std::uint64_t counter) noexcept;

    // Seals an empty payload: writes only the tag (heartbeats and other tag-only packets).
    net_status_t seal_tag(std::span<const std::uint8_t> associated_data, std::span<std::uint8_t, tag_size> tag,
                          std::uint64_t counter) noexcept;

    // Verify-only path for an empty payload: NET_OK when `tag` authenticates `associated_data`
    // under `counter`, NET_E_DENIED otherwise. Nothing is decrypted or written.
    net_status_t verify_tag(std::span<const std::uint8_t> associated_data, std::span<const std::uint8_t> tag,
                            std::uint64_t counter) noexcept;

    // Buffer-level open on a kernel pool buffer laid out as [AD (ad_len) | ciphertext | tag].
    // Ownership: `buf` carries one reference owned by the caller.
    //  - success, `buf` unique (BufferPool::is_unique): decrypted in place; `buf` is the same
    //    handle, its len shrunk to ad_len + plaintext_len.
    //  - success, `buf` shared: a NEW buffer from `pool` holding [AD | plaintext] replaces `buf`;
    //    the caller's reference on the input was released, the shared bytes are untouched, and
    //    the caller now owns one reference on the new buffer.
    //  - failure: `buf` is unchanged (same handle, same bytes) and still owned by the caller.
    // [single-thread] like the rest of the instance; `buf` may come from any thread.
    OpenResult open(net_buffer_t*& buf, std::size_t ad_len, std::uint64_t counter, BufferPool& pool) noexcept;

    // Buffer-level seal on [AD (ad_len) | plaintext]: on success `buf` holds [AD | ciphertext |
    // tag]. Sealed in place when `buf` is unique and has capacity for the tag; otherwise a NEW
    // buffer from `pool` replaces `buf` (the input reference released). On failure `buf` is
    // unchanged and still owned by the caller.
    net_status_t seal(net_buffer_t*& buf, std::size_t ad_len, std::uint64_t counter, BufferPool& pool) noexcept;

private:
    // `in` and `out` are equal or do not overlap.
    net_status_t seal_into(std::span<const std::uint8_t> ad, const std::uint8_t* in, std::uint8_t* out, std::size_t len,
                           std::uint8_t* tag, std::uint64_t counter) noexcept;
    net_status_t open_into(std::span<const std::uint8_t> ad, const std::uint8_t* in, std::uint8_t* out, std::size_t len,
                           const std::uint8_t* tag, std::uint64_t counter) noexcept;
    // Keys the MAC for this counter and absorbs AD + text; the stream is left at the payload.
    void start_message(std::uint64_t counter);
    void authenticate(std::span<const std::uint8_t> ad, const std::uint8_t* text, std::size_t len,
                      std::uint8_t* tag_out);

    CipherSuite suite_;
    // nonce (prefix || LE counter) followed by GCM's 32-bit block counter 1: ChaCha uses the first
    // 12 bytes, GCM the whole 16-byte J0.
    std::array<std::uint8_t, 16> iv_template_{};
    std::array<std::uint8_t, 16> gcm_tag_mask_{};  // E(K, J0) of the current message
    std::unique_ptr<Botan::StreamCipher> stream_;  // ChaCha(20) or CTR-BE(AES-256,4)
    std::unique_ptr<Botan::MessageAuthenticationCode> poly1305_;
    std::unique_ptr<Botan::BlockCipher> aes_;  // GCM only: H and the tag mask
    std::unique_ptr<Botan::GHASH> ghash_;
};

}  // namespace net::kernel::crypto
