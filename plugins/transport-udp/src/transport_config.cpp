#include "transport_config.hpp"

#include <nlohmann/json.hpp>

#include "endpoint.hpp"
#include "net/sdk/status.hpp"

namespace net::udp {


namespace {

[[noreturn]] void refuse(const std::string& field, const std::string& why)
{
    throw sdk::Error(NET_E_CONFIG, field + ": " + why);
}

std::uint64_t unsigned_field(const nlohmann::json& object, const char* key, const std::string& field,
                             std::uint64_t fallback, std::uint64_t min, std::uint64_t max)
{
    const auto it = object.find(key);
    if (it == object.end()) return fallback;
    std::uint64_t value = 0;
    if (it->is_number_unsigned()) {
        value = it->get<std::uint64_t>();
    } else if (const double d = it->is_number_float() ? it->get<double>() : -1; d >= 0 && d < 0x1p64 && d == static_cast<double>(static_cast<std::uint64_t>(d))) {
        value = static_cast<std::uint64_t>(d);  // 1.0 counts as an integer, as in the host's schema validator
    } else {
        refuse(field, "expected a non-negative integer, got " + it->dump());
    }
    if (value < min || value > max) {
        refuse(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + it->dump());
    }
    return value;
}

double probability_field(const nlohmann::json& object, const char* key, const std::string& field)
{
    const auto it = object.find(key);
    if (it == object.end()) return 0;
    if (!it->is_number()) refuse(field, "expected a number between 0 and 1, got " + it->dump());
    const double value = it->get<double>();
    if (!(value >= 0 && value <= 1)) refuse(field, "expected a number between 0 and 1, got " + it->dump());
    return value;
}

bool bool_field(const nlohmann::json& object, const char* key, bool fallback)
{
    const auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_boolean()) refuse(key, "expected a boolean, got " + it->dump());
    return it->get<bool>();
}

void refuse_unknown_keys(const nlohmann::json& object, std::initializer_list<std::string_view> known, const std::string& prefix)
{
    for (const auto& item : object.items()) {
        bool found = false;
        for (auto k : known) found = found || item.key() == k;
        if (!found) refuse(prefix + item.key(), "unknown setting");
    }
}

}  // namespace

TransportConfig parse_config(std::string_view json_text)
{
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::parse_error& e) {
        throw sdk::Error(NET_E_CONFIG, std::string("config is not valid JSON: ") + e.what());
    }
    if (!root.is_object()) throw sdk::Error(NET_E_CONFIG, "config must be a JSON object, got " + root.dump());
    refuse_unknown_keys(root, {"bind", "socket_buffer_bytes", "gso", "gro", "batch", "busy_poll_us", "fault"}, "");

    TransportConfig config;
    if (const auto it = root.find("bind"); it != root.end()) {
        if (!it->is_string()) refuse("bind", "expected a string \"host:port\", got " + it->dump());
        config.bind_text = it->get<std::string>();
    }
    config.bind = parse_endpoint(config.bind_text, "bind");
    config.socket_buffer_bytes =
        unsigned_field(root, "socket_buffer_bytes", "socket_buffer_bytes", config.socket_buffer_bytes, 4096, 1ull << 30);
    config.gso = bool_field(root, "gso", config.gso);
    config.gro = bool_field(root, "gro", config.gro);
    config.batch = static_cast<std::uint32_t>(unsigned_field(root, "batch", "batch", config.batch, 1, kMaxBatch));
    config.busy_poll_us = static_cast<std::uint32_t>(
        unsigned_field(root, "busy_poll_us", "busy_poll_us", config.busy_poll_us, 0, kMaxBusyPollUs));

    if (const auto it = root.find("fault"); it != root.end()) {
        if (!it->is_object()) refuse("fault", "expected an object, got " + it->dump());
        const nlohmann::json& f = *it;
        refuse_unknown_keys(f, {"seed", "loss", "duplicate", "reorder", "delay_ms", "delay_jitter_ms"}, "fault.");
        config.fault.seed = unsigned_field(f, "seed", "fault.seed", 0, 0, UINT64_MAX);
        config.fault.loss = probability_field(f, "loss", "fault.loss");
        config.fault.duplicate = probability_field(f, "duplicate", "fault.duplicate");
        config.fault.reorder = probability_field(f, "reorder", "fault.reorder");
        config.fault.delay_ms = unsigned_field(f, "delay_ms", "fault.delay_ms", 0, 0, 60000);
        config.fault.delay_jitter_ms = unsigned_field(f, "delay_jitter_ms", "fault.delay_jitter_ms", 0, 0, 60000);
    }
    return config;
}

}  // namespace net::udp
