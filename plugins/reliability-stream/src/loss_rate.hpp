// The recent loss rate of a stream's data packets: an exponentially weighted average over packet
// outcomes (1 = the packet's first transmission was reported lost, 0 = it arrived), each outcome
// weighing 1/horizon. With the default horizon of 1024 packets, 1% random loss reads 1.0% ± 0.2%.
#pragma once

#include <cmath>
#include <cstdint>

namespace net::reliability {

class LossRate {
public:
    explicit LossRate(std::uint32_t horizon_packets = 1024) noexcept : keep_(1.0 - 1.0 / horizon_packets) {}

    void on_delivered(std::uint64_t packets) noexcept
    {
        if (packets > 0) rate_ *= std::pow(keep_, static_cast<double>(packets));
    }
    void on_lost(std::uint64_t packets) noexcept
    {
        for (std::uint64_t i = 0; i < packets; ++i) rate_ = rate_ * keep_ + (1.0 - keep_);
    }
    double rate() const noexcept { return rate_; }

private:
    double keep_;
    double rate_ = 0;
};

}  // namespace net::reliability
