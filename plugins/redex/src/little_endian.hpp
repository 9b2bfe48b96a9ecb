// Fixed-width little-endian loads and stores for the file format.
#pragma once

#include <cstddef>
#include <cstdint>

namespace net::redex {

template <class T>
void store_le(std::uint8_t* out, T value)
{
    for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i));
}

template <class T>
T load_le(const std::uint8_t* in)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    return static_cast<T>(v);
}

}  // namespace net::redex
