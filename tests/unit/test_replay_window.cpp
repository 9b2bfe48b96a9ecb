// test_replay_window.cpp — net::kernel::crypto::ReplayWindow: edge cases and a seeded property
// test against a reference model (the set of seen counters and the "highest - window" rule).
#define BOOST_TEST_MODULE replay_window
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/kernel/crypto/replay_window.hpp"

using net::kernel::crypto::ReplayVerdict;
using net::kernel::crypto::ReplayWindow;

namespace {

constexpr std::uint64_t max_counter = std::numeric_limits<std::uint64_t>::max();

// Accepts counters in (highest - window, highest] once each; anything above highest slides.
class ReferenceWindow {
public:
    explicit ReferenceWindow(std::uint64_t window) : window_(window) {}

    ReplayVerdict admit(std::uint64_t c)
    {
        if (c == max_counter) return ReplayVerdict::invalid;
        if (c <= highest_ && highest_ - c >= window_) return ReplayVerdict::too_old;
        if (!seen_.insert(c).second) return ReplayVerdict::duplicate;
        if (c > highest_) highest_ = c;
        while (!seen_.empty() && highest_ - *seen_.begin() >= window_) seen_.erase(seen_.begin());
        return ReplayVerdict::admitted;
    }

private:
    std::uint64_t window_;
    std::uint64_t highest_ = 0;
    std::set<std::uint64_t> seen_;
};

const char* name(ReplayVerdict v)
{
    switch (v) {
        case ReplayVerdict::admitted:
            return "admitted";
        case ReplayVerdict::duplicate:
            return "duplicate";
        case ReplayVerdict::too_old:
            return "too_old";
        case ReplayVerdict::invalid:
            return "invalid";
    }
    return "?";
}

}  // namespace

BOOST_AUTO_TEST_CASE(rejects_bad_sizes)
{
    BOOST_CHECK_THROW(ReplayWindow(0), std::invalid_argument);
    BOOST_CHECK_THROW(ReplayWindow(32), std::invalid_argument);
    BOOST_CHECK_THROW(ReplayWindow(1000), std::invalid_argument);
    BOOST_CHECK_NO_THROW(ReplayWindow(64));
    BOOST_CHECK_EQUAL(ReplayWindow().window_size(), 1024u);
}

BOOST_AUTO_TEST_CASE(edge_cases)
{
    for (std::uint64_t w : {64u, 1024u, 4096u}) {
        ReplayWindow rw(w);
        BOOST_CHECK(rw.try_admit(0) == ReplayVerdict::admitted);
        BOOST_CHECK(rw.try_admit(0) == ReplayVerdict::duplicate);
        BOOST_CHECK(rw.try_admit(max_counter) == ReplayVerdict::invalid);

        const std::uint64_t top = 10 * w + 37;
        BOOST_CHECK(rw.try_admit(top) == ReplayVerdict::admitted);
        BOOST_CHECK_EQUAL(rw.highest(), top);
        BOOST_CHECK(rw.try_admit(top - (w - 1)) == ReplayVerdict::admitted);  // exactly window-1 behind
        BOOST_CHECK(rw.try_admit(top - (w - 1)) == ReplayVerdict::duplicate);
        BOOST_CHECK(rw.try_admit(top - w) == ReplayVerdict::too_old);  // exactly window behind
        BOOST_CHECK(rw.try_admit(0) == ReplayVerdict::too_old);
        BOOST_CHECK(rw.try_admit(top) == ReplayVerdict::duplicate);
        BOOST_CHECK(rw.try_admit(top - 1) == ReplayVerdict::admitted);

        // A jump far beyond the window starts a fresh window: nothing old leaks into it.
        const std::uint64_t jump = top + 1000 * w + 5;
        BOOST_CHECK(rw.try_admit(jump) == ReplayVerdict::admitted);
        BOOST_CHECK(rw.try_admit(top) == ReplayVerdict::too_old);
        for (std::uint64_t c = jump - (w - 1); c < jump; ++c)
            BOOST_REQUIRE_MESSAGE(rw.try_admit(c) == ReplayVerdict::admitted, "counter " << c);
        for (std::uint64_t c = jump - (w - 1); c <= jump; ++c)
            BOOST_REQUIRE(rw.try_admit(c) == ReplayVerdict::duplicate);

        // Exactly one window ahead: every word is recycled, and stale bits must be gone.
        const std::uint64_t next = jump + w;
        BOOST_CHECK(rw.try_admit(next) == ReplayVerdict::admitted);
        for (std::uint64_t c = next - (w - 1); c < next; ++c)
            BOOST_REQUIRE_MESSAGE(rw.try_admit(c) == ReplayVerdict::admitted, "counter " << c);

        // Near the top of the counter space.
        BOOST_CHECK(rw.try_admit(max_counter - 1) == ReplayVerdict::admitted);
        BOOST_CHECK(rw.try_admit(max_counter - 1) == ReplayVerdict::duplicate);
        BOOST_CHECK(rw.try_admit(max_counter - w) == ReplayVerdict::admitted);
        BOOST_CHECK(rw.try_admit(max_counter - 1 - w) == ReplayVerdict::too_old);
        BOOST_CHECK(rw.try_admit(max_counter) == ReplayVerdict::invalid);

        const auto st = rw.stats();
        BOOST_CHECK_EQUAL(st.invalid, 2u);
        BOOST_CHECK_EQUAL(st.too_old, 4u);
        BOOST_CHECK_EQUAL(st.duplicate, 4u + w);
        BOOST_CHECK_EQUAL(st.admitted, 8u + 2 * (w - 1));
    }
}

