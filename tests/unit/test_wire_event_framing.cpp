// Event framing [u32 len][bytes] and the 24-byte event meta prefix: writer capacity checks,
// measure without encoding, reader bounds checks (truncated prefix, overrun, count mismatch) at
// every truncation, and seeded random round trips.
#define BOOST_TEST_MODULE wire_event_framing
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdint>
#include <ostream>
#include <random>
#include <vector>

#include "net/kernel/wire/event_framing.hpp"
#include "net/kernel/wire/event_meta.hpp"

namespace net::kernel::wire {
// Lets BOOST_TEST print errors by name.
std::ostream& operator<<(std::ostream& os, WireError e)
{
    return os << wire_error_name(e);
}
}  // namespace net::kernel::wire

namespace wire = net::kernel::wire;
using wire::WireError;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes event_of(std::size_t size, std::uint8_t fill)
{
    return Bytes(size, fill);
}

// Frames `events` into a buffer sized by measure_events.
Bytes frame(const std::vector<Bytes>& events)
{
    std::vector<std::size_t> sizes;
    for (const auto& e : events) sizes.push_back(e.size());
    const auto total = wire::measure_events(sizes);
    BOOST_TEST_REQUIRE(total.ok());
    Bytes out(*total);
    wire::EventWriter w(out);
    for (const auto& e : events) BOOST_TEST_REQUIRE(w.append(e).ok());
    BOOST_TEST_REQUIRE(w.size() == out.size());
    BOOST_TEST_REQUIRE(w.remaining() == 0u);
    return out;
}

std::vector<Bytes> read_all(std::span<const std::uint8_t> payload, std::uint16_t count, wire::Status& status)
{
    std::vector<Bytes> events;
    wire::EventReader r(payload, count);
    std::span<const std::uint8_t> e;
    while (r.next(e)) events.emplace_back(e.begin(), e.end());
    BOOST_TEST(r.done());
    status = r.status();
    return events;
}

}  // namespace

