// net/kernel/bus/bus.hpp — the bus engine: producers publish events into shards, each shard's
// flush thread cuts its ring into batches and hands them to a net.bus.adapter/1 plugin
// (sdk/include/net/iface/bus_adapter.h). Operators' and plugin authors' guide: docs/bus.md.
//
//   publish ──xxh3(producer id, sequence)──► shard ring (bounded, lock-free MPMC, pre-sized)
//                       multiply-shift            │ back-pressure policy when full
//                                                 ▼
//                    flush thread per shard: batch by events / bytes / adaptive delay
//                                                 │ write_batch (payloads by reference)
//                                                 ▼ transient error: same batch, backoff
//                                              adapter
//
// Ownership: publish consumes the caller's payload reference when it returns NET_OK (even when
// the policy dropped the event); on any other status the caller still owns it. The engine hands
// the very same buffers to the adapter (no copy) and releases its references after the write.
//
// Threads: publish* [any-thread] (a Producer is used by one thread at a time); stop, stats
// [any-thread]; the adapter's write_batch runs on the engine's flush threads, one per shard.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/buffer.h"
#include "net/iface/bus_adapter.h"
#include "net/kernel/bus/bus_config.hpp"
#include "net/status.h"

namespace net::kernel {
class BufferPool;
class Logger;
class MetricsRegistry;
class PluginHost;
}  // namespace net::kernel

namespace net::kernel::bus {

// Lemire's multiply-shift: the low 32 bits of `hash` scaled to [0, shards). No division.
constexpr std::uint32_t shard_for_hash(std::uint64_t hash, std::uint32_t shards) noexcept
{
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(hash)) * shards) >> 32);
}

// The shard of an event published without a key: from its dedup id, XXH3-64 of (producer id,
// sequence) — so a producer's events spread evenly over every shard.
std::uint32_t shard_for_event(std::uint64_t producer_id, std::uint64_t sequence, std::uint32_t shards) noexcept;

// The shard of an event published with a caller key: from XXH3-64 of the key's 8 little-endian
// bytes — every event with the same key lands in the same shard, in publish order.
std::uint32_t shard_for_key(std::uint64_t key, std::uint32_t shards) noexcept;

// The engine cannot be built (adapter missing or refusing the shard count, no memory, ...).
class BusError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The adapter as the plugin host hands it out: the interface table and its object. `keepalive`
// (optional) keeps the providing library loaded while the engine uses it.
struct Adapter {
    const net_bus_adapter_v1_t* vtable = nullptr;
    void* self = nullptr;
    std::shared_ptr<void> keepalive;
};

// The instance named `instance` that provides net.bus.adapter/1 — or, when `instance` is empty,
// the only instance that does. Throws BusError naming what is missing or ambiguous.
Adapter find_bus_adapter(PluginHost& plugins, const std::string& instance);

// A producer: its id and the sequence its next event gets (0, 1, 2, ...). The pair must never be
// reused, since the dedup id derives from it: a producer that restarts and wants its events
// deduplicated against earlier ones resumes with its persisted id and next sequence; otherwise
// take a fresh one from Bus::make_producer. Used by one thread at a time.
class Producer {
public:
    explicit Producer(std::uint64_t id, std::uint64_t next_sequence = 0) noexcept : id_(id), next_(next_sequence) {}
    std::uint64_t id() const noexcept { return id_; }
    std::uint64_t next_sequence() const noexcept { return next_; }

private:
    friend class Bus;
    std::uint64_t id_;
    std::uint64_t next_;
};

struct ShardStats {
    std::size_t depth = 0;             // events in the ring now
    std::uint64_t published = 0;       // events queued in this ring since the start
    std::uint64_t events_written = 0;  // events the adapter acknowledged
    std::chrono::nanoseconds delay{0}; // the batch delay the shard uses now
};

