// bus/bus.cpp — the bus engine: publish into shard rings, one flush thread per shard cutting
// batches by size and (adaptive) time, writes with retries and backoff, metrics, stop.
#include "net/kernel/bus/bus.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bus/bus_hash.hpp"
#include "bus/shard_ring.hpp"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"

namespace net::kernel::bus {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

constexpr std::uint64_t kNoWake = std::numeric_limits<std::uint64_t>::max();

std::int64_t realtime_ns() noexcept
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool is_transient(net_status_t status) noexcept
{
    return status == NET_E_UNAVAILABLE || status == NET_E_TIMEOUT || status == NET_E_IO;
}

std::uint64_t splitmix64(std::uint64_t x) noexcept
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void add(Metric* m, std::int64_t delta) noexcept
{
    if (m != nullptr && delta != 0) m->add(delta);
}

void observe(Metric* m, std::uint64_t sample) noexcept
{
    if (m != nullptr) m->observe(sample);
}

std::uint64_t to_u64(std::int64_t v) noexcept { return v > 0 ? static_cast<std::uint64_t>(v) : 0; }

// Sleeps while *word == expected, at most `timeout` (null: no limit). Spurious returns are fine:
// every caller re-checks its condition.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* timeout) noexcept
{
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, timeout, nullptr, 0);
}

void futex_wake(std::atomic<std::uint32_t>& word, int waiters) noexcept
{
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, waiters, nullptr, nullptr, 0);
}

// A flush thread that waits for at most kSpinWithin more events polls (a pause each, up to
// kSpinsBeforeSleep times) before it sleeps: they usually arrive within that, and a futex sleep
// plus the producer's wake costs more. Waiting for more, it sleeps at once: spinning then would
// only take a core from the producers.
constexpr std::uint64_t kSpinWithin = 32;
constexpr int kSpinsBeforeSleep = 32;

}  // namespace

std::uint32_t shard_for_event(std::uint64_t producer_id, std::uint64_t sequence, std::uint32_t shards) noexcept
{
    return shard_for_hash(detail::dedup_hash(producer_id, sequence), shards);
}

std::uint32_t shard_for_key(std::uint64_t key, std::uint32_t shards) noexcept
{
    return shard_for_hash(detail::key_hash(key), shards);
}

Adapter find_bus_adapter(PluginHost& plugins, const std::string& instance)
{
    std::string name = instance;
    if (name.empty()) {
        std::vector<std::string> providers;
        for (const auto* inst : plugins.instances()) {
            if (inst->get_interface(NET_IFACE_BUS_ADAPTER_V1) != nullptr) providers.push_back(inst->name());
        }
        if (providers.size() != 1) {
            throw BusError(providers.empty()
                               ? "bus: no plugin instance provides net.bus.adapter/1 (load bus-memory, bus-redis or bus-redex)"
                               : "bus: several instances provide net.bus.adapter/1; name one in bus.adapter");
        }
        name = providers.front();
    }
    auto found = plugins.resolve_interface(name.c_str(), NET_IFACE_BUS_ADAPTER_V1);
    if (!found) throw BusError("bus.adapter: instance \"" + name + "\" does not provide net.bus.adapter/1");
    return Adapter{static_cast<const net_bus_adapter_v1_t*>(found->vtable), found->object, found->keepalive};
}

// One shard: its ring, the flush thread's sleep/wake state, its counters and its batch.
struct Shard {
    Shard(std::uint32_t i, std::size_t capacity, std::size_t max_events) : index(i), ring(capacity)
    {
        batch.reserve(max_events);
    }

    const std::uint32_t index;
    detail::ShardRing ring;

    // The flush thread sleeps (futex on wake_seq) until ring.pushed() reaches wake_at; the
    // producer whose push gets there resets wake_at to kNoWake, bumps wake_seq and wakes it.
    // kNoWake while the thread is awake.
    alignas(64) std::atomic<std::uint64_t> wake_at{kNoWake};
    std::atomic<std::uint32_t> wake_seq{0};

    // Written by producers, on the back-pressure paths only.
    alignas(64) std::atomic<std::uint64_t> dropped_oldest{0};
    std::atomic<std::uint64_t> dropped_newest{0};
    std::atomic<std::uint64_t> sampled_out{0};
    std::atomic<std::uint64_t> rejected{0};
    std::atomic<std::uint64_t> sample_count{0};

