#include "aimd_window.hpp"

#include <algorithm>

namespace net::reliability {

AimdWindow::AimdWindow(std::uint32_t initial, std::uint32_t min, std::uint32_t max) noexcept
    : cwnd_(std::clamp<double>(initial, min, std::max(min, max))), min_(min), max_(std::max(min, max))
{
}

void AimdWindow::on_acked(std::uint64_t packets) noexcept
{
    for (std::uint64_t i = 0; i < packets && cwnd_ < max_; ++i) cwnd_ += 1.0 / cwnd_;
    cwnd_ = std::min(cwnd_, max_);
}

bool AimdWindow::on_loss(std::uint64_t next_sequence) noexcept
{
    if (in_recovery_) return false;
    cwnd_ = std::max(min_, cwnd_ * kDecrease);
    in_recovery_ = true;
    recovery_end_ = next_sequence;
    return true;
}

void AimdWindow::on_cumulative_ack(std::uint64_t next_expected) noexcept
{
    if (in_recovery_ && next_expected >= recovery_end_) in_recovery_ = false;
}

}  // namespace net::reliability
