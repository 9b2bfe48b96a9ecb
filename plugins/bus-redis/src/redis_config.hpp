// The plugin's JSON config (validated against kConfigSchema by the host before create) turned into
// RedisConfig; parse_redis_config repeats the checks the schema cannot express (socket vs
// host/port, backoff min <= max) and names the field in its error.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace net::bus_redis {

inline constexpr const char* kConfigSchema = R"json({
    "type": "object",
    "additionalProperties": false,
    "properties": {
        "host":                   {"type": "string", "minLength": 1, "maxLength": 255,
                                   "description": "Redis host name or address (default 127.0.0.1)"},
        "port":                   {"type": "integer", "minimum": 1, "maximum": 65535,
                                   "description": "Redis TCP port (default 6379)"},
        "socket":                 {"type": "string", "minLength": 1, "maxLength": 107,
                                   "description": "Unix socket path; replaces host and port"},
        "username":               {"type": "string", "minLength": 1, "description": "ACL user for AUTH (needs password)"},
        "password":               {"type": "string", "minLength": 1, "description": "AUTH password"},
        "database":               {"type": "integer", "minimum": 0, "maximum": 1000000,
                                   "description": "SELECT this database after connecting (default 0)"},
        "key_prefix":             {"type": "string", "minLength": 1, "maxLength": 200,
                                   "description": "streams are <key_prefix>:<shard>, the meta hash <key_prefix>:meta (default net:bus)"},
        "pool_size":              {"type": "integer", "minimum": 1, "maximum": 16,
                                   "description": "connections; a write or read holds one for its round trip (default 2)"},
        "connect_timeout_ms":     {"type": "integer", "minimum": 1, "maximum": 60000,
                                   "description": "TCP/unix connect timeout (default 1000)"},
        "command_timeout_ms":     {"type": "integer", "minimum": 1, "maximum": 600000,
                                   "description": "socket send/receive timeout of one round trip (default 5000)"},
        "max_stream_length":      {"type": "integer", "minimum": 1,
                                   "description": "XADD MAXLEN ~ n: Redis trims each stream to about n entries (default: unbounded)"},
        "reconnect_backoff_min_ms": {"type": "integer", "minimum": 1, "maximum": 600000,
                                   "description": "wait after the first failed connect before the next attempt (default 50)"},
        "reconnect_backoff_max_ms": {"type": "integer", "minimum": 1, "maximum": 600000,
                                   "description": "the wait doubles per failed connect up to this (default 2000)"}
    }
})json";

struct RedisConfig {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::optional<std::string> socket;  // set: connect to this unix socket instead of host:port
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<std::int64_t> database;
    std::string key_prefix = "net:bus";
    std::size_t pool_size = 2;
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds command_timeout{5000};
    std::optional<std::uint64_t> max_stream_length;
    std::chrono::milliseconds backoff_min{50};
    std::chrono::milliseconds backoff_max{2000};

    // "127.0.0.1:6379" or "unix:/run/redis.sock", for log lines.
    std::string endpoint() const;
};

// Parses the instance config ("" = {}). Throws std::invalid_argument naming the offending field.
RedisConfig parse_redis_config(std::string_view json);

}  // namespace net::bus_redis