    // Written by the flush thread (atomics so that stats() may read them).
    alignas(64) std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> events_written{0};
    std::atomic<std::uint64_t> bytes_written{0};
    std::atomic<std::uint64_t> retries{0};
    std::atomic<std::uint64_t> write_errors{0};
    std::atomic<std::uint64_t> failed_batches{0};
    std::atomic<std::uint64_t> failed_events{0};
    std::atomic<std::uint64_t> dropped_at_stop{0};
    std::atomic<std::int64_t> delay_ns{0};

    // The flush thread's own.
    std::vector<net_bus_event_t> batch;  // reserved to batch_max_events
    std::size_t batch_bytes = 0;
    net_bus_event_t carry{};  // taken from the ring, but did not fit the batch's bytes
    bool has_carry = false;
    std::uint64_t reported_pushed = 0;
    std::int64_t reported_depth = 0;
    bool adapter_failing = false;
    Clock::time_point last_drop_log{};
    std::uint64_t drops_not_logged = 0;
    std::thread thread;
};

struct Bus::Impl {
    Impl(BufferPool& b, Adapter a, BusConfig c, MetricsRegistry* registry, Logger* l)
        : buffers(b), adapter(std::move(a)), config(std::move(c)), logger(l)
    {
        validate_bus_config(config);
        config.batch_min_delay = std::min(config.batch_min_delay, config.batch_max_delay);
        capacity = std::bit_ceil(config.ring_capacity);
        high_water = config.sample_high_water != 0 ? config.sample_high_water : capacity - capacity / 4;
        if (adapter.vtable == nullptr) throw BusError("bus: no adapter");
        if (adapter.vtable->struct_size < sizeof(net_bus_adapter_v1_t)) {
            throw BusError("bus: the adapter's net.bus.adapter/1 table is " + std::to_string(adapter.vtable->struct_size) +
                           " bytes, expected at least " + std::to_string(sizeof(net_bus_adapter_v1_t)));
        }
        if (adapter.vtable->configure == nullptr || adapter.vtable->write_batch == nullptr) {
            throw BusError("bus: the adapter's table lacks configure or write_batch");
        }
        if (const net_status_t s = adapter.vtable->configure(adapter.self, config.shards); s != NET_OK) {
            throw BusError("bus: the adapter refused " + std::to_string(config.shards) + " shards: " + net_status_name(s));
        }
        if (registry != nullptr) register_metrics(*registry);
        std::random_device entropy;
        producer_seed = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy() ^
                        static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
        shards.reserve(config.shards);
        for (std::uint32_t i = 0; i < config.shards; ++i) {
            shards.push_back(std::make_unique<Shard>(i, capacity, config.batch_max_events));
            shards.back()->delay_ns = nanoseconds(config.batch_max_delay).count();
            shard_table.push_back(shards.back().get());
        }
    }

    void register_metrics(MetricsRegistry& r)
    {
        auto counter = [&](const char* name, const char* help) { return r.register_metric(NET_METRIC_COUNTER, name, help); };
        m.published = counter("bus.published", "events queued in a shard ring");
        m.dropped_oldest = counter("bus.dropped_oldest", "queued events evicted by drop_oldest");
        m.dropped_newest = counter("bus.dropped_newest", "new events dropped by drop_newest (or sample on a full ring)");
        m.sampled_out = counter("bus.sampled_out", "new events dropped by sample above the high-water mark");
        m.rejected = counter("bus.rejected", "publishes refused with NET_E_WOULD_BLOCK (policy fail)");
        m.batches = counter("bus.batches", "batches the adapter acknowledged");
        m.events_written = counter("bus.events_written", "events the adapter acknowledged");
        m.bytes_written = counter("bus.bytes_written", "payload bytes the adapter acknowledged");
        m.retries = counter("bus.retries", "write_batch calls repeated after a transient error");
        m.write_errors = counter("bus.write_errors", "write_batch calls that did not return NET_OK");
        m.failed_batches = counter("bus.failed_batches", "batches dropped after a permanent error or the retry timeout");
        m.failed_events = counter("bus.failed_events", "events in failed batches");
        m.dropped_at_stop = counter("bus.dropped_at_stop", "queued events dropped by stop (adapter down)");
        m.ring_depth = r.register_metric(NET_METRIC_GAUGE, "bus.ring_depth", "events queued in the shard rings");
        m.batch_events = r.register_metric(NET_METRIC_HISTOGRAM, "bus.batch_events", "events per written batch");
        m.batch_bytes = r.register_metric(NET_METRIC_HISTOGRAM, "bus.batch_bytes", "payload bytes per written batch");
        m.flush_latency = r.register_metric(NET_METRIC_HISTOGRAM, "bus.flush_latency_ns",
                                            "first write_batch call of a batch to its acknowledgement, retries included");
        m.ack_latency = r.register_metric(NET_METRIC_HISTOGRAM, "bus.ack_latency_ns",
                                          "publish of a batch's oldest event to the adapter's acknowledgement");
    }

