// Dedup ids, the DedupFilter, and the shard choice (uniform and stable).
#define BOOST_TEST_MODULE bus_dedup
#include <boost/test/unit_test.hpp>

#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "net/kernel/bus/bus.hpp"
#include "net/kernel/bus/dedup.hpp"

namespace bus = net::kernel::bus;

namespace {

// The documented layout, written out: producer id then sequence, 8 little-endian bytes each.
std::uint64_t reference_dedup_id(std::uint64_t producer, std::uint64_t sequence)
{
    unsigned char bytes[16];
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(producer >> (8 * i));
        bytes[8 + i] = static_cast<unsigned char>(sequence >> (8 * i));
    }
    return XXH3_64bits(bytes, sizeof bytes);
}

// Pearson's chi-square statistic of `counts` against a uniform spread.
double chi_square(const std::vector<std::uint64_t>& counts)
{
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    const double expected = static_cast<double>(total) / static_cast<double>(counts.size());
    double chi = 0;
    for (auto c : counts) chi += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
    return chi;
}

net_bus_event_t event_of(std::uint64_t producer, std::uint64_t sequence)
{
    return net_bus_event_t{bus::dedup_id(producer, sequence), producer, sequence, 0, 0, nullptr};
}

}  // namespace

BOOST_AUTO_TEST_CASE(dedup_id_is_xxh3_of_the_little_endian_pair)
{
    for (std::uint64_t p : {0ull, 1ull, 0x0123456789abcdefull, ~0ull}) {
        for (std::uint64_t s : {0ull, 1ull, 255ull, 1ull << 40, ~0ull}) {
            BOOST_TEST(bus::dedup_id(p, s) == reference_dedup_id(p, s));
        }
    }
    // Pinned values: readers in other languages must get the same ids.
    BOOST_TEST(bus::dedup_id(0, 0) == XXH3_64bits("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
    BOOST_TEST(bus::dedup_id(1, 0) != bus::dedup_id(0, 1));
}

BOOST_AUTO_TEST_CASE(multiply_shift_maps_the_low_32_bits_onto_the_shards)
{
    BOOST_TEST(bus::shard_for_hash(0, 7) == 0u);
    BOOST_TEST(bus::shard_for_hash(0xffffffffull, 7) == 6u);
    BOOST_TEST(bus::shard_for_hash(0x80000000ull, 2) == 1u);
    BOOST_TEST(bus::shard_for_hash(0x7fffffffull, 2) == 0u);
    BOOST_TEST(bus::shard_for_hash(0xabcdef0000000000ull, 5) == 0u);  // the high half is not used
    BOOST_TEST(bus::shard_for_hash(12345, 1) == 0u);
    for (std::uint32_t n : {1u, 3u, 4u, 7u, 16u, 256u}) {
        std::mt19937_64 rng(n);
        for (int i = 0; i < 1000; ++i) BOOST_REQUIRE(bus::shard_for_hash(rng(), n) < n);
    }
}

BOOST_AUTO_TEST_CASE(shard_choice_is_stable)
{
    for (std::uint64_t s = 0; s < 1000; ++s) {
        const std::uint32_t shard = bus::shard_for_event(42, s, 8);
        BOOST_REQUIRE_EQUAL(shard, bus::shard_for_event(42, s, 8));
        BOOST_REQUIRE_EQUAL(shard, bus::shard_for_hash(reference_dedup_id(42, s), 8));
    }
    BOOST_TEST(bus::shard_for_key(7, 16) == bus::shard_for_key(7, 16));
}

BOOST_AUTO_TEST_CASE(shard_choice_is_uniform)
{
    // 99.9th percentile of chi-square: 7 degrees of freedom 24.32, 6: 22.46, 15: 37.70.
    const struct {
        std::uint32_t shards;
        double limit;
    } cases[] = {{8, 24.32}, {7, 22.46}, {16, 37.70}};
    for (const auto& c : cases) {
        std::vector<std::uint64_t> by_event(c.shards), by_key(c.shards);
        constexpr std::uint64_t kEvents = 400000;
        for (std::uint64_t i = 0; i < kEvents; ++i) {
            ++by_event[bus::shard_for_event(1000 + (i & 3), i >> 2, c.shards)];  // 4 producers, consecutive sequences
            ++by_key[bus::shard_for_key(i, c.shards)];                             // consecutive keys
        }
        BOOST_TEST(chi_square(by_event) < c.limit);
        BOOST_TEST(chi_square(by_key) < c.limit);
        const double mean = static_cast<double>(kEvents) / c.shards;
        for (auto n : by_event) BOOST_TEST(std::abs(static_cast<double>(n) - mean) < 0.02 * mean);
    }
}

BOOST_AUTO_TEST_CASE(filter_passes_new_events_and_refuses_repeats)
{
    bus::DedupFilter f;
    for (std::uint64_t s = 0; s < 10; ++s) BOOST_TEST(f.accept(event_of(1, s)));
    BOOST_TEST(f.next_expected(1) == 10u);
    for (std::uint64_t s = 5; s < 10; ++s) BOOST_TEST(!f.accept(event_of(1, s)));  // a replayed batch
    BOOST_TEST(f.accept(event_of(2, 0)));  // another producer is independent
    BOOST_TEST(f.next_expected(3) == 0u);
    BOOST_TEST(f.stats().accepted == 11u);
    BOOST_TEST(f.stats().duplicates == 5u);
    BOOST_TEST(f.producers() == 2u);
}

BOOST_AUTO_TEST_CASE(filter_handles_out_of_order_within_the_window)
{
    bus::DedupFilter f(64);
    BOOST_TEST(f.window() == 64u);
    BOOST_TEST(f.accept(1, 0));
    BOOST_TEST(f.accept(1, 3));
    BOOST_TEST(f.accept(1, 2));
    BOOST_TEST(f.next_expected(1) == 1u);
    BOOST_TEST(!f.accept(1, 3));
    BOOST_TEST(f.accept(1, 1));
    BOOST_TEST(f.next_expected(1) == 4u);  // 0..3 contiguous now
    BOOST_TEST(!f.accept(1, 2));
    // A jump past the window gives up the gap: 4..36 were never seen.
    BOOST_TEST(f.accept(1, 100));
    BOOST_TEST(f.next_expected(1) == 37u);
    BOOST_TEST(f.stats().skipped == 33u);
    BOOST_TEST(!f.accept(1, 20));   // below the window now: refused
    BOOST_TEST(f.accept(1, 50));    // inside the window, unseen
    BOOST_TEST(!f.accept(1, 50));
    BOOST_TEST(!f.accept(1, 100));
}

BOOST_AUTO_TEST_CASE(filter_refuses_an_event_whose_id_does_not_match)
{
    bus::DedupFilter f;
    net_bus_event_t e = event_of(9, 4);
    e.dedup_id ^= 1;
    BOOST_TEST(!f.accept(e));
    BOOST_TEST(f.stats().mismatched == 1u);
    BOOST_TEST(f.producers() == 0u);
}

BOOST_AUTO_TEST_CASE(filter_evicts_the_least_recently_seen_producer)
{
    bus::DedupFilter f(64, 2);
    BOOST_TEST(f.accept(1, 0));
    BOOST_TEST(f.accept(2, 0));
    BOOST_TEST(f.accept(1, 1));  // producer 2 is now the least recent
    BOOST_TEST(f.accept(3, 0));
    BOOST_TEST(f.producers() == 2u);
    BOOST_TEST(f.stats().producers_evicted == 1u);
    BOOST_TEST(f.next_expected(1) == 2u);
    BOOST_TEST(f.next_expected(2) == 0u);
    BOOST_CHECK_THROW(bus::DedupFilter(64, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(one_filter_per_shard_is_exact_under_replays)
{
    // A producer's events spread over 4 shards; each shard's stream is written with every batch
    // repeated (a retry after a partial write). Per-shard filters pass each event exactly once.
    constexpr std::uint32_t kShards = 4;
    std::vector<std::vector<net_bus_event_t>> streams(kShards);
    for (std::uint64_t s = 0; s < 5000; ++s) {
        auto& stream = streams[bus::shard_for_event(77, s, kShards)];
        stream.push_back(event_of(77, s));
        if (s % 10 == 9) {
            // Replay the last three events of this shard's stream.
            const std::size_t n = std::min<std::size_t>(3, stream.size());
            for (std::size_t i = stream.size() - n, end = stream.size(); i < end; ++i) stream.push_back(stream[i]);
        }
    }
    std::vector<bool> seen(5000);
    for (auto& stream : streams) {
        bus::DedupFilter f(64);
        for (const auto& e : stream) {
            if (f.accept(e)) {
                BOOST_REQUIRE(!seen[e.producer_sequence]);
                seen[e.producer_sequence] = true;
            }
        }
    }
    BOOST_TEST(std::count(seen.begin(), seen.end(), true) == 5000);
}
