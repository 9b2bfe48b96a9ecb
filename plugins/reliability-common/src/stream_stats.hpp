// Copies stream counters into a caller's net_stream_stats_t, honouring its struct_size (a caller
// compiled against an older, shorter struct gets only the fields it knows).
#pragma once

#include <algorithm>
#include <cstring>

#include "net/iface/reliability.h"

namespace net::reliability {

inline void copy_stats(const net_stream_stats_t& from, net_stream_stats_t& out) noexcept
{
    const std::uint32_t size = out.struct_size;
    const std::size_t n = std::min<std::size_t>(size, sizeof(net_stream_stats_t));
    if (n > sizeof(std::uint32_t)) {
        std::memcpy(reinterpret_cast<unsigned char*>(&out) + sizeof(std::uint32_t),
                    reinterpret_cast<const unsigned char*>(&from) + sizeof(std::uint32_t), n - sizeof(std::uint32_t));
    }
    out.struct_size = size;
}

}  // namespace net::reliability