    void log(net_log_level_t level, const std::string& message) const noexcept
    {
        if (logger != nullptr) logger->write(level, "bus", message);
    }

    // Producer side: wakes the flush thread if it sleeps waiting for this position.
    static void wake(Shard& s) noexcept
    {
        if (s.wake_at.exchange(kNoWake, std::memory_order_seq_cst) == kNoWake) return;
        s.wake_seq.fetch_add(1, std::memory_order_release);
        futex_wake(s.wake_seq, 1);
    }

    void wake_for_stop(Shard& s) noexcept
    {
        s.wake_seq.fetch_add(1, std::memory_order_release);
        futex_wake(s.wake_seq, INT32_MAX);
    }

    // Flush side: returns once the ring's pushes reach `target`, `deadline` passes, or stop
    // (or spuriously: callers re-check). Polls briefly, then sleeps. The seq_cst store of
    // wake_at then seq_cst load of pushed() here, against the producer's seq_cst CAS of its
    // position then seq_cst load of wake_at: one of the two sees the other. A wake between our
    // read of wake_seq and the futex call changes wake_seq, so the futex does not sleep.
    void wait_for(Shard& s, std::uint64_t target, std::optional<Clock::time_point> deadline) noexcept
    {
        const int spins = target - s.ring.popped() <= kSpinWithin ? kSpinsBeforeSleep : 0;
        for (int i = 1; i <= spins; ++i) {
            if (s.ring.written(target - 1) || stopping.load(std::memory_order_relaxed)) return;
            if (deadline && (i & 15) == 0 && Clock::now() >= *deadline) return;
            detail::cpu_relax();
        }
        const std::uint32_t seq = s.wake_seq.load(std::memory_order_acquire);
        s.wake_at.store(target, std::memory_order_seq_cst);
        if (s.ring.pushed() >= target || stopping.load(std::memory_order_seq_cst)) {
            s.wake_at.store(kNoWake, std::memory_order_relaxed);
            return;
        }
        if (deadline) {
            const auto left = std::chrono::duration_cast<nanoseconds>(*deadline - Clock::now()).count();
            if (left > 0) {
                const timespec timeout{static_cast<time_t>(left / 1'000'000'000), static_cast<long>(left % 1'000'000'000)};
                futex_wait(s.wake_seq, seq, &timeout);
            }
        } else {
            futex_wait(s.wake_seq, seq, nullptr);
        }
        s.wake_at.store(kNoWake, std::memory_order_relaxed);
    }

    template <bool Multi>
    void fill(Shard& s) noexcept
    {
        if (s.has_carry && s.batch.empty()) {
            s.batch.push_back(s.carry);
            s.batch_bytes = s.carry.payload->len;
            s.has_carry = false;
        }
        while (!s.has_carry && s.batch.size() < config.batch_max_events) {
            net_bus_event_t e;
            if (!s.ring.try_pop<Multi>(e)) break;
            const std::size_t len = e.payload->len;
            if (!s.batch.empty() && s.batch_bytes + len > config.batch_max_bytes) {
                s.carry = e;
                s.has_carry = true;
                break;
            }
            s.batch.push_back(e);
            s.batch_bytes += len;
        }
    }

