#include "redis_config.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace net::bus_redis {
namespace {

template <class T>
T field(const nlohmann::json& config, const char* name, T fallback)
{
    if (!config.contains(name)) return fallback;
    try {
        return config.at(name).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument(std::string("config field \"") + name + "\": wrong type (" +
                                    config.at(name).dump() + ")");
    }
}

void require_range(const char* name, std::int64_t value, std::int64_t min, std::int64_t max)
{
    if (value < min || value > max) {
        throw std::invalid_argument(std::string("config field \"") + name + "\": " + std::to_string(value) +
                                    " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
}

RedisConfig read_config(const nlohmann::json& config)
{
    if (!config.is_object()) throw std::invalid_argument("config must be a JSON object");
    static constexpr const char* kKnown[] = {"host", "port", "socket", "username", "password", "database", "key_prefix",
                                             "pool_size", "connect_timeout_ms", "command_timeout_ms",
                                             "max_stream_length", "reconnect_backoff_min_ms", "reconnect_backoff_max_ms"};
    for (const auto& item : config.items()) {
        bool known = false;
        for (const char* k : kKnown) known = known || item.key() == k;
        if (!known) throw std::invalid_argument("config field \"" + item.key() + "\": unknown field");
    }
    RedisConfig c;
    c.host = field(config, "host", c.host);
    const std::int64_t port = field<std::int64_t>(config, "port", c.port);
    require_range("port", port, 1, 65535);
    c.port = static_cast<int>(port);
    if (config.contains("socket")) {
        if (config.contains("host") || config.contains("port")) {
            throw std::invalid_argument("config field \"socket\": give either socket or host/port, not both");
        }
        c.socket = field<std::string>(config, "socket", "");
        if (c.socket->empty()) throw std::invalid_argument("config field \"socket\": empty path");
    }
    if (config.contains("username")) c.username = field<std::string>(config, "username", "");
    if (config.contains("password")) c.password = field<std::string>(config, "password", "");
    if (c.username && !c.password) throw std::invalid_argument("config field \"username\": needs \"password\" too");
    if (config.contains("database")) {
        c.database = field<std::int64_t>(config, "database", 0);
        require_range("database", *c.database, 0, 1000000);
    }
    c.key_prefix = field(config, "key_prefix", c.key_prefix);
    if (c.key_prefix.empty()) throw std::invalid_argument("config field \"key_prefix\": empty");
    const std::int64_t pool = field<std::int64_t>(config, "pool_size", static_cast<std::int64_t>(c.pool_size));
    require_range("pool_size", pool, 1, 16);
    c.pool_size = static_cast<std::size_t>(pool);
    auto millis = [&](const char* name, std::chrono::milliseconds fallback, std::int64_t max) {
        const std::int64_t v = field<std::int64_t>(config, name, fallback.count());
        require_range(name, v, 1, max);
        return std::chrono::milliseconds(v);
    };
    c.connect_timeout = millis("connect_timeout_ms", c.connect_timeout, 60000);
    c.command_timeout = millis("command_timeout_ms", c.command_timeout, 600000);
    c.backoff_min = millis("reconnect_backoff_min_ms", c.backoff_min, 600000);
    c.backoff_max = millis("reconnect_backoff_max_ms", c.backoff_max, 600000);
    if (c.backoff_min > c.backoff_max) {
        throw std::invalid_argument("config field \"reconnect_backoff_min_ms\": larger than reconnect_backoff_max_ms");
    }
    if (config.contains("max_stream_length")) {
        const std::int64_t n = field<std::int64_t>(config, "max_stream_length", 1);
        require_range("max_stream_length", n, 1, INT64_MAX);
        c.max_stream_length = static_cast<std::uint64_t>(n);
    }
    return c;
}

}  // namespace

std::string RedisConfig::endpoint() const
{
    return socket ? "unix:" + *socket : host + ":" + std::to_string(port);
}

RedisConfig parse_redis_config(std::string_view json)
{
    try {
        return read_config(json.empty() ? nlohmann::json::object() : nlohmann::json::parse(json));
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("config: ") + e.what());
    }
}

}  // namespace net::bus_redis