// Counters since the engine started. After stop():
//   published == events_written + failed_events + dropped_oldest + dropped_at_stop.
struct BusStats {
    std::uint64_t published = 0;       // events queued in a ring
    std::uint64_t dropped_oldest = 0;  // queued events evicted by drop_oldest
    std::uint64_t dropped_newest = 0;  // new events dropped by drop_newest (or sample on a full ring)
    std::uint64_t sampled_out = 0;     // new events dropped by sample above the high-water mark
    std::uint64_t rejected = 0;        // publishes refused with NET_E_WOULD_BLOCK (fail)
    std::uint64_t batches_written = 0;
    std::uint64_t events_written = 0;
    std::uint64_t bytes_written = 0;   // payload bytes
    std::uint64_t retries = 0;         // write_batch calls repeated after a transient error
    std::uint64_t write_errors = 0;    // write_batch calls that did not return NET_OK
    std::uint64_t failed_batches = 0;  // batches dropped: permanent error or retry timeout
    std::uint64_t failed_events = 0;
    std::uint64_t dropped_at_stop = 0; // queued events dropped by stop (adapter down, or a publish racing stop)
    std::size_t queued = 0;            // events in the rings now
    std::vector<ShardStats> shards;
};

class Bus {
public:
    // Checks the config (validate_bus_config) and the adapter's table, calls the adapter's
    // configure(shards), allocates every ring and batch, and starts one flush thread per shard.
    // `buffers` is the pool publish_copy allocates from. `metrics` (optional) gets the "bus.*"
    // metrics of docs/bus.md; `logger` (optional) gets dropped batches and adapter outages.
    // Throws BusConfigError or BusError.
    Bus(BufferPool& buffers, Adapter adapter, BusConfig config, MetricsRegistry* metrics = nullptr,
        Logger* logger = nullptr);
    ~Bus();  // stop()
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    // A producer with a fresh random 64-bit id and sequence 0. [any-thread]
    Producer make_producer() noexcept;

    // Publishes one event (timestamped now) to the shard of (producer id, sequence).
    //   NET_OK: the payload reference is consumed and the producer's sequence advanced. The event
    //     is queued — unless the policy dropped it (drop_newest on a full ring, sample above the
    //     high-water mark), which the counters record; drop_oldest may have evicted an older one.
    //   NET_E_WOULD_BLOCK (policy fail, ring full): nothing happened; the caller keeps the
    //     payload and the sequence is not used, so publishing again later loses nothing.
    //   NET_E_SHUTTING_DOWN after stop(), NET_E_INVALID_ARGUMENT for a null payload: nothing happened.
    net_status_t publish(Producer& producer, std::uint64_t channel_hash, net_buffer_t* payload) noexcept;
    // The same, to the shard of `key` (shard_for_key): events with one key keep their order.
    net_status_t publish_keyed(Producer& producer, std::uint64_t channel_hash, std::uint64_t key,
                               net_buffer_t* payload) noexcept;
    // Copies `len` bytes into a buffer from the engine's pool, then publish. NET_E_NO_MEMORY
    // when the pool cannot allocate.
    net_status_t publish_copy(Producer& producer, std::uint64_t channel_hash, const void* data, std::size_t len) noexcept;
    // Publishes payloads[0..] in order, with one timestamp, until one is not accepted. Returns
    // how many were consumed (as by publish returning NET_OK); `status` (optional) gets the
    // status of the first one not consumed, or NET_OK. The caller still owns the rest.
    std::size_t publish_many(Producer& producer, std::uint64_t channel_hash, std::span<net_buffer_t* const> payloads,
                             net_status_t* status = nullptr) noexcept;

    // Refuses new events, writes what is queued and joins the flush threads. A batch that still
    // fails when its retry timeout has passed is dropped as always, and during stop everything
    // still queued in its shard is dropped with it (dropped_at_stop): stop takes at most about
    // one retry timeout beyond the draining.
    // Idempotent. [any-thread], but not from a flush thread (an adapter callback).
    void stop() noexcept;

    // Exact for the counters, a snapshot for the depths. [any-thread]
    BusStats stats() const;

    const BusConfig& config() const noexcept;
    std::uint32_t shard_count() const noexcept;

private:
    struct Impl;
    template <bool Keyed>
    net_status_t publish_at(Producer& producer, std::uint64_t channel_hash, std::uint64_t key,
                            net_buffer_t* payload, std::int64_t timestamp_ns) noexcept;

    std::unique_ptr<Impl> impl_;
};

}  // namespace net::kernel::bus