    void fill(Shard& s) noexcept
    {
        if (config.policy == BackpressurePolicy::drop_oldest) {
            fill<true>(s);
        } else {
            fill<false>(s);
        }
    }

    bool full(const Shard& s) const noexcept
    {
        return s.has_carry || s.batch.size() >= config.batch_max_events || s.batch_bytes >= config.batch_max_bytes;
    }

    // Events that could complete the batch: by count, or by bytes at its mean event size.
    std::uint64_t remaining(const Shard& s) const noexcept
    {
        // Never more than the ring holds: producers could not get that far ahead.
        const std::size_t by_count = std::min(config.batch_max_events - s.batch.size(), capacity);
        if (s.batch.empty() || s.batch_bytes == 0) return by_count;
        const std::size_t mean = std::max<std::size_t>(1, s.batch_bytes / s.batch.size());
        const std::size_t by_bytes = (config.batch_max_bytes - s.batch_bytes) / mean + 1;
        return std::max<std::size_t>(1, std::min(by_count, by_bytes));
    }

    void release_batch(Shard& s) noexcept
    {
        for (const net_bus_event_t& e : s.batch) BufferPool::release(e.payload);
        s.batch.clear();
        s.batch_bytes = 0;
    }

    enum class Outcome { written, permanent_error, timed_out };

    // Hands the batch to the adapter, retrying transient errors until the retry timeout.
    Outcome write(Shard& s) noexcept
    {
        const std::size_t count = s.batch.size();
        net_bus_batch_t batch{sizeof(net_bus_batch_t), s.index, 0, 0, s.batch.data(), count};
        const Clock::time_point first = Clock::now();
        const Clock::time_point deadline = first + config.retry_timeout;
        nanoseconds backoff = config.retry_initial_backoff;
        net_status_t status = NET_OK;
        for (;;) {
            status = adapter.vtable->write_batch(adapter.self, &batch);
            if (status == NET_OK) break;
            s.write_errors.fetch_add(1, std::memory_order_relaxed);
            add(m.write_errors, 1);
            if (!is_transient(status)) break;
            if (!s.adapter_failing) {
                s.adapter_failing = true;
                log(NET_LOG_WARN, "shard " + std::to_string(s.index) + ": write_batch returned " + net_status_name(status) +
                                      "; retrying with backoff for up to " +
                                      std::to_string(config.retry_timeout.count()) + " ms");
            }
            const Clock::time_point now = Clock::now();
            if (now >= deadline) break;
            s.retries.fetch_add(1, std::memory_order_relaxed);
            add(m.retries, 1);
            std::this_thread::sleep_for(std::min<nanoseconds>(backoff, deadline - now));
            backoff = std::min<nanoseconds>(backoff * 2, config.retry_max_backoff);
            ++batch.attempt;
        }
        const Clock::time_point done = Clock::now();
        if (status == NET_OK) {
            s.batches.fetch_add(1, std::memory_order_relaxed);
            s.events_written.fetch_add(count, std::memory_order_relaxed);
            s.bytes_written.fetch_add(s.batch_bytes, std::memory_order_relaxed);
            add(m.batches, 1);
            add(m.events_written, static_cast<std::int64_t>(count));
            add(m.bytes_written, static_cast<std::int64_t>(s.batch_bytes));
            observe(m.batch_events, count);
            observe(m.batch_bytes, s.batch_bytes);
            observe(m.flush_latency, to_u64(nanoseconds(done - first).count()));
            if (m.ack_latency != nullptr) observe(m.ack_latency, to_u64(realtime_ns() - s.batch.front().timestamp_ns));
            if (s.adapter_failing) {
                s.adapter_failing = false;
                log(NET_LOG_INFO, "shard " + std::to_string(s.index) + ": the adapter accepts writes again (after " +
                                      std::to_string(batch.attempt) + " retries of this batch)");
            }
            return Outcome::written;
        }
        s.failed_batches.fetch_add(1, std::memory_order_relaxed);
        s.failed_events.fetch_add(count, std::memory_order_relaxed);
        add(m.failed_batches, 1);
        add(m.failed_events, static_cast<std::int64_t>(count));
        if (done - s.last_drop_log >= std::chrono::seconds(1)) {
            std::string message = "shard " + std::to_string(s.index) + ": dropped a batch of " + std::to_string(count) +
                                  " events: " + net_status_name(status) +
                                  (is_transient(status) ? " after " + std::to_string(batch.attempt + 1) + " attempts"
                                                        : std::string(" (permanent)"));
            if (s.drops_not_logged != 0) message += "; " + std::to_string(s.drops_not_logged) + " more batches dropped since the last report";
            log(NET_LOG_ERROR, message);
            s.last_drop_log = done;
            s.drops_not_logged = 0;
        } else {
            ++s.drops_not_logged;
        }
        return is_transient(status) ? Outcome::timed_out : Outcome::permanent_error;
    }

