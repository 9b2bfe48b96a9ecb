// A few connections to one Redis, shared by the shards: a caller leases one for a round trip.
// A connection that failed is closed and reopened on next use; failed connects back off
// exponentially (reconnect_backoff_min_ms doubling to _max_ms), and while backing off a lease
// fails at once with NET_E_UNAVAILABLE instead of hammering a server that is down.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/log.h"
#include "redis_config.hpp"
#include "redis_connection.hpp"

namespace net::bus_redis {

class ConnectionPool {
public:
    using LogFn = std::function<void(net_log_level_t, const std::string&)>;

    ConnectionPool(RedisConfig config, LogFn log);

    class Lease {
    public:
        Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) { other.pool_ = nullptr; }
        Lease& operator=(Lease&&) = delete;
        ~Lease()
        {
            if (pool_ != nullptr) pool_->give_back(slot_);
        }
        Connection& connection() const noexcept { return *pool_->slots_[slot_].connection; }
        // The round trip failed: account for it, and close the connection when its state is unknown.
        void failed(const Failure& failure);
        // The round trip succeeded (the server is reachable).
        void succeeded() noexcept { pool_->connected_.store(true, std::memory_order_relaxed); }

    private:
        friend class ConnectionPool;
        Lease(ConnectionPool* pool, std::size_t slot) noexcept : pool_(pool), slot_(slot) {}
        ConnectionPool* pool_;
        std::size_t slot_;
    };

    // Waits for a free connection and opens it if needed. nullopt with *failure set when it cannot
    // be opened (or the pool is backing off after failed connects).
    std::optional<Lease> acquire(Failure* failure);

    bool connected() const noexcept { return connected_.load(std::memory_order_relaxed); }
    std::uint64_t reconnects() const noexcept { return reconnects_.load(std::memory_order_relaxed); }
    const RedisConfig& config() const noexcept { return config_; }

private:
    struct Slot {
        std::unique_ptr<Connection> connection;
        bool lost = false;  // had a connection that failed, or its connect failed: the next success is a reconnect
    };

    void give_back(std::size_t slot) noexcept;
    void connect_failed(std::size_t slot, const Failure& failure);
    void connect_succeeded(std::size_t slot);

    const RedisConfig config_;
    const LogFn log_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<Slot> slots_;
    std::vector<std::size_t> free_;
    // Backoff and outage state (under mutex_).
    std::chrono::steady_clock::time_point retry_at_{};
    std::chrono::milliseconds backoff_;
    Failure last_connect_failure_;       // repeated while backing off
    std::uint64_t failed_connects_ = 0;  // since the last successful connect
    bool outage_ = false;                // a failure was reported and no success since
    std::chrono::steady_clock::time_point outage_since_{};
    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> reconnects_{0};
};

}  // namespace net::bus_redis
