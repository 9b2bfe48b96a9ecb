// Helpers shared by the RedEX engine tests.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "log.hpp"

namespace net::redex::test {

inline std::vector<std::uint8_t> payload_for(std::uint64_t sequence, std::size_t size = 0)
{
    const std::size_t n = size != 0 ? size : 1 + (sequence * 7919) % 300;
    std::vector<std::uint8_t> bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(sequence * 31 + i * 17);
    return bytes;
}

inline std::unique_ptr<Log> make_log(LogOptions options)
{
    return std::make_unique<Log>(std::move(options), std::make_shared<HeapBlockAllocator>());
}

inline std::vector<std::uint8_t> bytes_of(const Entry& e) { return {e.bytes().begin(), e.bytes().end()}; }

}  // namespace net::redex::test
