// failure_detector.cpp — per-peer Healthy / Suspected / Failed (see failure_detector.hpp).
#include "net/kernel/mesh/failure_detector.hpp"

#include <stdexcept>
#include <string>

namespace net::kernel::mesh {

namespace {

std::string milliseconds(std::chrono::steady_clock::duration d)
{
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

std::string_view peer_health_name(PeerHealth health) noexcept
{
    switch (health) {
        case PeerHealth::healthy:
            return "healthy";
        case PeerHealth::suspected:
            return "suspected";
        case PeerHealth::failed:
            return "failed";
    }
    return "unknown";
}

void FailureDetectorConfig::validate() const
{
    if (heartbeat_interval <= std::chrono::steady_clock::duration::zero())
        throw std::invalid_argument("failure detector config: heartbeat_interval must be positive, got " +
                                    milliseconds(heartbeat_interval));
    if (suspect_after_misses == 0)
        throw std::invalid_argument("failure detector config: suspect_after_misses must be at least 1");
    // interval × misses < timeout, asked without the multiplication so large values cannot overflow.
    const auto timeout_ticks = session_timeout.count();
    const auto interval_ticks = heartbeat_interval.count();
    if (timeout_ticks <= 0 || suspect_after_misses > static_cast<std::uint64_t>((timeout_ticks - 1) / interval_ticks))
        throw std::invalid_argument("failure detector config: suspicion time (heartbeat_interval " +
                                    milliseconds(heartbeat_interval) + " x suspect_after_misses " +
                                    std::to_string(suspect_after_misses) + ") must be shorter than session_timeout " +
                                    milliseconds(session_timeout));
}

FailureDetector::FailureDetector(FailureDetectorConfig config, std::chrono::steady_clock::time_point now)
    : config_(config), last_heard_(now)
{
    config_.validate();
}

void FailureDetector::heard(std::chrono::steady_clock::time_point now) noexcept
{
    if (now > last_heard_) last_heard_ = now;
    health_ = PeerHealth::healthy;
}

HealthEvaluation FailureDetector::evaluate(std::chrono::steady_clock::time_point now) noexcept
{
    const auto silence = now - last_heard_;
    if (silence > config_.session_timeout)
        health_ = PeerHealth::failed;
    else if (silence > config_.suspect_after())
        health_ = PeerHealth::suspected;
    else
        health_ = PeerHealth::healthy;

    const HealthEvaluation result{health_, reported_, health_ != reported_};
    if (result.changed) ++transitions_;
    reported_ = health_;
    return result;
}

}  // namespace net::kernel::mesh
