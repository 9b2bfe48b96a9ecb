// net/kernel/logger.hpp — the one logger: leveled lines to a stream, safe from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <ostream>
#include <string_view>

#include "net/log.h"

namespace net::kernel {

class Logger {
public:
    explicit Logger(std::ostream& out, net_log_level_t level = NET_LOG_INFO) noexcept : out_(&out), level_(level) {}

    void set_level(net_log_level_t level) noexcept { level_.store(level, std::memory_order_relaxed); }
    net_log_level_t level() const noexcept { return level_.load(std::memory_order_relaxed); }
    bool enabled(net_log_level_t level) const noexcept { return level >= this->level(); }

    // Writes "<time> <LEVEL> [<source>] <message>\n" as one write. [any-thread]
    void write(net_log_level_t level, std::string_view source, std::string_view message) noexcept;

    static std::string_view level_name(net_log_level_t level) noexcept;
    static std::optional<net_log_level_t> parse_level(std::string_view name) noexcept;

private:
    std::ostream* out_;
    std::atomic<net_log_level_t> level_;
    std::mutex mutex_;
};

}  // namespace net::kernel
