// MetricsRegistry: a name → metric map guarded by a mutex that only registration and snapshots
// take; updates touch the metric's atomics alone.
#include <bit>

#include <nlohmann/json.hpp>

#include "net/kernel/metrics.hpp"

void net_metric::observe(std::uint64_t sample) noexcept
{
    buckets[static_cast<std::size_t>(std::bit_width(sample))].fetch_add(1, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
    sum.fetch_add(sample, std::memory_order_relaxed);
}

namespace net::kernel {

Metric* MetricsRegistry::register_metric(net_metric_kind_t kind, const std::string& name, const std::string& help)
{
    if (name.empty()) return nullptr;
    std::lock_guard lock(mutex_);
    auto [it, inserted] = metrics_.try_emplace(name);
    if (inserted) {
        it->second = std::make_unique<Metric>();
        it->second->kind = kind;
        it->second->name = name;
        it->second->help = help;
    }
    return it->second->kind == kind ? it->second.get() : nullptr;
}

Metric* MetricsRegistry::find(const std::string& name) const
{
    std::lock_guard lock(mutex_);
    auto it = metrics_.find(name);
    return it == metrics_.end() ? nullptr : it->second.get();
}

namespace {

std::uint64_t bucket_upper_bound(std::size_t bucket) noexcept
{
    return bucket == 0 ? 0 : (bucket >= 64 ? UINT64_MAX : (std::uint64_t{1} << bucket) - 1);
}

nlohmann::json histogram_summary(const Metric& m)
{
    const std::uint64_t count = m.count.load(std::memory_order_relaxed);
    nlohmann::json out{{"count", count}, {"sum", m.sum.load(std::memory_order_relaxed)}};
    auto percentile = [&](double q) -> std::uint64_t {
        const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count));
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < m.buckets.size(); ++b) {
            seen += m.buckets[b].load(std::memory_order_relaxed);
            if (seen > rank) return bucket_upper_bound(b);
        }
        return 0;
    };
    out["p50"] = count ? percentile(0.50) : 0;
    out["p99"] = count ? percentile(0.99) : 0;
    std::uint64_t max = 0;
    for (std::size_t b = 0; b < m.buckets.size(); ++b) {
        if (m.buckets[b].load(std::memory_order_relaxed) != 0) max = bucket_upper_bound(b);
    }
    out["max"] = max;
    return out;
}

}  // namespace

nlohmann::json MetricsRegistry::snapshot() const
{
    nlohmann::json out = nlohmann::json::object();
    std::lock_guard lock(mutex_);
    for (const auto& [name, m] : metrics_) {
        if (m->kind == NET_METRIC_HISTOGRAM) {
            out[name] = histogram_summary(*m);
        } else {
            out[name] = m->value.load(std::memory_order_relaxed);
        }
    }
    return out;
}

}  // namespace net::kernel
