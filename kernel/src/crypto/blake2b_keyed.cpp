// BLAKE2b per RFC 7693 section 3: 12 rounds of G over a 128-byte block; the key, when present,
// is padded to one full block and hashed first.
#include "net/kernel/crypto/blake2b_keyed.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>

namespace net::kernel::crypto {

namespace {

constexpr std::array<std::uint64_t, 8> kIv = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                                              0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                                              0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

constexpr std::uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

std::uint64_t load64(const std::uint8_t* p) noexcept
{
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

void mix(std::uint64_t* v, int a, int b, int c, int d, std::uint64_t x, std::uint64_t y) noexcept
{
    v[a] = v[a] + v[b] + x;
    v[d] = std::rotr(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = std::rotr(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = std::rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = std::rotr(v[b] ^ v[c], 63);
}

}  // namespace

Blake2bKeyed::Blake2bKeyed(std::size_t output_len, std::span<const std::uint8_t> key) : output_len_(output_len)
{
    if (output_len == 0 || output_len > max_output) throw std::invalid_argument("BLAKE2b output length must be 1..64");
    if (key.size() > max_key) throw std::invalid_argument("BLAKE2b key length must be 0..64");
    h_ = kIv;
    h_[0] ^= 0x01010000ULL ^ (static_cast<std::uint64_t>(key.size()) << 8) ^ output_len;
    if (!key.empty()) {
        std::memcpy(block_.data(), key.data(), key.size());
        block_len_ = block_.size();  // the padded key is one full block
    }
}

Blake2bKeyed::~Blake2bKeyed()
{
    volatile std::uint8_t* p = block_.data();
    for (std::size_t i = 0; i < block_.size(); ++i) p[i] = 0;
}

void Blake2bKeyed::compress(bool last) noexcept
{
    std::uint64_t m[16];
    for (int i = 0; i < 16; ++i) m[i] = load64(block_.data() + 8 * i);
    std::uint64_t v[16];
    for (int i = 0; i < 8; ++i) {
        v[i] = h_[static_cast<std::size_t>(i)];
        v[i + 8] = kIv[static_cast<std::size_t>(i)];
    }
    v[12] ^= counter_low_;
    v[13] ^= counter_high_;
    if (last) v[14] = ~v[14];
    for (const auto& s : kSigma) {
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) h_[static_cast<std::size_t>(i)] ^= v[i] ^ v[i + 8];
}

void Blake2bKeyed::update(std::span<const std::uint8_t> data) noexcept
{
    std::size_t offset = 0;
    while (offset < data.size()) {
        // A full block is compressed only once more input follows: the last block is special.
        if (block_len_ == block_.size()) {
            counter_low_ += block_.size();
            if (counter_low_ < block_.size()) ++counter_high_;
            compress(false);
            block_len_ = 0;
        }
        const std::size_t take = std::min(block_.size() - block_len_, data.size() - offset);
        std::memcpy(block_.data() + block_len_, data.data() + offset, take);
        block_len_ += take;
        offset += take;
    }
}

void Blake2bKeyed::finish(std::span<std::uint8_t> out) noexcept
{
    counter_low_ += block_len_;
    if (counter_low_ < block_len_) ++counter_high_;
    std::memset(block_.data() + block_len_, 0, block_.size() - block_len_);
    compress(true);
    const std::size_t n = std::min(out.size(), output_len_);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(h_[i / 8] >> (8 * (i % 8)));
}

}  // namespace net::kernel::crypto