    // Drops every queued event of the shard (and its carry), counting them as dropped_at_stop.
    void drop_queued(Shard& s) noexcept
    {
        std::uint64_t dropped = 0;
        if (s.has_carry) {
            BufferPool::release(s.carry.payload);
            s.has_carry = false;
            ++dropped;
        }
        net_bus_event_t e;
        while (s.ring.try_pop<true>(e)) {
            BufferPool::release(e.payload);
            ++dropped;
        }
        s.dropped_at_stop.fetch_add(dropped, std::memory_order_relaxed);
        add(m.dropped_at_stop, static_cast<std::int64_t>(dropped));
    }

    // Brings the registry's published counter and depth gauge up to date for this shard.
    void sync_metrics(Shard& s) noexcept
    {
        const std::uint64_t pushed = s.ring.pushed();
        add(m.published, static_cast<std::int64_t>(pushed - s.reported_pushed));
        s.reported_pushed = pushed;
        const auto depth = static_cast<std::int64_t>(s.ring.depth());
        add(m.ring_depth, depth - s.reported_depth);
        s.reported_depth = depth;
    }

    void adapt(Shard& s, bool was_full) noexcept
    {
        if (!config.adaptive_delay) return;
        const nanoseconds current(s.delay_ns.load(std::memory_order_relaxed));
        nanoseconds next;
        if (was_full) {
            next = std::max<nanoseconds>(current / 2, config.batch_min_delay);
        } else {
            next = std::min<nanoseconds>(std::max<nanoseconds>(current + current / 4, current + std::chrono::microseconds(1)),
                                         config.batch_max_delay);
        }
        s.delay_ns.store(next.count(), std::memory_order_relaxed);
    }

    void flush_loop(Shard& s) noexcept
    {
        for (;;) {
            fill(s);
            if (s.batch.empty()) {
                if (stopping.load(std::memory_order_acquire)) {
                    if (s.ring.pushed() == s.ring.popped()) break;
                    detail::cpu_relax();  // a push is being written: take it
                    continue;
                }
                wait_for(s, s.ring.popped() + 1, std::nullopt);
                continue;
            }
            // Wait for the batch to fill, at most the delay from now (its first event).
            const nanoseconds delay(s.delay_ns.load(std::memory_order_relaxed));
            if (!full(s) && delay.count() > 0 && !stopping.load(std::memory_order_relaxed)) {
                const Clock::time_point deadline = Clock::now() + delay;
                while (!full(s) && !stopping.load(std::memory_order_relaxed) && Clock::now() < deadline) {
                    wait_for(s, s.ring.popped() + remaining(s), deadline);
                    fill(s);
                }
            }
            const bool was_full = full(s);
            const Outcome outcome = write(s);
            release_batch(s);
            if (!stopping.load(std::memory_order_relaxed)) {
                adapt(s, was_full);
            } else if (outcome == Outcome::timed_out) {
                drop_queued(s);  // stopping and the adapter is down: do not wait a timeout per batch
            }
            sync_metrics(s);
        }
        sync_metrics(s);
    }

    BufferPool& buffers;
    Adapter adapter;
    BusConfig config;
    Logger* logger;
    std::size_t capacity = 0;
    std::size_t high_water = 0;
    std::vector<std::unique_ptr<Shard>> shards;
    std::vector<Shard*> shard_table;
    std::atomic<bool> stopping{false};
    std::mutex stop_mutex;
    bool stopped = false;
    std::uint64_t producer_seed = 0;
    std::atomic<std::uint64_t> producers_made{0};

