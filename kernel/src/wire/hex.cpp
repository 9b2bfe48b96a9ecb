// Hex codec: one 512-byte table maps a byte to its two digits, one 256-byte table maps a
// character to its nibble (or 0xFF).
#include "net/kernel/wire/hex.hpp"

#include <array>

namespace net::kernel::wire {

namespace {

constexpr std::array<char, 512> make_encode_table()
{
    constexpr char digits[] = "0123456789abcdef";
    std::array<char, 512> t{};
    for (std::size_t b = 0; b < 256; ++b) {
        t[2 * b] = digits[b >> 4];
        t[2 * b + 1] = digits[b & 0xF];
    }
    return t;
}

constexpr std::array<std::uint8_t, 256> make_decode_table()
{
    std::array<std::uint8_t, 256> t{};
    for (auto& v : t) v = 0xFF;
    for (std::size_t c = 0; c < 10; ++c) t['0' + c] = static_cast<std::uint8_t>(c);
    for (std::size_t c = 0; c < 6; ++c) {
        t['a' + c] = static_cast<std::uint8_t>(10 + c);
        t['A' + c] = static_cast<std::uint8_t>(10 + c);
    }
    return t;
}

constexpr std::array<char, 512> kEncode = make_encode_table();
constexpr std::array<std::uint8_t, 256> kDecode = make_decode_table();

Fault fault_at(WireError e, std::size_t offset) noexcept
{
    return Fault{e, static_cast<std::uint32_t>(offset)};
}

}  // namespace

Result<std::size_t> hex_encode(std::span<const std::uint8_t> in, std::span<char> out) noexcept
{
    if (out.size() / 2 < in.size()) return fault_at(WireError::buffer_too_small, out.size());
    char* o = out.data();
    for (const std::uint8_t b : in) {
        *o++ = kEncode[2 * std::size_t{b}];
        *o++ = kEncode[2 * std::size_t{b} + 1];
    }
    return hex_encoded_size(in.size());
}

Result<std::size_t> hex_decode(std::string_view in, std::span<std::uint8_t> out) noexcept
{
    if (in.size() % 2 != 0) return fault_at(WireError::odd_length, in.size());
    const std::size_t n = hex_decoded_size(in.size());
    if (out.size() < n) return fault_at(WireError::buffer_too_small, out.size());
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t hi = kDecode[static_cast<unsigned char>(in[2 * i])];
        const std::uint8_t lo = kDecode[static_cast<unsigned char>(in[2 * i + 1])];
        if ((hi | lo) > 0xF) return fault_at(WireError::not_hex, hi > 0xF ? 2 * i : 2 * i + 1);
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return n;
}

std::string hex_string(std::span<const std::uint8_t> in)
{
    std::string out(hex_encoded_size(in.size()), '\0');
    (void)hex_encode(in, out);  // cannot fail: `out` is exactly the encoded size
    return out;
}

}  // namespace net::kernel::wire
