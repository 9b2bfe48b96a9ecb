// Congestion window in packets, additive increase / multiplicative decrease: +1/cwnd per
// acknowledged packet (about +1 per round trip), multiplied by 0.7 on loss at most once per
// recovery episode (an episode ends when everything sent before the loss has been acknowledged),
// kept within [min, max]. 0.7 rather than Reno's 0.5 (the factor CUBIC uses, RFC 8312): on a
// path with random loss, halving kept the window far below the path's capacity (goodput at 1%
// loss went from 0.15x to 0.55x of lossless on loopback, tests/bench/bench_stream_loss).
#pragma once

#include <cstdint>

namespace net::reliability {

class AimdWindow {
public:
    static constexpr double kDecrease = 0.7;

    AimdWindow(std::uint32_t initial, std::uint32_t min, std::uint32_t max) noexcept;

    void on_acked(std::uint64_t packets) noexcept;
    // A loss was detected while `next_sequence` was the next sequence to be sent. Returns true
    // when the window was reduced (false inside an ongoing recovery episode).
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
