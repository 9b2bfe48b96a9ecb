#include "redis_connection.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <cerrno>
#include <new>

namespace net::bus_redis {
namespace {

// hiredis writes with write(2): a peer that closed the socket would raise SIGPIPE and kill the
// node. Blocks SIGPIPE in the calling thread for the scope and swallows one it caused (the
// signal is directed at the writing thread), leaving the process's signal disposition alone.
class SigpipeBlock {
public:
    SigpipeBlock() noexcept
    {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
        was_pending_ = pending();
    }
    ~SigpipeBlock()
    {
        if (!was_pending_ && pending()) {
            const timespec zero{};
            while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

private:
    bool pending() const noexcept
    {
        sigset_t set;
        sigemptyset(&set);
        return sigpending(&set) == 0 && sigismember(&set, SIGPIPE) == 1;
    }
    sigset_t pipe_{};
    sigset_t old_{};
    bool was_pending_ = false;
};

timeval to_timeval(std::chrono::milliseconds ms)
{
    return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

std::string reply_text(const redisReply* r)
{
    if (r == nullptr) return {};
    if (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_ERROR) {
        return std::string(r->str, r->len);
    }
    return {};
}

std::unique_ptr<Connection> Connection::open(const RedisConfig& config, Failure* failure)
{
    errno = 0;
    redisContext* c = config.socket ? redisConnectUnixWithTimeout(config.socket->c_str(), to_timeval(config.connect_timeout))
                                    : redisConnectWithTimeout(config.host.c_str(), config.port, to_timeval(config.connect_timeout));
    const int saved_errno = errno;
    if (c == nullptr) throw std::bad_alloc();
    if (c->err != 0) {
        *failure = classify_connection_error(c->err, saved_errno, c->errstr);
        redisFree(c);
        return nullptr;
    }
    std::unique_ptr<Connection> conn(new Connection(c));
    redisSetTimeout(c, to_timeval(config.command_timeout));
    if (!config.socket) redisEnableKeepAlive(c);

    std::size_t expected = 0;
    if (config.password) {
        std::vector<const char*> argv = {"AUTH"};
        std::vector<std::size_t> lens = {4};
        if (config.username) {
            argv.push_back(config.username->data());
            lens.push_back(config.username->size());
        }
        argv.push_back(config.password->data());
        lens.push_back(config.password->size());
        conn->append(static_cast<int>(argv.size()), argv.data(), lens.data());
        ++expected;
    }
    std::string db;
    if (config.database && *config.database != 0) {
        db = std::to_string(*config.database);
        const char* argv[] = {"SELECT", db.c_str()};
        const std::size_t lens[] = {6, db.size()};
        conn->append(2, argv, lens);
        ++expected;
    }
    const char* ping[] = {"PING"};
    const std::size_t ping_len[] = {4};
    conn->append(1, ping, ping_len);
    ++expected;

    std::vector<Reply> replies;
    if (!conn->read_replies(expected, replies, failure)) return nullptr;
    for (const Reply& r : replies) {
        if (r->type == REDIS_REPLY_ERROR) {
            *failure = classify_error_reply(reply_text(r.get()));
            failure->drop_connection = true;
            return nullptr;
        }
    }
    return conn;
}

Connection::~Connection() { redisFree(context_); }

void Connection::append(int argc, const char* const* argv, const std::size_t* lengths)
{
    // hiredis takes `const char**`; it does not write through it.
    if (redisAppendCommandArgv(context_, argc, const_cast<const char**>(argv), lengths) != REDIS_OK) throw std::bad_alloc();
}

bool Connection::read_replies(std::size_t count, std::vector<Reply>& out, Failure* failure)
{
    out.clear();
    out.reserve(count);
    SigpipeBlock no_sigpipe;
    for (std::size_t i = 0; i < count; ++i) {
        void* raw = nullptr;
        errno = 0;
        const int rc = redisGetReply(context_, &raw);
        const int saved_errno = errno;
        if (rc != REDIS_OK || raw == nullptr) {
            *failure = classify_connection_error(context_->err, saved_errno, context_->errstr);
            return false;
        }
        out.emplace_back(static_cast<redisReply*>(raw));
    }
    return true;
}

}  // namespace net::bus_redis
