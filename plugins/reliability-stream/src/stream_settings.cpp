#include "stream_settings.hpp"

#include "net/sdk/status.hpp"

namespace net::reliability {

StreamSettings read_stream_settings(const nlohmann::json& config)
{
    StreamSettings s;
    s.common = read_common_settings(config);
    s.credit_window_bytes = config_uint(config, "credit_window_bytes", s.credit_window_bytes, 8192, 1u << 30);
    s.rto_initial_ms = config_uint(config, "rto_initial_ms", s.rto_initial_ms, 1, 60000);
    s.rto_min_ms = config_uint(config, "rto_min_ms", s.rto_min_ms, 1, 60000);
    s.rto_max_ms = config_uint(config, "rto_max_ms", s.rto_max_ms, 1, 600000);
    s.max_retries = static_cast<std::uint32_t>(config_uint(config, "max_retries", s.max_retries, 0, 64));
    s.initial_cwnd = static_cast<std::uint32_t>(config_uint(config, "initial_cwnd", s.initial_cwnd, 2, 65536));
    s.max_cwnd = static_cast<std::uint32_t>(config_uint(config, "max_cwnd", s.max_cwnd, 2, 65536));
    s.ack_every_packets = static_cast<std::uint32_t>(config_uint(config, "ack_every_packets", s.ack_every_packets, 1, 4096));
    s.loss_tolerance_permille =
        static_cast<std::uint32_t>(config_uint(config, "loss_tolerance_permille", s.loss_tolerance_permille, 0, 1000));
    if (s.rto_min_ms > s.rto_max_ms) throw net::sdk::Error(NET_E_CONFIG, "config.rto_min_ms must not exceed config.rto_max_ms");
    if (s.initial_cwnd > s.max_cwnd) throw net::sdk::Error(NET_E_CONFIG, "config.initial_cwnd must not exceed config.max_cwnd");
    return s;
}

}  // namespace net::reliability
