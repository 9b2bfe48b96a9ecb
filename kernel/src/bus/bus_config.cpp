// bus/bus_config.cpp — reading and checking the bus engine's settings. The engine has no JSON
// schema of its own, so every type and range is checked here and named by its JSON pointer.
#include "net/kernel/bus/bus_config.hpp"

#include <bit>
#include <initializer_list>
#include <limits>

#include <nlohmann/json.hpp>

namespace net::kernel::bus {

namespace {

using json = nlohmann::json;

// RFC 6901: "~" → "~0", "/" → "~1".
std::string escape_token(const std::string& key)
{
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string at(const std::string& pointer, const std::string& key) { return pointer + "/" + escape_token(key); }

// obj[key] when present, else null (a reference into `obj`, or to a static null).
const json& child(const json& obj, const char* key)
{
    static const json none;
    const auto it = obj.find(key);
    return it == obj.end() ? none : *it;
}

// The object at `pointer` (null = absent = {}); refuses keys not in `known`.
const json& object_at(const json& value, const std::string& pointer, std::initializer_list<const char*> known)
{
    static const json empty = json::object();
    if (value.is_null()) return empty;
    if (!value.is_object()) throw BusConfigError(pointer, "must be an object");
    for (const auto& item : value.items()) {
        bool ok = false;
        for (const char* k : known) ok = ok || item.key() == k;
        if (!ok) {
            std::string list;
            for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
            throw BusConfigError(at(pointer, item.key()), "unknown property (known: " + list + ")");
        }
    }
    return value;
}

std::uint64_t integer(const json& obj, const char* key, const std::string& pointer, std::uint64_t fallback,
                      std::uint64_t min, std::uint64_t max)
{
    const auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    const std::string where = at(pointer, key);
    const std::string range = "an integer in " + std::to_string(min) + ".." + std::to_string(max);
    if (!it->is_number_integer()) throw BusConfigError(where, "must be " + range);
    if (it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        if (v < min || v > max) throw BusConfigError(where, "must be " + range + " (got " + std::to_string(v) + ")");
        return v;
    }
    const auto v = it->get<std::int64_t>();
    if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max) {
        throw BusConfigError(where, "must be " + range + " (got " + std::to_string(v) + ")");
    }
    return static_cast<std::uint64_t>(v);
}

bool boolean(const json& obj, const char* key, const std::string& pointer, bool fallback)
{
    const auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_boolean()) throw BusConfigError(at(pointer, key), "must be true or false");
    return it->get<bool>();
}

std::string text(const json& obj, const char* key, const std::string& pointer, const std::string& fallback)
{
    const auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_string()) throw BusConfigError(at(pointer, key), "must be a string");
    return it->get<std::string>();
}

constexpr std::uint64_t kMaxDelayUs = 10'000'000;     // 10 s
constexpr std::uint64_t kMaxMillis = 24ull * 3600 * 1000;  // a day

}  // namespace

const char* policy_name(BackpressurePolicy policy) noexcept
{
    switch (policy) {
    case BackpressurePolicy::drop_oldest: return "drop_oldest";
    case BackpressurePolicy::drop_newest: return "drop_newest";
    case BackpressurePolicy::fail: return "fail";
    case BackpressurePolicy::sample: return "sample";
    }
    return "unknown";
}

void validate_bus_config(const BusConfig& c, const std::string& pointer)
{
    if (c.shards < 1 || c.shards > BusConfig::kMaxShards) {
        throw BusConfigError(pointer + "/shards", "must be 1.." + std::to_string(BusConfig::kMaxShards));
    }
    if (c.ring_capacity < 2 || c.ring_capacity > BusConfig::kMaxRingCapacity) {
        throw BusConfigError(pointer + "/ring_capacity", "must be 2.." + std::to_string(BusConfig::kMaxRingCapacity));
    }
    const std::size_t capacity = std::bit_ceil(c.ring_capacity);
    if (c.sample_rate < 1) throw BusConfigError(pointer + "/sample/rate", "must be at least 1");
    if (c.sample_high_water > capacity) {
        throw BusConfigError(pointer + "/sample/high_water",
                             "must not exceed the ring capacity (" + std::to_string(capacity) + ")");
    }
    if (c.batch_max_events < 1 || c.batch_max_events > BusConfig::kMaxBatchEvents) {
        throw BusConfigError(pointer + "/batch/max_events", "must be 1.." + std::to_string(BusConfig::kMaxBatchEvents));
    }
    if (c.batch_max_bytes < 1) throw BusConfigError(pointer + "/batch/max_bytes", "must be at least 1");
    if (c.batch_max_delay.count() < 0 || static_cast<std::uint64_t>(c.batch_max_delay.count()) > kMaxDelayUs) {
        throw BusConfigError(pointer + "/batch/max_delay_us", "must be 0.." + std::to_string(kMaxDelayUs));
    }
    if (c.batch_min_delay.count() < 0) throw BusConfigError(pointer + "/batch/min_delay_us", "must be >= 0");
    if (c.retry_initial_backoff.count() < 1) throw BusConfigError(pointer + "/retry/initial_backoff_ms", "must be at least 1");
    if (c.retry_max_backoff < c.retry_initial_backoff) {
        throw BusConfigError(pointer + "/retry/max_backoff_ms", "must be at least initial_backoff_ms");
    }
    if (c.retry_timeout.count() < 0) throw BusConfigError(pointer + "/retry/timeout_ms", "must be >= 0");
}

