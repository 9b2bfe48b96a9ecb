// net/kernel/wire/hex.hpp — hex text to and from bytes through lookup tables, into caller spans.
// Encodes lowercase; decodes either case. [any-thread], noexcept, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/kernel/wire/result.hpp"

namespace net::kernel::wire {

constexpr std::size_t hex_encoded_size(std::size_t bytes) noexcept
{
    return 2 * bytes;
}
constexpr std::size_t hex_decoded_size(std::size_t chars) noexcept
{
    return chars / 2;
}

// Writes 2 * in.size() characters to the start of `out`; returns that count.
// buffer_too_small (offset = out.size()) when `out` is shorter; nothing is written then.
Result<std::size_t> hex_encode(std::span<const std::uint8_t> in, std::span<char> out) noexcept;

// Writes in.size() / 2 bytes to the start of `out`; returns that count. Errors: odd_length
// (offset = in.size()), buffer_too_small (offset = out.size()), not_hex (offset = index of the
// first bad character; `out` may be partly written).
Result<std::size_t> hex_decode(std::string_view in, std::span<std::uint8_t> out) noexcept;

// Lowercase hex of `in` as a string. Allocates: for logs, command output and files, not hot paths.
std::string hex_string(std::span<const std::uint8_t> in);

}  // namespace net::kernel::wire
