// Reading a reliability plugin's config. The host validates it against the plugin's schema
// first; these checks repeat the limits so that create() refuses a bad config on its own too
// (the conformance check `bad-config` calls create without the schema in front of it).
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

namespace net::reliability {

// Parses `text` as a JSON object; throws net::sdk::Error(NET_E_CONFIG) otherwise.
nlohmann::json parse_config_object(std::string_view text);

// config[key] as an integer in [min, max], or `fallback` when absent; throws
// net::sdk::Error(NET_E_CONFIG) naming the key when it has another type or is out of range.
std::uint64_t config_uint(const nlohmann::json& config, const char* key, std::uint64_t fallback, std::uint64_t min,
                          std::uint64_t max);

// Settings both modes share.
struct CommonSettings {
    std::uint64_t idle_timeout_ms = 60000;
    std::uint64_t max_streams = 1024;
};

CommonSettings read_common_settings(const nlohmann::json& config);

}  // namespace net::reliability
