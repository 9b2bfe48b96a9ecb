// Retransmission timeout per RFC 6298: SRTT/RTTVAR with alpha = 1/8, beta = 1/4, K = 4,
// RTO = SRTT + max(G, K * RTTVAR) clamped to [min, max]; before the first sample RTO = initial;
// each timeout doubles RTO (up to max) until the next sample recomputes it. Karn's rule (no
// samples from retransmitted packets) is the caller's: it only feeds first-transmission RTTs.
// All times in microseconds.
#pragma once

#include <cstdint>

namespace net::reliability {

struct RtoLimits {
    std::uint64_t initial_us = 50'000;
    std::uint64_t min_us = 10'000;
    std::uint64_t max_us = 2'000'000;
    std::uint64_t granularity_us = 1'000;  // G: the timer's resolution
};

class RtoEstimator {
public:
    explicit RtoEstimator(const RtoLimits& limits) noexcept;

    void on_sample(std::uint64_t rtt_us) noexcept;
    void on_timeout() noexcept;  // exponential backoff
    // Drops the backoff: RTO returns to the value of the last sample (or the initial value). Used
    // when an acknowledgement frees new data but gives no sample (Karn), so that a long loss
    // episode does not keep the timer backed off for good.
    void collapse_backoff() noexcept { rto_us_ = base_rto_us_; }
    // RTO without backoff.
    std::uint64_t base_rto_us() const noexcept { return base_rto_us_; }

    std::uint64_t rto_us() const noexcept { return rto_us_; }
    std::uint64_t srtt_us() const noexcept { return has_sample_ ? static_cast<std::uint64_t>(srtt_us_) : 0; }
    std::uint64_t rttvar_us() const noexcept { return has_sample_ ? static_cast<std::uint64_t>(rttvar_us_) : 0; }
    bool has_sample() const noexcept { return has_sample_; }

private:
    std::uint64_t clamp(double rto) const noexcept;

    RtoLimits limits_;
    bool has_sample_ = false;
    double srtt_us_ = 0;
    double rttvar_us_ = 0;
    std::uint64_t base_rto_us_;
    std::uint64_t rto_us_;
};

}  // namespace net::reliability
