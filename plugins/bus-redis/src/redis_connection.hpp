// One blocking hiredis connection: connect (AUTH, SELECT, PING), pipelined commands, replies.
// Not thread-safe; the pool hands it to one caller at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "redis_config.hpp"
#include "redis_errors.hpp"

namespace net::bus_redis {

struct ReplyFree {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

class Connection {
public:
    // Connects and checks the server answers (AUTH and SELECT when configured, then PING).
    // nullptr with *failure set when it cannot.
    static std::unique_ptr<Connection> open(const RedisConfig& config, Failure* failure);

    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Queues a command in the output buffer (nothing is sent yet). Arguments are binary-safe.
    void append(int argc, const char* const* argv, const std::size_t* lengths);

    // Sends what is queued and reads `count` replies into `out` (cleared first). False on a
    // connection error, with *failure set (the caller drops the connection).
    bool read_replies(std::size_t count, std::vector<Reply>& out, Failure* failure);

private:
    explicit Connection(redisContext* context) noexcept : context_(context) {}
    redisContext* context_;
};

// The text of a status, string or error reply; "" for others.
std::string reply_text(const redisReply* r);

}  // namespace net::bus_redis