BOOST_AUTO_TEST_CASE(writer_frames_little_endian_length_prefixes)
{
    std::array<std::uint8_t, 16> out{};
    wire::EventWriter w(out);
    const Bytes a{1, 2, 3};
    BOOST_TEST(w.append(a).ok());
    BOOST_TEST(w.append({}).ok());
    BOOST_TEST(w.count() == 2);
    BOOST_TEST(w.size() == 11u);
    const Bytes expected{3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0};
    BOOST_TEST(Bytes(w.written().begin(), w.written().end()) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(writer_refuses_what_does_not_fit_and_writes_nothing)
{
    std::array<std::uint8_t, 10> out{};
    out.fill(0xEE);
    wire::EventWriter w(out);
    BOOST_TEST(w.append(event_of(6, 1)).ok());  // exactly fills
    const auto full = w.append({});
    BOOST_TEST(full.error() == WireError::buffer_too_small);
    BOOST_TEST(full.offset() == 10u);
    BOOST_TEST(w.count() == 1);

    std::array<std::uint8_t, 10> small{};
    small.fill(0xEE);
    wire::EventWriter w2(small);
    BOOST_TEST(w2.append(event_of(7, 1)).error() == WireError::buffer_too_small);
    std::array<std::uint8_t, 3> tiny{};
    wire::EventWriter w3(tiny);
    BOOST_TEST(w3.append({}).error() == WireError::buffer_too_small);
    BOOST_TEST(w2.size() == 0u);
    for (auto b : small) BOOST_TEST(b == 0xEE);

    BOOST_TEST(w2.claim(std::size_t{1} << 33).error() == WireError::event_too_large);
}

BOOST_AUTO_TEST_CASE(claim_returns_the_bytes_to_fill_in_place)
{
    std::array<std::uint8_t, 12> out{};
    wire::EventWriter w(out);
    const auto body = w.claim(5);
    BOOST_TEST_REQUIRE(body.ok());
    BOOST_TEST(body->size() == 5u);
    BOOST_TEST(body->data() == out.data() + 4);
    for (auto& b : *body) b = 0x42;
    wire::EventReader r(w.written(), 1);
    std::span<const std::uint8_t> e;
    BOOST_TEST_REQUIRE(r.next(e));
    BOOST_TEST(Bytes(e.begin(), e.end()) == Bytes(5, 0x42), boost::test_tools::per_element());
    BOOST_TEST(!r.next(e));
    BOOST_TEST(r.status().ok());
}

BOOST_AUTO_TEST_CASE(writer_stops_at_65535_events)
{
    std::vector<std::uint8_t> out(4 * 65536);
    wire::EventWriter w(out);
    for (int i = 0; i < 65535; ++i) BOOST_TEST_REQUIRE(w.append({}).ok());
    BOOST_TEST(w.count() == 65535);
    BOOST_TEST(w.append({}).error() == WireError::too_many_events);
}

BOOST_AUTO_TEST_CASE(measure_matches_encoding_and_checks_limits)
{
    const std::vector<std::size_t> sizes{0, 1, 100, 8000};
    const auto m = wire::measure_events(sizes);
    BOOST_TEST_REQUIRE(m.ok());
    BOOST_TEST(*m == 4u * 4 + 8101);
    BOOST_TEST(*wire::measure_events({}) == 0u);
    const std::vector<std::size_t> huge{1, std::size_t{1} << 32};
    BOOST_TEST(wire::measure_events(huge).error() == WireError::event_too_large);
    BOOST_TEST(wire::measure_events(huge).offset() == 1u);
    const std::vector<std::size_t> max_ok{0xFFFFFFFFu};
    BOOST_TEST(*wire::measure_events(max_ok) == 0x100000003ull);
    const std::vector<std::size_t> many(65536, 0);
    BOOST_TEST(wire::measure_events(many).error() == WireError::too_many_events);
    BOOST_TEST(wire::measure_events(std::span(many).first(65535)).ok());
}

BOOST_AUTO_TEST_CASE(reader_round_trips_and_counts)
{
    const std::vector<Bytes> events{event_of(0, 0), event_of(1, 1), event_of(300, 2)};
    const Bytes payload = frame(events);
    wire::Status st;
    BOOST_TEST((read_all(payload, 3, st) == events));
    BOOST_TEST(st.ok());
    wire::EventReader any(payload);
    std::span<const std::uint8_t> e;
    int n = 0;
    while (any.next(e)) ++n;
    BOOST_TEST(n == 3);
    BOOST_TEST(any.status().ok());
    BOOST_TEST(wire::validate_events(payload, 3).ok());
    BOOST_TEST(wire::validate_events({}, 0).ok());
}

BOOST_AUTO_TEST_CASE(reader_reports_count_mismatches)
{
    const Bytes payload = frame({event_of(2, 1), event_of(3, 2)});
    const auto fewer = wire::validate_events(payload, 1);
    BOOST_TEST(fewer.error() == WireError::event_count_mismatch);
    BOOST_TEST(fewer.offset() == 6u);
    const auto more = wire::validate_events(payload, 3);
    BOOST_TEST(more.error() == WireError::event_count_mismatch);
    BOOST_TEST(more.offset() == payload.size());
    BOOST_TEST(wire::validate_events({}, 1).error() == WireError::event_count_mismatch);
}

BOOST_AUTO_TEST_CASE(reader_reports_truncated_prefixes_and_overruns_at_every_length)
{
    const Bytes payload = frame({event_of(5, 1), event_of(7, 2)});  // events at 0 and 9, end 20
    for (std::size_t len = 0; len < payload.size(); ++len) {
        const std::span<const std::uint8_t> cut(payload.data(), len);
        wire::EventReader r(cut);
        std::span<const std::uint8_t> e;
        while (r.next(e)) {
            BOOST_TEST_REQUIRE(e.data() >= cut.data());
            BOOST_TEST_REQUIRE(e.data() + e.size() <= cut.data() + cut.size());
        }
        const std::size_t start = len < 9 ? 0 : 9;
        const std::size_t rel = len - start;
        if (rel == 0) {
            BOOST_TEST(r.status().ok());  // a clean cut between events
        } else if (rel < 4) {
            BOOST_TEST(r.status().error() == WireError::truncated_length);
            BOOST_TEST(r.status().offset() == start);
        } else {
            BOOST_TEST(r.status().error() == WireError::event_overrun);
            BOOST_TEST(r.status().offset() == start);
        }
        const auto with_count = wire::validate_events(cut, 2);
        BOOST_TEST(!with_count.ok());
    }
}

BOOST_AUTO_TEST_CASE(reader_refuses_a_length_near_u32_max)
{
    const Bytes payload{0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3};
    BOOST_TEST(wire::validate_events(payload, 1).error() == WireError::event_overrun);
    const Bytes almost{0xFC, 0xFF, 0xFF, 0xFF};
    BOOST_TEST(wire::validate_events(almost, 1).error() == WireError::event_overrun);
}

BOOST_AUTO_TEST_CASE(random_event_sets_round_trip)
{
    std::mt19937_64 rng(0x5EED0002);
    for (int round = 0; round < 2000; ++round) {
        std::vector<Bytes> events(rng() % 20);
        for (auto& e : events) {
            e.resize(rng() % 64);
            for (auto& b : e) b = static_cast<std::uint8_t>(rng());
        }
        const Bytes payload = frame(events);
        wire::Status st;
        BOOST_TEST_REQUIRE((read_all(payload, static_cast<std::uint16_t>(events.size()), st) == events));
        BOOST_TEST_REQUIRE(st.ok());
    }
}

BOOST_AUTO_TEST_CASE(event_meta_round_trips_little_endian)
{
    const wire::EventMeta m{0x0102030405060708ULL, 0x1112131415161718ULL, 42};
    std::array<std::uint8_t, wire::kEventMetaSize> b{};
    wire::encode(m, b);
    BOOST_TEST(b[0] == 0x08);
    BOOST_TEST(b[7] == 0x01);
    BOOST_TEST(b[8] == 0x18);
    BOOST_TEST(b[16] == 42);
    const auto r = wire::decode_event_meta(b);
    BOOST_TEST_REQUIRE(r.ok());
    BOOST_TEST((*r == m));
    for (std::size_t len = 0; len < b.size(); ++len) {
        const auto t = wire::decode_event_meta(std::span(b).first(len));
        BOOST_TEST(t.error() == WireError::too_short);
        BOOST_TEST(t.offset() == len);
    }
    std::mt19937_64 rng(0x5EED0003);
    for (int i = 0; i < 1000; ++i) {
        const wire::EventMeta x{rng(), rng(), rng()};
        wire::encode(x, b);
        BOOST_TEST_REQUIRE((*wire::decode_event_meta(b) == x));
    }
}
