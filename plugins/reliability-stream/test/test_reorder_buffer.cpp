#include <boost/test/unit_test.hpp>

#include <vector>

#include "reorder_buffer.hpp"

using net::reliability::ReorderBuffer;
using Admit = ReorderBuffer::Admit;

namespace {
const std::vector<std::uint8_t> kPayload(10, 0xAB);
const net_bytes_t kView{kPayload.data(), kPayload.size()};
}  // namespace

BOOST_AUTO_TEST_CASE(in_order_packets_pass_and_early_ones_wait_for_their_turn)
{
    ReorderBuffer r(1000, 64);
    BOOST_TEST((r.admit(0, kView, 1) == Admit::in_order));
    r.advance();
    BOOST_TEST((r.admit(2, kView, 1) == Admit::buffered));
    BOOST_TEST((r.admit(4, kView, 1) == Admit::buffered));
    BOOST_TEST(!r.pop_ready().has_value());
    // next expected 1; 2 and 4 here, 3 missing: bit 0 is sequence 2 (present), bit 1 is 3 (missing)
    BOOST_TEST(r.missing_bitmap() == 0b10u);
    BOOST_TEST(r.buffered_bytes() == 20u);
    BOOST_TEST((r.admit(1, kView, 1) == Admit::in_order));
    r.advance();
    const auto two = r.pop_ready();
    BOOST_REQUIRE(two.has_value());
    BOOST_TEST(two->sequence == 2u);
    BOOST_TEST(!r.pop_ready().has_value());
    BOOST_TEST(r.next_expected() == 3u);
    BOOST_TEST(r.missing_bitmap() == 0u);  // only 3 (= next_expected) is missing, implied
    BOOST_TEST(r.has_gap());
}

BOOST_AUTO_TEST_CASE(duplicates_and_packets_beyond_the_bounds_are_not_kept)
{
    ReorderBuffer r(25, 8);
    BOOST_TEST((r.admit(0, kView, 1) == Admit::in_order));
    r.advance();
    BOOST_TEST((r.admit(0, kView, 1) == Admit::duplicate));
    BOOST_TEST((r.admit(3, kView, 1) == Admit::buffered));
    BOOST_TEST((r.admit(3, kView, 1) == Admit::duplicate));
    BOOST_TEST((r.admit(20, kView, 1) == Admit::beyond_window));  // more than 8 ahead
    BOOST_TEST((r.admit(4, kView, 1) == Admit::buffered));
    BOOST_TEST((r.admit(5, kView, 1) == Admit::beyond_window));  // 30 bytes > 25
}

BOOST_AUTO_TEST_CASE(bitmap_covers_64_sequences_after_next_expected)
{
    ReorderBuffer r(1u << 20, 1000);
    BOOST_TEST((r.admit(100, kView, 1) == Admit::buffered));
    // next 0; 1..64 -> bits 0..63 all missing (100 is beyond the bitmap)
    BOOST_TEST(r.missing_bitmap() == ~std::uint64_t{0});
    BOOST_TEST((r.admit(64, kView, 1) == Admit::buffered));  // bit 63
    BOOST_TEST(r.missing_bitmap() == (~std::uint64_t{0} >> 1));
}
