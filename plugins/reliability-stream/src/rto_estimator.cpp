#include "rto_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace net::reliability {

namespace {
constexpr double kAlpha = 1.0 / 8;
constexpr double kBeta = 1.0 / 4;
constexpr double kK = 4;
}  // namespace

RtoEstimator::RtoEstimator(const RtoLimits& limits) noexcept
    : limits_(limits), base_rto_us_(clamp(static_cast<double>(limits.initial_us))), rto_us_(base_rto_us_)
{
}

std::uint64_t RtoEstimator::clamp(double rto) const noexcept
{
    const double bounded = std::clamp(rto, static_cast<double>(limits_.min_us), static_cast<double>(limits_.max_us));
    return static_cast<std::uint64_t>(std::llround(bounded));
}

void RtoEstimator::on_sample(std::uint64_t rtt_us) noexcept
{
    const double r = static_cast<double>(rtt_us);
    if (!has_sample_) {
        srtt_us_ = r;
        rttvar_us_ = r / 2;
        has_sample_ = true;
    } else {
        // RTTVAR first: it uses the SRTT from before this sample (RFC 6298, 2.3).
        rttvar_us_ = (1 - kBeta) * rttvar_us_ + kBeta * std::fabs(srtt_us_ - r);
        srtt_us_ = (1 - kAlpha) * srtt_us_ + kAlpha * r;
    }
    base_rto_us_ = clamp(srtt_us_ + std::max(static_cast<double>(limits_.granularity_us), kK * rttvar_us_));
    rto_us_ = base_rto_us_;
}

void RtoEstimator::on_timeout() noexcept
{
    rto_us_ = std::min(rto_us_ * 2, limits_.max_us);
}

}  // namespace net::reliability
