#include "common_config.hpp"

#include <string>

#include "net/sdk/status.hpp"

namespace net::reliability {

nlohmann::json parse_config_object(std::string_view text)
{
    nlohmann::json config = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded()) throw net::sdk::Error(NET_E_CONFIG, "config is not valid JSON");
    if (!config.is_object()) throw net::sdk::Error(NET_E_CONFIG, "config must be a JSON object");
    return config;
}

std::uint64_t config_uint(const nlohmann::json& config, const char* key, std::uint64_t fallback, std::uint64_t min,
                          std::uint64_t max)
{
    const auto it = config.find(key);
    if (it == config.end()) return fallback;
    if (!it->is_number_integer()) throw net::sdk::Error(NET_E_CONFIG, std::string("config.") + key + " must be an integer");
    if (it->is_number_unsigned() || it->get<std::int64_t>() >= 0) {
        const std::uint64_t v = it->get<std::uint64_t>();
        if (v >= min && v <= max) return v;
    }
    throw net::sdk::Error(NET_E_CONFIG, std::string("config.") + key + " must be between " + std::to_string(min) +
                                            " and " + std::to_string(max));
}

CommonSettings read_common_settings(const nlohmann::json& config)
{
    CommonSettings s;
    s.idle_timeout_ms = config_uint(config, "idle_timeout_ms", s.idle_timeout_ms, 1, 86'400'000);
    s.max_streams = config_uint(config, "max_streams", s.max_streams, 1, 1'048'576);
    return s;
}

}  // namespace net::reliability
