// net/kernel/crypto/blake2b_keyed.hpp — BLAKE2b with a key (RFC 7693 keyed mode) and any output
// length from 1 to 64 bytes. Botan 2.19 offers BLAKE2b without a key, which is what Noise uses;
// identity derivation needs the keyed mode, so this small implementation provides it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace net::kernel::crypto {

class Blake2bKeyed {
public:
    static constexpr std::size_t max_output = 64;
    static constexpr std::size_t max_key = 64;

    // Starts a hash of `output_len` bytes (1..64) keyed with `key` (0..64 bytes; empty = unkeyed).
    // Throws std::invalid_argument for lengths out of range.
    Blake2bKeyed(std::size_t output_len, std::span<const std::uint8_t> key);
    ~Blake2bKeyed();

    void update(std::span<const std::uint8_t> data) noexcept;
    // Writes the digest to `out` (exactly output_len bytes). The object may not be updated after.
    void finish(std::span<std::uint8_t> out) noexcept;

private:
    void compress(bool last) noexcept;

    std::array<std::uint64_t, 8> h_{};
    std::array<std::uint8_t, 128> block_{};
    std::size_t block_len_ = 0;
    std::uint64_t counter_low_ = 0;
    std::uint64_t counter_high_ = 0;
    std::size_t output_len_;
};

}  // namespace net::kernel::crypto
