#include "connection_pool.hpp"

#include <algorithm>

namespace net::bus_redis {

using Clock = std::chrono::steady_clock;

ConnectionPool::ConnectionPool(RedisConfig config, LogFn log)
    : config_(std::move(config)), log_(std::move(log)), slots_(config_.pool_size), backoff_(config_.backoff_min)
{
    for (std::size_t i = config_.pool_size; i > 0; --i) free_.push_back(i - 1);
}

std::optional<ConnectionPool::Lease> ConnectionPool::acquire(Failure* failure)
{
    std::size_t slot = 0;
    {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !free_.empty(); });
        slot = free_.back();
        free_.pop_back();
        if (slots_[slot].connection) return Lease(this, slot);
        const Clock::time_point now = Clock::now();
        if (now < retry_at_) {
            free_.push_back(slot);
            available_.notify_one();
            const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now);
            // A permanent refusal (a wrong password) stays permanent while backing off.
            *failure = {last_connect_failure_.transient() ? NET_E_UNAVAILABLE : last_connect_failure_.status, false,
                        last_connect_failure_.message + "; next connect attempt in " + std::to_string(wait.count()) + " ms"};
            return std::nullopt;
        }
    }
    Lease lease(this, slot);  // gives the slot back on every path below
    Failure why;
    std::unique_ptr<Connection> connection = Connection::open(config_, &why);
    if (!connection) {
        connect_failed(slot, why);
        *failure = std::move(why);
        return std::nullopt;
    }
    {
        std::lock_guard lock(mutex_);
        slots_[slot].connection = std::move(connection);
    }
    connect_succeeded(slot);
    return lease;
}

void ConnectionPool::give_back(std::size_t slot) noexcept
{
    {
        std::lock_guard lock(mutex_);
        free_.push_back(slot);
    }
    available_.notify_one();
}

void ConnectionPool::connect_failed(std::size_t slot, const Failure& failure)
{
    connected_.store(false, std::memory_order_relaxed);
    bool first = false;
    std::chrono::milliseconds wait{};
    std::uint64_t attempts = 0;
    {
        std::lock_guard lock(mutex_);
        slots_[slot].lost = true;
        last_connect_failure_ = failure;
        ++failed_connects_;
        attempts = failed_connects_;
        wait = backoff_;
        retry_at_ = Clock::now() + backoff_;
        backoff_ = std::min(backoff_ * 2, config_.backoff_max);
        if (!outage_) {
            outage_ = true;
            outage_since_ = Clock::now();
            first = true;
        }
    }
    // Only the first failure of an outage is a warning; the rest would repeat it at every retry.
    log_(first ? NET_LOG_WARN : NET_LOG_DEBUG,
         "cannot connect to redis at " + config_.endpoint() + ": " + failure.message + " (attempt " +
             std::to_string(attempts) + ", next in " + std::to_string(wait.count()) + " ms)");
}

void ConnectionPool::connect_succeeded(std::size_t slot)
{
    connected_.store(true, std::memory_order_relaxed);
    bool reconnect = false;
    bool ended_outage = false;
    std::uint64_t attempts = 0;
    Clock::duration down{};
    {
        std::lock_guard lock(mutex_);
        reconnect = slots_[slot].lost;
        slots_[slot].lost = false;
        attempts = failed_connects_;
        failed_connects_ = 0;
        backoff_ = config_.backoff_min;
        retry_at_ = {};
        if (outage_) {
            outage_ = false;
            ended_outage = true;
            down = Clock::now() - outage_since_;
        }
    }
    if (reconnect) reconnects_.fetch_add(1, std::memory_order_relaxed);
    if (ended_outage) {
        log_(NET_LOG_INFO, "connected to redis at " + config_.endpoint() + " again after " +
                               std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(down).count()) +
                               " ms (" + std::to_string(attempts) + " failed connects)");
    } else if (!reconnect) {
        log_(NET_LOG_DEBUG, "connected to redis at " + config_.endpoint());
    }
}

void ConnectionPool::Lease::failed(const Failure& failure)
{
    if (!failure.drop_connection) return;
    ConnectionPool& p = *pool_;
    p.connected_.store(false, std::memory_order_relaxed);
    bool first = false;
    {
        std::lock_guard lock(p.mutex_);
        p.slots_[slot_].connection.reset();
        p.slots_[slot_].lost = true;
        if (!p.outage_) {
            p.outage_ = true;
            p.outage_since_ = Clock::now();
            first = true;
        }
    }
    p.log_(first ? NET_LOG_WARN : NET_LOG_DEBUG,
           "lost the connection to redis at " + p.config_.endpoint() + ": " + failure.message + "; reconnecting on next use");
}

}  // namespace net::bus_redis