    struct {
        Metric* published = nullptr;
        Metric* dropped_oldest = nullptr;
        Metric* dropped_newest = nullptr;
        Metric* sampled_out = nullptr;
        Metric* rejected = nullptr;
        Metric* batches = nullptr;
        Metric* events_written = nullptr;
        Metric* bytes_written = nullptr;
        Metric* retries = nullptr;
        Metric* write_errors = nullptr;
        Metric* failed_batches = nullptr;
        Metric* failed_events = nullptr;
        Metric* dropped_at_stop = nullptr;
        Metric* ring_depth = nullptr;
        Metric* batch_events = nullptr;
        Metric* batch_bytes = nullptr;
        Metric* flush_latency = nullptr;
        Metric* ack_latency = nullptr;
    } m;
};

Bus::Bus(BufferPool& buffers, Adapter adapter, BusConfig config, MetricsRegistry* metrics, Logger* logger)
    : impl_(std::make_unique<Impl>(buffers, std::move(adapter), std::move(config), metrics, logger))
{
    try {
        for (auto& shard : impl_->shards) {
            Shard* s = shard.get();
            s->thread = std::thread([this, s] { impl_->flush_loop(*s); });
        }
    } catch (const std::system_error& e) {
        stop();
        throw BusError(std::string("bus: cannot start a flush thread: ") + e.what());
    }
}

Bus::~Bus()
{
    stop();
    // A publish that raced stop() may have queued after stop's own sweep.
    for (auto& s : impl_->shards) impl_->drop_queued(*s);
}

Producer Bus::make_producer() noexcept
{
    const std::uint64_t n = impl_->producers_made.fetch_add(1, std::memory_order_relaxed);
    // splitmix64 is a bijection: distinct inputs, distinct ids.
    return Producer(splitmix64(impl_->producer_seed + n * 0x9e3779b97f4a7c15ull), 0);
}

template <bool Keyed>
net_status_t Bus::publish_at(Producer& producer, std::uint64_t channel_hash, std::uint64_t key, net_buffer_t* payload,
                             std::int64_t timestamp_ns) noexcept
{
    Impl& I = *impl_;
    if (payload == nullptr) [[unlikely]]
        return NET_E_INVALID_ARGUMENT;
    if (I.stopping.load(std::memory_order_relaxed)) [[unlikely]]
        return NET_E_SHUTTING_DOWN;
    const std::uint64_t sequence = producer.next_;
    const std::uint64_t id = detail::dedup_hash(producer.id_, sequence);
    const std::uint64_t hash = Keyed ? detail::key_hash(key) : id;
    Shard& s = *I.shard_table[shard_for_hash(hash, I.config.shards)];
    const net_bus_event_t event{id, producer.id_, sequence, channel_hash, timestamp_ns, payload};
    const BackpressurePolicy policy = I.config.policy;

    if (policy == BackpressurePolicy::sample && s.ring.depth() >= I.high_water) {
        // Above the mark keep the 1st, (N+1)th, (2N+1)th, ... arrival of this shard.
        if (s.sample_count.fetch_add(1, std::memory_order_relaxed) % I.config.sample_rate != 0) {
            producer.next_ = sequence + 1;
            s.sampled_out.fetch_add(1, std::memory_order_relaxed);
            add(I.m.sampled_out, 1);
            BufferPool::release(payload);
            return NET_OK;
        }
    }
    std::uint64_t position = 0;
    if (!s.ring.try_push(event, position)) [[unlikely]] {
        switch (policy) {
        case BackpressurePolicy::fail:
            s.rejected.fetch_add(1, std::memory_order_relaxed);
            add(I.m.rejected, 1);
            return NET_E_WOULD_BLOCK;
        case BackpressurePolicy::drop_newest:
        case BackpressurePolicy::sample:
            producer.next_ = sequence + 1;
            s.dropped_newest.fetch_add(1, std::memory_order_relaxed);
            add(I.m.dropped_newest, 1);
            BufferPool::release(payload);
            return NET_OK;
        case BackpressurePolicy::drop_oldest:
            do {
                net_bus_event_t oldest;
                if (s.ring.try_pop<true>(oldest)) {
                    BufferPool::release(oldest.payload);
                    s.dropped_oldest.fetch_add(1, std::memory_order_relaxed);
                    add(I.m.dropped_oldest, 1);
                }
            } while (!s.ring.try_push(event, position));
            break;
        }
    }
    producer.next_ = sequence + 1;
    if (position + 1 >= s.wake_at.load(std::memory_order_seq_cst)) [[unlikely]]
        I.wake(s);
    return NET_OK;
}

