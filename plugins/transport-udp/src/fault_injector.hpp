// Seeded decisions of the fault injector: what happens to each outgoing datagram.
#pragma once

#include <cstdint>
#include <random>

#include "transport_config.hpp"

namespace net::udp {

struct FaultDecision {
    bool drop = false;
    bool duplicate = false;  // send it twice
    bool reorder = false;    // hold it and send it after the next datagram
    std::uint64_t delay_ns = 0;
};

// Draws exactly four numbers per datagram from std::mt19937_64(seed), whatever the outcome, so the
// same seed and the same sequence of datagrams give the same decisions on every platform (the
// conversions to [0,1) and to a jitter are done here, not by implementation-defined distributions).
class FaultInjector {
public:
    explicit FaultInjector(const FaultConfig& config) noexcept : config_(config), rng_(config.seed) {}

    FaultDecision next() noexcept;

private:
    double unit() noexcept { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

    FaultConfig config_;
    std::mt19937_64 rng_;
};

}  // namespace net::udp
