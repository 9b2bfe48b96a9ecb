// One clock for every timestamp the reliability plugins keep: steady, in nanoseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace net::reliability {

inline std::uint64_t now_ns() noexcept
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

constexpr std::uint64_t kNsPerMs = 1'000'000;
constexpr std::uint64_t kNsPerUs = 1'000;

}  // namespace net::reliability