net_status_t Bus::publish(Producer& producer, std::uint64_t channel_hash, net_buffer_t* payload) noexcept
{
    return publish_at<false>(producer, channel_hash, 0, payload, realtime_ns());
}

net_status_t Bus::publish_keyed(Producer& producer, std::uint64_t channel_hash, std::uint64_t key,
                                net_buffer_t* payload) noexcept
{
    return publish_at<true>(producer, channel_hash, key, payload, realtime_ns());
}

net_status_t Bus::publish_copy(Producer& producer, std::uint64_t channel_hash, const void* data, std::size_t len) noexcept
{
    if (data == nullptr && len != 0) return NET_E_INVALID_ARGUMENT;
    net_buffer_t* buffer = impl_->buffers.allocate(len);
    if (buffer == nullptr) return NET_E_NO_MEMORY;
    if (len != 0) std::memcpy(buffer->data, data, len);
    const net_status_t status = publish(producer, channel_hash, buffer);
    if (status != NET_OK) BufferPool::release(buffer);
    return status;
}

std::size_t Bus::publish_many(Producer& producer, std::uint64_t channel_hash, std::span<net_buffer_t* const> payloads,
                              net_status_t* status) noexcept
{
    const std::int64_t now = realtime_ns();
    net_status_t s = NET_OK;
    std::size_t n = 0;
    for (; n < payloads.size(); ++n) {
        s = publish_at<false>(producer, channel_hash, 0, payloads[n], now);
        if (s != NET_OK) break;
    }
    if (status != nullptr) *status = s;
    return n;
}

void Bus::stop() noexcept
{
    Impl& I = *impl_;
    std::lock_guard guard(I.stop_mutex);
    if (I.stopped) return;
    I.stopped = true;
    I.stopping.store(true, std::memory_order_seq_cst);
    for (auto& s : I.shards) I.wake_for_stop(*s);
    for (auto& s : I.shards) {
        if (s->thread.joinable()) s->thread.join();
    }
    // What a publish racing the stop queued after its shard's thread had left.
    for (auto& s : I.shards) {
        I.drop_queued(*s);
        I.sync_metrics(*s);
    }
}

BusStats Bus::stats() const
{
    const Impl& I = *impl_;
    BusStats out;
    out.shards.reserve(I.shards.size());
    for (const auto& sp : I.shards) {
        const Shard& s = *sp;
        ShardStats ss;
        ss.depth = s.ring.depth();
        ss.published = s.ring.pushed();
        ss.events_written = s.events_written.load(std::memory_order_relaxed);
        ss.delay = nanoseconds(s.delay_ns.load(std::memory_order_relaxed));
        out.published += ss.published;
        out.queued += ss.depth;
        out.dropped_oldest += s.dropped_oldest.load(std::memory_order_relaxed);
        out.dropped_newest += s.dropped_newest.load(std::memory_order_relaxed);
        out.sampled_out += s.sampled_out.load(std::memory_order_relaxed);
        out.rejected += s.rejected.load(std::memory_order_relaxed);
        out.batches_written += s.batches.load(std::memory_order_relaxed);
        out.events_written += ss.events_written;
        out.bytes_written += s.bytes_written.load(std::memory_order_relaxed);
        out.retries += s.retries.load(std::memory_order_relaxed);
        out.write_errors += s.write_errors.load(std::memory_order_relaxed);
        out.failed_batches += s.failed_batches.load(std::memory_order_relaxed);
        out.failed_events += s.failed_events.load(std::memory_order_relaxed);
        out.dropped_at_stop += s.dropped_at_stop.load(std::memory_order_relaxed);
        out.shards.push_back(ss);
    }
    return out;
}

const BusConfig& Bus::config() const noexcept
{
    return impl_->config;
}

std::uint32_t Bus::shard_count() const noexcept
{
    return impl_->config.shards;
}

}  // namespace net::kernel::bus
