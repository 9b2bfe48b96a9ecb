#include "redis_errors.hpp"

#include <hiredis/hiredis.h>

#include <cerrno>

namespace net::bus_redis {

Failure classify_error_reply(std::string_view reply)
{
    const std::string_view code = reply.substr(0, reply.find(' '));
    std::string message = "redis replied: " + std::string(reply);
    // The server is (re)starting, failing over, busy or full: the batch itself is fine.
    static constexpr std::string_view kTransient[] = {"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY",
                                                      "CLUSTERDOWN", "NOREPLICAS", "OOM"};
    for (std::string_view t : kTransient) {
        if (code == t) return {NET_E_UNAVAILABLE, false, std::move(message)};
    }
    if (reply.starts_with("ERR max number of clients reached")) return {NET_E_UNAVAILABLE, true, std::move(message)};
    // The key holds another type: the key prefix collides with other data.
    if (code == "WRONGTYPE") return {NET_E_CONFIG, false, std::move(message)};
    if (code == "NOAUTH" || code == "WRONGPASS" || code == "NOPERM") return {NET_E_DENIED, false, std::move(message)};
    // MOVED/ASK: a cluster node that does not own the key; this adapter talks to one server.
    if (code == "MOVED" || code == "ASK") return {NET_E_CONFIG, false, std::move(message)};
    if (code == "EXECABORT") return {NET_E_INTERNAL, false, std::move(message)};
    // ERR (syntax, unknown command, invalid argument) and anything unknown: retrying cannot help.
    return {NET_E_INTERNAL, false, std::move(message)};
}

Failure classify_connection_error(int redis_err, int saved_errno, std::string_view errstr)
{
    std::string message = "redis connection: " + std::string(errstr);
    switch (redis_err) {
    case REDIS_ERR_IO:
        if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT || saved_errno == EINPROGRESS) {
            return {NET_E_TIMEOUT, true, message + " (timed out)"};
        }
        return {NET_E_UNAVAILABLE, true, std::move(message)};
    case REDIS_ERR_EOF: return {NET_E_UNAVAILABLE, true, std::move(message)};
    case REDIS_ERR_PROTOCOL: return {NET_E_IO, true, std::move(message)};
    case REDIS_ERR_OOM: return {NET_E_NO_MEMORY, true, std::move(message)};
    default: return {NET_E_UNAVAILABLE, true, std::move(message)};
    }
}

}  // namespace net::bus_redis
