#include "fault_injector.hpp"

namespace net::udp {

namespace {
__extension__ typedef unsigned __int128 uint128_t;
}

FaultDecision FaultInjector::next() noexcept
{
    const double loss_draw = unit();
    const double duplicate_draw = unit();
    const double reorder_draw = unit();
    const std::uint64_t jitter_draw = rng_();

    FaultDecision d;
    d.drop = loss_draw < config_.loss;
    d.duplicate = !d.drop && duplicate_draw < config_.duplicate;
    d.reorder = !d.drop && !d.duplicate && reorder_draw < config_.reorder;
    std::uint64_t delay_ms = config_.delay_ms;
    if (config_.delay_jitter_ms > 0) {
        // Lemire's multiply-shift: a uniform value in [0, jitter] without a division.
        const auto span = static_cast<uint128_t>(config_.delay_jitter_ms + 1);
        delay_ms += static_cast<std::uint64_t>((static_cast<uint128_t>(jitter_draw) * span) >> 64);
    }
    d.delay_ns = delay_ms * 1'000'000;
    return d;
}

}  // namespace net::udp
