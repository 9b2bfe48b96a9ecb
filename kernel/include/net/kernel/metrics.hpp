// net/kernel/metrics.hpp — counters, gauges and histograms: registered once, updated lock-free.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "net/metrics.h"

// The ABI's opaque net_metric_t is this kernel type.
struct net_metric {
    net_metric_kind_t kind;
    std::string name;
    std::string help;
    std::atomic<std::int64_t> value{0};  // counter or gauge
    // Histogram: bucket i counts samples whose bit width is i (0, 1, 2-3, 4-7, ...).
    std::array<std::atomic<std::uint64_t>, 65> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum{0};

    void add(std::int64_t delta) noexcept { value.fetch_add(delta, std::memory_order_relaxed); }
    void set(std::int64_t v) noexcept { value.store(v, std::memory_order_relaxed); }
    void observe(std::uint64_t sample) noexcept;
};

namespace net::kernel {

using Metric = net_metric;

class MetricsRegistry {
public:
    // Returns the metric of that name, creating it; nullptr when the name is empty or already
    // registered with another kind. Handles stay valid as long as the registry. [any-thread]
    Metric* register_metric(net_metric_kind_t kind, const std::string& name, const std::string& help = {});
    Metric* find(const std::string& name) const;

    // {"name": value} for counters and gauges; {"name": {"count","sum","p50","p99","max"}} for
    // histograms (percentiles are bucket upper bounds).
    nlohmann::json snapshot() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Metric>> metrics_;
};

}  // namespace net::kernel
