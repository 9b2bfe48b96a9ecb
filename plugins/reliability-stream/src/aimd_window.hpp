// Congestion window in packets, additive increase / multiplicative decrease: +1/cwnd per
// acknowledged packet (about +1 per round trip), halved on loss at most once per recovery
// episode (an episode ends when everything sent before the loss has been acknowledged),
// kept within [min, max].
#pragma once

#include <cstdint>

namespace net::reliability {

class AimdWindow {
public:
    AimdWindow(std::uint32_t initial, std::uint32_t min, std::uint32_t max) noexcept;

    void on_acked(std::uint64_t packets) noexcept;
    // A loss was detected while `next_sequence` was the next sequence to be sent. Returns true
    // when the window was halved (false inside an ongoing recovery episode).
    bool on_loss(std::uint64_t next_sequence) noexcept;
    // The peer has everything below `next_expected`.
    void on_cumulative_ack(std::uint64_t next_expected) noexcept;

    std::uint32_t packets() const noexcept { return static_cast<std::uint32_t>(cwnd_); }
    bool in_recovery() const noexcept { return in_recovery_; }

private:
    double cwnd_;
    double min_;
    double max_;
    bool in_recovery_ = false;
    std::uint64_t recovery_end_ = 0;
};

}  // namespace net::reliability
