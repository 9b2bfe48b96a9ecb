// net/kernel/bus/bus_config.hpp — the bus engine's settings, and reading them from JSON (a
// manifest's "bus" section). Every field, its default and its meaning: docs/bus.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace net::kernel::bus {

// What a shard does when its ring is full (or, for `sample`, above its high-water mark).
enum class BackpressurePolicy {
    drop_oldest,  // evict the oldest queued event to make room; the new one is queued
    drop_newest,  // drop the new event; the queued ones stay
    fail,         // refuse the new event: publish returns NET_E_WOULD_BLOCK, nothing is lost
    sample,       // at or above the high-water mark keep 1 event in sample_rate, drop the rest
};

// "drop_oldest", "drop_newest", "fail", "sample".
const char* policy_name(BackpressurePolicy policy) noexcept;

struct BusConfig {
    // The plugin instance providing net.bus.adapter/1; empty = the only instance that does.
    std::string adapter;
    // Shards (one ring and one flush thread each): 1..kMaxShards.
    std::uint32_t shards = 4;
    // Events per shard ring, rounded up to a power of two: 2..kMaxRingCapacity.
    std::size_t ring_capacity = 8192;
    BackpressurePolicy policy = BackpressurePolicy::fail;
    // sample: keep 1 in `sample_rate` events (>= 1) while the ring holds at least
    // `sample_high_water` events (default: 3/4 of the ring capacity; 1..ring capacity).
    std::uint32_t sample_rate = 10;
    std::size_t sample_high_water = 0;  // 0 = 3/4 of the (rounded) ring capacity
    // A batch is cut at `batch_max_events` events or when the next event would pass
    // `batch_max_bytes` payload bytes (a larger single event forms a batch of its own), or when
    // the delay has passed since its first event was taken from the ring.
    std::size_t batch_max_events = 512;
    std::size_t batch_max_bytes = 1u << 20;
    std::chrono::microseconds batch_max_delay{500};
    // adaptive: the delay halves after a full batch (down to batch_min_delay, which the engine
    // clamps to batch_max_delay) and grows by a quarter after one cut by time (up to
    // batch_max_delay). Otherwise it is batch_max_delay.
    std::chrono::microseconds batch_min_delay{20};
    bool adaptive_delay = true;
    // Transient adapter errors: retry the same batch after initial_backoff, doubling up to
    // max_backoff, until retry_timeout has passed since the first attempt; then drop it.
    std::chrono::milliseconds retry_initial_backoff{5};
    std::chrono::milliseconds retry_max_backoff{1000};
    std::chrono::milliseconds retry_timeout{10000};

    static constexpr std::uint32_t kMaxShards = 256;
    static constexpr std::size_t kMaxRingCapacity = std::size_t{1} << 24;
    static constexpr std::size_t kMaxBatchEvents = std::size_t{1} << 20;
};

// A bad field: what() is "<json pointer>: <what is wrong>"; pointer() is the JSON pointer alone.
class BusConfigError : public std::invalid_argument {
public:
    BusConfigError(const std::string& pointer, const std::string& detail)
        : std::invalid_argument(pointer + ": " + detail), pointer_(pointer) {}
    const std::string& pointer() const noexcept { return pointer_; }

private:
    std::string pointer_;
};

// Reads `section` (an object; null is taken as {}) into a BusConfig, checking every field's type
// and range and refusing unknown ones. `pointer` is where `section` sits in its document
// ("/bus"); errors name the bad field below it ("/bus/batch/max_events: must be at least 1").
// Throws BusConfigError. Shape (every field optional):
//   {"adapter": "mem", "shards": 4, "ring_capacity": 8192,
//    "policy": "fail" | "drop_oldest" | "drop_newest" | "sample",
//    "sample": {"rate": 10, "high_water": 6144},
//    "batch": {"max_events": 512, "max_bytes": 1048576, "max_delay_us": 500, "min_delay_us": 20,
//              "adaptive": true},
//    "retry": {"initial_backoff_ms": 5, "max_backoff_ms": 1000, "timeout_ms": 10000}}
BusConfig parse_bus_config(const nlohmann::json& section, const std::string& pointer = "/bus");

// Checks the cross-field rules of a config built in code (parse_bus_config applies them too).
// Throws BusConfigError with pointers relative to `pointer`.
void validate_bus_config(const BusConfig& config, const std::string& pointer = "/bus");

}  // namespace net::kernel::bus
