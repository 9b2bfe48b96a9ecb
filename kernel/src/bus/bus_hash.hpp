// bus/bus_hash.hpp — the bus's XXH3 calls, inlined (xxhash.h with XXH_INLINE_ALL): the dedup id
// and the key hash run once per published event.
#pragma once

#include <cstdint>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace net::kernel::bus::detail {

inline void store_le64(unsigned char* out, std::uint64_t v) noexcept
{
    for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}

// XXH3-64 of producer_id (8 bytes LE) then sequence (8 bytes LE).
inline std::uint64_t dedup_hash(std::uint64_t producer_id, std::uint64_t sequence) noexcept
{
    unsigned char bytes[16];
    store_le64(bytes, producer_id);
    store_le64(bytes + 8, sequence);
    return XXH3_64bits(bytes, sizeof bytes);
}

// XXH3-64 of the key's 8 little-endian bytes.
inline std::uint64_t key_hash(std::uint64_t key) noexcept
{
    unsigned char bytes[8];
    store_le64(bytes, key);
    return XXH3_64bits(bytes, sizeof bytes);
}

}  // namespace net::kernel::bus::detail
