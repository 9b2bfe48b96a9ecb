// Which Redis failures are transient (the engine retries the same batch) and which are permanent
// (docs/bus-redis.md, "Error classification"). One table for server error replies, one rule for
// connection errors.
#pragma once

#include <string>
#include <string_view>

#include "net/status.h"

namespace net::bus_redis {

struct Failure {
    net_status_t status = NET_OK;
    bool drop_connection = false;  // the connection's state is unknown: close it, reconnect on next use
    std::string message;

    bool transient() const noexcept
    {
        return status == NET_E_UNAVAILABLE || status == NET_E_TIMEOUT || status == NET_E_IO;
    }
};

// A server error reply ("-LOADING Redis is loading...", "-WRONGTYPE Operation against...").
// The connection stays usable.
Failure classify_error_reply(std::string_view reply);

// A hiredis context error: `redis_err` is redisContext::err (REDIS_ERR_IO, _EOF, _PROTOCOL, _OOM,
// _OTHER), `saved_errno` the errno right after the failing call, `errstr` redisContext::errstr.
// Always drops the connection.
Failure classify_connection_error(int redis_err, int saved_errno, std::string_view errstr);

}  // namespace net::bus_redis