BusConfig parse_bus_config(const nlohmann::json& section, const std::string& pointer)
{
    const json& bus = object_at(section, pointer,
                                {"adapter", "shards", "ring_capacity", "policy", "sample", "batch", "retry"});
    BusConfig c;
    c.adapter = text(bus, "adapter", pointer, c.adapter);
    c.shards = static_cast<std::uint32_t>(integer(bus, "shards", pointer, c.shards, 1, BusConfig::kMaxShards));
    c.ring_capacity = integer(bus, "ring_capacity", pointer, c.ring_capacity, 2, BusConfig::kMaxRingCapacity);

    const std::string policy = text(bus, "policy", pointer, policy_name(c.policy));
    if (policy == "drop_oldest") {
        c.policy = BackpressurePolicy::drop_oldest;
    } else if (policy == "drop_newest") {
        c.policy = BackpressurePolicy::drop_newest;
    } else if (policy == "fail") {
        c.policy = BackpressurePolicy::fail;
    } else if (policy == "sample") {
        c.policy = BackpressurePolicy::sample;
    } else {
        throw BusConfigError(pointer + "/policy",
                             "unknown policy \"" + policy + "\" (drop_oldest, drop_newest, fail, sample)");
    }

    const std::size_t capacity = std::bit_ceil(c.ring_capacity);
    const std::string sp = pointer + "/sample";
    const json& sample = object_at(child(bus, "sample"), sp, {"rate", "high_water"});
    c.sample_rate = static_cast<std::uint32_t>(integer(sample, "rate", sp, c.sample_rate, 1,
                                                       std::numeric_limits<std::uint32_t>::max()));
    c.sample_high_water = integer(sample, "high_water", sp, 0, 1, capacity);

    const std::string bp = pointer + "/batch";
    const json& batch = object_at(child(bus, "batch"), bp,
                                  {"max_events", "max_bytes", "max_delay_us", "min_delay_us", "adaptive"});
    c.batch_max_events = integer(batch, "max_events", bp, c.batch_max_events, 1, BusConfig::kMaxBatchEvents);
    c.batch_max_bytes = integer(batch, "max_bytes", bp, c.batch_max_bytes, 1, std::numeric_limits<std::uint32_t>::max());
    c.batch_max_delay = std::chrono::microseconds(
        integer(batch, "max_delay_us", bp, static_cast<std::uint64_t>(c.batch_max_delay.count()), 0, kMaxDelayUs));
    const std::uint64_t default_min = std::min<std::uint64_t>(static_cast<std::uint64_t>(c.batch_min_delay.count()),
                                                              static_cast<std::uint64_t>(c.batch_max_delay.count()));
    c.batch_min_delay = std::chrono::microseconds(integer(batch, "min_delay_us", bp, default_min, 0, kMaxDelayUs));
    if (c.batch_min_delay > c.batch_max_delay) {
        throw BusConfigError(bp + "/min_delay_us", "must not exceed max_delay_us (" +
                                                       std::to_string(c.batch_max_delay.count()) + ")");
    }
    c.adaptive_delay = boolean(batch, "adaptive", bp, c.adaptive_delay);

    const std::string rp = pointer + "/retry";
    const json& retry = object_at(child(bus, "retry"), rp, {"initial_backoff_ms", "max_backoff_ms", "timeout_ms"});
    c.retry_initial_backoff = std::chrono::milliseconds(integer(
        retry, "initial_backoff_ms", rp, static_cast<std::uint64_t>(c.retry_initial_backoff.count()), 1, kMaxMillis));
    const std::uint64_t default_max = std::max<std::uint64_t>(static_cast<std::uint64_t>(c.retry_max_backoff.count()),
                                                              static_cast<std::uint64_t>(c.retry_initial_backoff.count()));
    c.retry_max_backoff = std::chrono::milliseconds(integer(retry, "max_backoff_ms", rp, default_max, 0, kMaxMillis));
    if (c.retry_max_backoff < c.retry_initial_backoff) {
        throw BusConfigError(rp + "/max_backoff_ms", "must be at least initial_backoff_ms (" +
                                                         std::to_string(c.retry_initial_backoff.count()) + ")");
    }
    c.retry_timeout = std::chrono::milliseconds(
        integer(retry, "timeout_ms", rp, static_cast<std::uint64_t>(c.retry_timeout.count()), 0, kMaxMillis));

    validate_bus_config(c, pointer);
    return c;
}

}  // namespace net::kernel::bus
