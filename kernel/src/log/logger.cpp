// Logger: timestamps in UTC with milliseconds; one lock per line keeps lines whole.
#include "net/kernel/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace net::kernel {

std::string_view Logger::level_name(net_log_level_t level) noexcept
{
    switch (level) {
    case NET_LOG_TRACE: return "trace";
    case NET_LOG_DEBUG: return "debug";
    case NET_LOG_INFO: return "info";
    case NET_LOG_WARN: return "warn";
    case NET_LOG_ERROR: return "error";
    }
    return "?";
}

std::optional<net_log_level_t> Logger::parse_level(std::string_view name) noexcept
{
    for (net_log_level_t l : {NET_LOG_TRACE, NET_LOG_DEBUG, NET_LOG_INFO, NET_LOG_WARN, NET_LOG_ERROR}) {
        if (level_name(l) == name) return l;
    }
    return std::nullopt;
}

void Logger::write(net_log_level_t level, std::string_view source, std::string_view message) noexcept
{
    if (!enabled(level)) return;
    try {
        const auto now = std::chrono::system_clock::now();
        const std::time_t secs = std::chrono::system_clock::to_time_t(now);
        const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
        std::string line;
        line.reserve(message.size() + source.size() + 32);
        line.append(stamp).append(" ").append(level_name(level)).append(" [").append(source).append("] ").append(message);
        if (line.empty() || line.back() != '\n') line.push_back('\n');
        std::lock_guard lock(mutex_);
        out_->write(line.data(), static_cast<std::streamsize>(line.size()));
        out_->flush();
    } catch (...) {
        // Logging never throws; a line that cannot be formatted is dropped.
    }
}

}  // namespace net::kernel
