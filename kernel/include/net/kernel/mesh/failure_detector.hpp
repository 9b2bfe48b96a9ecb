// net/kernel/mesh/failure_detector.hpp — the health of one peer from the time since it was last
// heard: Healthy, then Suspected once `suspect_after_misses` heartbeat intervals passed in silence,
// then Failed once `session_timeout` passed. Hearing the peer again (an authenticated heartbeat or
// packet) makes it Healthy, from either state.
//
// evaluate() reports each change once, relative to the previous evaluate(), so the caller can log
// or withdraw routes exactly once per transition.
//
// Thread rule: [single-thread] — the caller serialises (the mesh core holds its mutex). No I/O, no
// allocation after construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace net::kernel::mesh {

enum class PeerHealth : std::uint8_t { healthy, suspected, failed };

// "healthy", "suspected", "failed".
std::string_view peer_health_name(PeerHealth health) noexcept;

struct FailureDetectorConfig {
    std::chrono::steady_clock::duration heartbeat_interval = std::chrono::seconds(5);
    unsigned suspect_after_misses = 2;  // Suspected once silent for longer than interval × misses
    std::chrono::steady_clock::duration session_timeout = std::chrono::seconds(30);  // Failed once silent longer

    // Throws std::invalid_argument: interval not positive, misses zero, or suspicion not before timeout.
    void validate() const;
    std::chrono::steady_clock::duration suspect_after() const noexcept
    {
        return heartbeat_interval * suspect_after_misses;
    }
};

struct HealthEvaluation {
    PeerHealth health = PeerHealth::healthy;
    PeerHealth previous = PeerHealth::healthy;  // as of the previous evaluate()
    bool changed = false;                       // health != previous
};

class FailureDetector {
public:
    // The peer counts as heard at `now` (its session was just established). Validates `config`.
    FailureDetector(FailureDetectorConfig config, std::chrono::steady_clock::time_point now);

    // An authenticated heartbeat or packet arrived. Times earlier than last_heard() are ignored.
    void heard(std::chrono::steady_clock::time_point now) noexcept;
    HealthEvaluation evaluate(std::chrono::steady_clock::time_point now) noexcept;

    PeerHealth health() const noexcept { return health_; }  // as of the last heard() or evaluate()
    std::chrono::steady_clock::time_point last_heard() const noexcept { return last_heard_; }
    std::uint64_t transitions() const noexcept { return transitions_; }  // changes evaluate() reported
    const FailureDetectorConfig& config() const noexcept { return config_; }

private:
    FailureDetectorConfig config_;
    std::chrono::steady_clock::time_point last_heard_;
    PeerHealth health_ = PeerHealth::healthy;
    PeerHealth reported_ = PeerHealth::healthy;
    std::uint64_t transitions_ = 0;
};

}  // namespace net::kernel::mesh
