// The config of a "stream" instance (docs/reliability.md, "Configuration").
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "common_config.hpp"

namespace net::reliability {

struct StreamSettings {
    CommonSettings common;
    std::uint64_t credit_window_bytes = 262144;
    std::uint64_t rto_initial_ms = 50;
    std::uint64_t rto_min_ms = 10;
    std::uint64_t rto_max_ms = 2000;
    std::uint32_t max_retries = 8;
    std::uint32_t initial_cwnd = 16;
    std::uint32_t max_cwnd = 1024;
    std::uint32_t ack_every_packets = 8;
    // A loss shrinks the window only while the recent loss rate is above this (per mille).
    std::uint32_t loss_tolerance_permille = 20;
};

// Throws net::sdk::Error(NET_E_CONFIG) for a value out of range or rto_min_ms > rto_max_ms.
StreamSettings read_stream_settings(const nlohmann::json& config);

}  // namespace net::reliability

namespace net::reliability {

// How often the instance tick runs: half the minimum RTO, within [1, 50] ms.
inline std::uint64_t tick_period_ms(const StreamSettings& s) noexcept
{
    const std::uint64_t half = s.rto_min_ms / 2;
    return half < 1 ? 1 : (half > 50 ? 50 : half);
}

}  // namespace net::reliability
