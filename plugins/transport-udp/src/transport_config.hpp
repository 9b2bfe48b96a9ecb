// The instance config: its JSON Schema (published to the host) and the parsed form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/iface/transport.h"

namespace net::udp {

struct FaultConfig {
    std::uint64_t seed = 0;
    double loss = 0;
    double duplicate = 0;
    double reorder = 0;
    std::uint64_t delay_ms = 0;
    std::uint64_t delay_jitter_ms = 0;

    bool enabled() const noexcept { return loss > 0 || duplicate > 0 || reorder > 0 || delay_ms > 0 || delay_jitter_ms > 0; }
    // Delayed or reordered datagrams are kept past the send call and need the scheduler thread.
    bool keeps_datagrams() const noexcept { return reorder > 0 || delay_ms > 0 || delay_jitter_ms > 0; }
};

struct TransportConfig {
    std::string bind_text = "0.0.0.0:0";
    net_endpoint_t bind{};
    std::uint64_t socket_buffer_bytes = 64ull << 20;
    bool gso = true;
    bool gro = true;
    std::uint32_t batch = 64;
    std::uint32_t busy_poll_us = 50;
    FaultConfig fault;
};

inline constexpr std::uint32_t kMaxBatch = 1024;
inline constexpr std::uint32_t kMaxDatagram = 8192;
inline constexpr std::uint32_t kMaxBusyPollUs = 10000;

// Parses config JSON text. The host has validated it against kConfigSchema (config_schema.hpp), but create may be
// called without the schema in front of it (conformance does), so types and ranges are checked
// again here. Throws net::sdk::Error(NET_E_CONFIG) with a message that names the field.
TransportConfig parse_config(std::string_view json_text);

}  // namespace net::udp
