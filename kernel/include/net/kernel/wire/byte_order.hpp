// net/kernel/wire/byte_order.hpp — unaligned little-endian loads and stores for the wire codecs.
// memcpy of a fixed size compiles to one mov on x86-64/AArch64; the byte swap vanishes on
// little-endian hosts.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace net::kernel::wire {

template <class T>
constexpr T byte_swap(T v) noexcept
{
    static_assert(std::is_unsigned_v<T>);
    if constexpr (sizeof(T) == 1) {
        return v;
    } else if constexpr (sizeof(T) == 2) {
        return __builtin_bswap16(v);
    } else if constexpr (sizeof(T) == 4) {
        return __builtin_bswap32(v);
    } else {
        static_assert(sizeof(T) == 8);
        return __builtin_bswap64(v);
    }
}

template <class T>
inline T load_le(const std::uint8_t* p) noexcept
{
    T v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
    return v;
}

template <class T>
inline void store_le(std::uint8_t* p, T v) noexcept
{
    if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
    std::memcpy(p, &v, sizeof v);
}

// 48-bit little-endian values (routing header node addresses).
inline std::uint64_t load_le48(const std::uint8_t* p) noexcept
{
    return static_cast<std::uint64_t>(load_le<std::uint32_t>(p)) |
           (static_cast<std::uint64_t>(load_le<std::uint16_t>(p + 4)) << 32);
}

inline void store_le48(std::uint8_t* p, std::uint64_t v) noexcept
{
    store_le<std::uint32_t>(p, static_cast<std::uint32_t>(v));
    store_le<std::uint16_t>(p + 4, static_cast<std::uint16_t>(v >> 32));
}

}  // namespace net::kernel::wire