BOOST_AUTO_TEST_CASE(sequential_then_late_arrivals)
{
    ReplayWindow rw(1024);
    for (std::uint64_t c = 1; c <= 5000; c += 2) BOOST_REQUIRE(rw.try_admit(c) == ReplayVerdict::admitted);
    // Even counters arrive late: the last 1024 positions below 4999 are still open.
    for (std::uint64_t c = 2; c <= 5000; c += 2) {
        const auto v = rw.try_admit(c);
        BOOST_REQUIRE(v == (4999 - c < 1024 || c > 4999 ? ReplayVerdict::admitted : ReplayVerdict::too_old));
    }
}

BOOST_AUTO_TEST_CASE(matches_reference_model)
{
    for (std::uint64_t w : {64u, 1024u, 4096u}) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            std::mt19937_64 rng(seed * 1000 + w);
            ReplayWindow rw(w);
            ReferenceWindow ref(w);
            std::uint64_t next = rng() % 3 == 0 ? 0 : rng() % (1u << 20);
            std::vector<std::uint64_t> recent;
            std::size_t counts[4] = {};
            for (int op = 0; op < 120000; ++op) {
                std::uint64_t c;
                const unsigned kind = rng() % 100;
                if (kind < 55) {
                    c = next++;  // in order
                } else if (kind < 80) {
                    const std::uint64_t back = rng() % (w + w / 2 + 2);  // reordered, some too old
                    c = next > back ? next - back : 0;
                } else if (kind < 92 && !recent.empty()) {
                    c = recent[rng() % recent.size()];  // duplicate of a recent counter
                } else if (kind < 97) {
                    c = next + rng() % (2 * w);  // ahead, inside or beyond one window
                } else if (kind < 99) {
                    next += w * (1 + rng() % 50) + rng() % 64;  // big jump
                    c = next;
                } else {
                    c = rng() % 50 == 0 ? max_counter : w - 1 + (next > w ? next - 2 * w : 0);
                }
                recent.push_back(c);
                if (recent.size() > 64) recent.erase(recent.begin());
                const auto expected = ref.admit(c);
                const auto got = rw.try_admit(c);
                BOOST_REQUIRE_MESSAGE(got == expected, "window " << w << " seed " << seed << " op " << op << " counter "
                                                                 << c << ": got " << name(got) << ", expected "
                                                                 << name(expected));
                ++counts[static_cast<int>(got)];
            }
            const auto st = rw.stats();
            BOOST_CHECK_EQUAL(st.admitted, counts[0]);
            BOOST_CHECK_EQUAL(st.duplicate, counts[1]);
            BOOST_CHECK_EQUAL(st.too_old, counts[2]);
            BOOST_CHECK_EQUAL(st.invalid, counts[3]);
            BOOST_CHECK_GT(counts[1], 1000u);
            BOOST_CHECK_GT(counts[2], 1000u);
        }
    }
}

BOOST_AUTO_TEST_CASE(concurrent_admission_admits_each_counter_once)
{
    ReplayWindow rw(4096);
    constexpr int threads = 4;
    constexpr std::uint64_t n = 50000;
    std::vector<std::uint64_t> admitted(threads, 0);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (std::uint64_t c = 0; c < n; ++c)
                if (rw.try_admit(c) == ReplayVerdict::admitted) ++admitted[static_cast<std::size_t>(t)];
        });
    }
    for (auto& th : pool) th.join();
    std::uint64_t total = 0;
    for (auto a : admitted) total += a;
    const auto st = rw.stats();
    BOOST_CHECK_EQUAL(total, st.admitted);
    BOOST_CHECK_LE(total, n);
    BOOST_CHECK_EQUAL(st.admitted + st.duplicate + st.too_old, threads * n);
}
