// net/kernel/bus/dedup.hpp — the bus's deterministic dedup ids, and the reader-side filter that
// drops duplicates when a batch was written twice (a retry after "maybe partly written") or a
// shard is replayed.
//
// dedup_id(producer_id, producer_sequence) = XXH3-64 (seed 0) of the 16 bytes
//     producer_id as 8 little-endian bytes, then producer_sequence as 8 little-endian bytes.
// Any reader, in any language, recomputes it from the two fields an event carries. The bus also
// picks an event's shard from it (docs/bus.md), so the id costs one hash per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "net/iface/bus_adapter.h"

namespace net::kernel::bus {

// XXH3-64 of producer_id (8 bytes LE) followed by producer_sequence (8 bytes LE). [any-thread]
std::uint64_t dedup_id(std::uint64_t producer_id, std::uint64_t producer_sequence) noexcept;

// Counters of a DedupFilter.
struct DedupFilterStats {
    std::uint64_t accepted = 0;    // events seen for the first time
    std::uint64_t duplicates = 0;  // events refused: already seen, or older than the window (below)
    std::uint64_t mismatched = 0;  // events refused because dedup_id != dedup_id(producer, sequence)
    std::uint64_t skipped = 0;     // sequences given up when the window slid past them unseen
    std::uint64_t producers_evicted = 0;
};

// Remembers, per producer, which sequences were seen:
//   - `next_expected`: every sequence below it counts as seen (the highest contiguous one + 1);
//   - a window of `window` bits for the sequences [next_expected, next_expected + window) that
//     arrived out of order.
// A sequence at or beyond the end of the window slides it forward: sequences it passes that were
// never seen are given up (counted in `skipped`) and refused if they arrive later. So:
//   - one filter per shard is exact: within a shard the bus delivers a producer's events in
//     sequence order, and a replayed or re-written batch only repeats sequences already seen;
//   - one filter over several shards merged is exact while the merge reorders a producer's
//     events by less than `window` sequences.
// Producers beyond `max_producers` evict the one seen least recently (its duplicates would then
// pass once more). Memory: about window/8 + 48 bytes per producer.
// Not thread-safe: one reader owns a filter.
class DedupFilter {
public:
    // `window` is rounded up to a power of two, at least 64. Throws std::invalid_argument when
    // max_producers is 0.
    explicit DedupFilter(std::size_t window = 1024, std::size_t max_producers = 65536);

    // True when (producer_id, sequence) is new (and remembers it); false for a duplicate.
    bool accept(std::uint64_t producer_id, std::uint64_t sequence);
    // The same for an event, which is also refused when its dedup_id does not match its fields.
    bool accept(const net_bus_event_t& event);

    // Every sequence of `producer_id` below this counts as seen; 0 for an unknown producer.
    std::uint64_t next_expected(std::uint64_t producer_id) const noexcept;
    std::size_t producers() const noexcept { return producers_.size(); }
    std::size_t window() const noexcept { return window_; }
    const DedupFilterStats& stats() const noexcept { return stats_; }

private:
    struct State {
        std::uint64_t base = 0;            // next_expected
        std::uint64_t last_used = 0;       // for eviction
        std::vector<std::uint64_t> bits;   // bit (s & (window-1)) is s in [base, base + window)
    };
    State& state_for(std::uint64_t producer_id);
    bool test_bit(const State& s, std::uint64_t sequence) const noexcept;
    void set_bit(State& s, std::uint64_t sequence) noexcept;
    void clear_bit(State& s, std::uint64_t sequence) noexcept;

    std::size_t window_;
    std::size_t max_producers_;
    std::uint64_t tick_ = 0;
    std::unordered_map<std::uint64_t, State> producers_;
    DedupFilterStats stats_;
};

}  // namespace net::kernel::bus
