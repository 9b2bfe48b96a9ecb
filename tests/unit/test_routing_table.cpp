// test_routing_table.cpp — net::kernel::mesh::RoutingTable: direct and pingwave routes, the flood
// rules (sequence, shorter path, split horizon, hop limit), withdrawal, expiry, and small meshes
// simulated by passing pingwaves between tables by hand.
#define BOOST_TEST_MODULE routing_table
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/kernel/mesh/routing_table.hpp"

using net::kernel::mesh::Address;
using net::kernel::mesh::PingwaveVerdict;
using net::kernel::mesh::Route;
using net::kernel::mesh::RouteSource;
using net::kernel::mesh::RoutingConfig;
using net::kernel::mesh::RoutingTable;
using std::chrono::seconds;
using time_point = std::chrono::steady_clock::time_point;
using duration = std::chrono::steady_clock::duration;
using Addresses = std::vector<Address>;

namespace {

const time_point t0 = time_point{} + std::chrono::hours(1);
constexpr duration tick{1};  // the clock's finest step

constexpr Address self = 0x0000'0000'0001;
constexpr Address b = 0x0000'0000'000b;
constexpr Address c = 0x0000'0000'000c;
constexpr Address d = 0x0000'0000'000d;
constexpr Address e = 0x0000'0000'000e;

RoutingConfig config_with_ttl(duration ttl)
{
    RoutingConfig config;
    config.route_ttl = ttl;
    return config;
}

// A table for `self` with direct neighbours b, c, d up since t0.
RoutingTable table_with_neighbours_b_c_d()
{
    RoutingTable table(self, RoutingConfig{});
    for (Address n : {b, c, d}) table.add_direct(n, t0);
    return table;
}

bool invalid_argument_mentioning(const std::invalid_argument& error, const std::string& text)
{
    BOOST_TEST_INFO("what(): " << error.what());
    return std::string(error.what()).find(text) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(configuration)

BOOST_AUTO_TEST_CASE(defaults_are_three_second_ttl_and_sixteen_hops)
{
    const RoutingConfig config;
    BOOST_TEST((config.route_ttl == seconds(3)));
    BOOST_TEST(config.max_hops == 16);
    BOOST_CHECK_NO_THROW(config.validate());
}

BOOST_AUTO_TEST_CASE(non_positive_ttl_is_rejected_with_its_name)
{
    BOOST_CHECK_EXCEPTION(RoutingTable(self, config_with_ttl(duration::zero())), std::invalid_argument,
                          [](const auto& error) { return invalid_argument_mentioning(error, "route_ttl"); });
    BOOST_CHECK_EXCEPTION(RoutingTable(self, config_with_ttl(-seconds(1))), std::invalid_argument,
                          [](const auto& error) { return invalid_argument_mentioning(error, "route_ttl"); });
}

BOOST_AUTO_TEST_CASE(max_hops_outside_one_to_sixteen_is_rejected_with_its_name)
{
    for (std::uint8_t bad : {std::uint8_t{0}, std::uint8_t{17}, std::uint8_t{255}}) {
        RoutingConfig config;
        config.max_hops = bad;
        BOOST_CHECK_EXCEPTION(config.validate(), std::invalid_argument, [](const auto& error) {
            return invalid_argument_mentioning(error, "max_hops must be between 1 and 16");
        });
    }
    RoutingConfig one_hop;
    one_hop.max_hops = 1;
    BOOST_CHECK_NO_THROW(one_hop.validate());
}

BOOST_AUTO_TEST_CASE(own_address_beyond_48_bits_is_rejected)
{
    BOOST_CHECK_EXCEPTION(RoutingTable(Address{1} << 48, RoutingConfig{}), std::invalid_argument,
                          [](const auto& error) { return invalid_argument_mentioning(error, "48 bits"); });
    BOOST_CHECK_NO_THROW(RoutingTable((Address{1} << 48) - 1, RoutingConfig{}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(direct_routes)

BOOST_AUTO_TEST_CASE(direct_route_is_one_hop_to_the_neighbour_itself)
{
    RoutingTable table(self, RoutingConfig{});
    table.add_direct(b, t0);
    const auto route = table.lookup(b);
    BOOST_REQUIRE(route.has_value());
    BOOST_TEST(route->destination == b);
    BOOST_TEST(route->next_hop == b);
    BOOST_TEST(route->hops == 1);
    BOOST_TEST((route->source == RouteSource::direct));
    BOOST_TEST((route->updated == t0));
    BOOST_TEST(table.is_neighbour(b));
    BOOST_TEST(table.neighbours() == Addresses{b});
}

BOOST_AUTO_TEST_CASE(unknown_destination_has_no_route)
{
    const RoutingTable table = table_with_neighbours_b_c_d();
    BOOST_TEST(!table.lookup(e).has_value());
    BOOST_TEST(!table.is_neighbour(e));
}

BOOST_AUTO_TEST_CASE(neighbours_are_listed_in_ascending_order)
{
    RoutingTable table(self, RoutingConfig{});
    for (Address n : {d, b, c}) table.add_direct(n, t0);
    BOOST_TEST(table.neighbours() == (Addresses{b, c, d}));
}

BOOST_AUTO_TEST_CASE(adding_a_neighbour_again_refreshes_its_time)
{
    RoutingTable table(self, RoutingConfig{});
    table.add_direct(b, t0);
    table.add_direct(b, t0 + seconds(7));
    BOOST_TEST((table.lookup(b)->updated == t0 + seconds(7)));
    BOOST_TEST(table.neighbours() == Addresses{b});
}

BOOST_AUTO_TEST_CASE(direct_routes_never_expire)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    BOOST_TEST(table.expire(t0 + std::chrono::hours(24)).empty());
    BOOST_TEST(table.lookup(b).has_value());
}

BOOST_AUTO_TEST_CASE(removing_an_unknown_neighbour_returns_nothing)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    BOOST_TEST(table.remove_direct(e).empty());
    BOOST_TEST(table.neighbours() == (Addresses{b, c, d}));
}

BOOST_AUTO_TEST_CASE(removing_a_neighbour_withdraws_its_direct_route)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    BOOST_TEST(table.remove_direct(c) == Addresses{c});
    BOOST_TEST(!table.lookup(c).has_value());
    BOOST_TEST(table.neighbours() == (Addresses{b, d}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(route_selection)

BOOST_AUTO_TEST_CASE(direct_route_is_preferred_over_flood_route)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    // c's pingwave relayed by b would make c 2 hops via b; the session to c wins.
    BOOST_TEST(table.on_pingwave(c, 1, 1, b, t0).learned);
    const auto route = table.lookup(c);
    BOOST_REQUIRE(route.has_value());
    BOOST_TEST((route->source == RouteSource::direct));
    BOOST_TEST(route->next_hop == c);
    BOOST_TEST(route->hops == 1);
}

BOOST_AUTO_TEST_CASE(flood_route_takes_over_when_the_direct_route_goes_down)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(c, 1, 1, b, t0);
    BOOST_TEST(table.remove_direct(c).empty());  // still reachable through b
    const auto route = table.lookup(c);
    BOOST_REQUIRE(route.has_value());
    BOOST_TEST((route->source == RouteSource::flood));
    BOOST_TEST(route->next_hop == b);
    BOOST_TEST(route->hops == 2);
}

BOOST_AUTO_TEST_CASE(fewest_hops_wins)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    BOOST_TEST(table.on_pingwave(e, 1, 4, b, t0).learned);
    BOOST_TEST(table.on_pingwave(e, 1, 1, c, t0).learned);
    BOOST_TEST(!table.on_pingwave(e, 1, 3, d, t0).learned);
    const auto route = table.lookup(e);
    BOOST_REQUIRE(route.has_value());
    BOOST_TEST(route->next_hop == c);
    BOOST_TEST(route->hops == 2);
    BOOST_TEST((route->source == RouteSource::flood));
}

BOOST_AUTO_TEST_CASE(no_route_to_self)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.add_direct(self, t0);
    const PingwaveVerdict own_echo = table.on_pingwave(self, 99, 1, b, t0);
    BOOST_TEST(!own_echo.learned);
    BOOST_TEST(!own_echo.forward);
    BOOST_TEST(!table.lookup(self).has_value());
    BOOST_TEST(!table.is_neighbour(self));
    BOOST_TEST(table.neighbours() == (Addresses{b, c, d}));
    BOOST_TEST(table.snapshot().size() == 3U);
}

BOOST_AUTO_TEST_CASE(flood_via_a_non_neighbour_is_ignored)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    const PingwaveVerdict verdict = table.on_pingwave(0x42, 1, 0, e, t0);
    BOOST_TEST(!verdict.learned);
    BOOST_TEST(!verdict.forward);
    BOOST_TEST(!table.lookup(0x42).has_value());
    // Nor does it poison the sequence: the same pingwave from a real neighbour is still new.
    BOOST_TEST(table.on_pingwave(0x42, 1, 1, b, t0).learned);
}

BOOST_AUTO_TEST_CASE(snapshot_lists_direct_and_flood_routes_by_destination_direct_first)
{
    RoutingTable table(self, RoutingConfig{});
    table.add_direct(c, t0);
    table.add_direct(b, t0);
    table.on_pingwave(c, 1, 1, b, t0 + seconds(1));  // c: direct and flood
    table.on_pingwave(e, 1, 2, c, t0 + seconds(2));  // e: flood only
    const std::vector<Route> routes = table.snapshot();
    BOOST_REQUIRE(routes.size() == 4U);
    BOOST_TEST(routes[0].destination == b);
    BOOST_TEST((routes[0].source == RouteSource::direct));
    BOOST_TEST(routes[1].destination == c);
    BOOST_TEST((routes[1].source == RouteSource::direct));
    BOOST_TEST(routes[2].destination == c);
    BOOST_TEST((routes[2].source == RouteSource::flood));
    BOOST_TEST(routes[2].next_hop == b);
    BOOST_TEST(routes[2].hops == 2);
    BOOST_TEST((routes[2].updated == t0 + seconds(1)));
    BOOST_TEST(routes[3].destination == e);
    BOOST_TEST(routes[3].next_hop == c);
    BOOST_TEST(routes[3].hops == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pingwave_flooding)

BOOST_AUTO_TEST_CASE(first_pingwave_is_learned_and_forwarded_with_one_more_hop)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    const PingwaveVerdict verdict = table.on_pingwave(e, 1, 2, b, t0);
    BOOST_TEST(verdict.learned);
    BOOST_TEST(verdict.forward);
    BOOST_TEST(verdict.forward_hops == 3);
    BOOST_TEST(table.lookup(e)->hops == 3);
}

BOOST_AUTO_TEST_CASE(neighbours_own_pingwave_is_one_hop)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    const PingwaveVerdict verdict = table.on_pingwave(b, 1, 0, b, t0);
    BOOST_TEST(verdict.learned);
    BOOST_TEST(verdict.forward);
    BOOST_TEST(verdict.forward_hops == 1);
    BOOST_TEST(table.flood_targets(b, b) == (Addresses{c, d}));
}

BOOST_AUTO_TEST_CASE(newer_sequence_refloods_even_over_a_longer_path)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 1, 0, b, t0);
    const PingwaveVerdict verdict = table.on_pingwave(e, 2, 3, c, t0 + seconds(1));
    BOOST_TEST(verdict.learned);
    BOOST_TEST(verdict.forward);
    BOOST_TEST(verdict.forward_hops == 4);
    BOOST_TEST(table.lookup(e)->next_hop == c);  // the newest sequence is the freshest news
    BOOST_TEST(table.lookup(e)->hops == 4);
}

BOOST_AUTO_TEST_CASE(stale_sequence_is_neither_learned_nor_forwarded)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 3, b, t0);
    const PingwaveVerdict verdict = table.on_pingwave(e, 4, 0, c, t0 + seconds(1));  // shorter, but older
    BOOST_TEST(!verdict.learned);
    BOOST_TEST(!verdict.forward);
    BOOST_TEST(table.lookup(e)->next_hop == b);
    BOOST_TEST((table.lookup(e)->updated == t0));
}

BOOST_AUTO_TEST_CASE(duplicate_sequence_is_neither_learned_nor_forwarded)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 2, b, t0);
    const PingwaveVerdict same_copy = table.on_pingwave(e, 5, 2, b, t0 + seconds(1));
    BOOST_TEST(!same_copy.learned);
    BOOST_TEST(!same_copy.forward);
    const PingwaveVerdict equal_length_other_path = table.on_pingwave(e, 5, 2, c, t0 + seconds(1));
    BOOST_TEST(!equal_length_other_path.learned);
    BOOST_TEST(!equal_length_other_path.forward);
    BOOST_TEST(table.lookup(e)->next_hop == b);
    BOOST_TEST((table.lookup(e)->updated == t0));
}

BOOST_AUTO_TEST_CASE(longer_path_same_sequence_is_neither_learned_nor_forwarded)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 1, b, t0);
    const PingwaveVerdict verdict = table.on_pingwave(e, 5, 4, c, t0);
    BOOST_TEST(!verdict.learned);
    BOOST_TEST(!verdict.forward);
    BOOST_TEST(table.lookup(e)->hops == 2);
}

BOOST_AUTO_TEST_CASE(shorter_path_same_sequence_is_learned_and_reflooded)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 4, b, t0);
    const PingwaveVerdict verdict = table.on_pingwave(e, 5, 1, c, t0 + seconds(1));
    BOOST_TEST(verdict.learned);
    BOOST_TEST(verdict.forward);
    BOOST_TEST(verdict.forward_hops == 2);
    BOOST_TEST(table.lookup(e)->next_hop == c);
    BOOST_TEST(table.lookup(e)->hops == 2);
    BOOST_TEST((table.lookup(e)->updated == t0 + seconds(1)));
}

BOOST_AUTO_TEST_CASE(split_horizon_targets_exclude_sender_and_origin)
{
    RoutingTable table(self, RoutingConfig{});
    for (Address n : {b, c, d, e}) table.add_direct(n, t0);
    BOOST_TEST(table.flood_targets(0x42, b) == (Addresses{c, d, e}));  // origin further away
    BOOST_TEST(table.flood_targets(d, b) == (Addresses{c, e}));        // origin is also a neighbour
    BOOST_TEST(table.flood_targets(b, b) == (Addresses{c, d, e}));     // neighbour's own pingwave
    table.remove_direct(c);
    BOOST_TEST(table.flood_targets(0x42, b) == (Addresses{d, e}));
}

BOOST_AUTO_TEST_CASE(split_horizon_with_a_single_neighbour_has_no_targets)
{
    RoutingTable table(self, RoutingConfig{});
    table.add_direct(b, t0);
    BOOST_TEST(table.flood_targets(0x42, b).empty());
}

BOOST_AUTO_TEST_CASE(hop_limit_16_pingwave_is_neither_learned_nor_forwarded)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    for (std::uint8_t hops : {std::uint8_t{16}, std::uint8_t{17}, std::uint8_t{255}}) {
        const PingwaveVerdict verdict = table.on_pingwave(e, hops, hops, b, t0);
        BOOST_TEST(!verdict.learned);
        BOOST_TEST(!verdict.forward);
    }
    BOOST_TEST(!table.lookup(e).has_value());
}

BOOST_AUTO_TEST_CASE(hop_15_pingwave_is_learned_as_16_hops_but_not_forwarded)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    const PingwaveVerdict at_limit = table.on_pingwave(e, 1, 15, b, t0);
    BOOST_TEST(at_limit.learned);
    BOOST_TEST(!at_limit.forward);  // every receiver would refuse a copy with hops 16
    BOOST_TEST(table.lookup(e)->hops == 16);

    const PingwaveVerdict below_limit = table.on_pingwave(e, 2, 14, b, t0);
    BOOST_TEST(below_limit.learned);
    BOOST_TEST(below_limit.forward);
    BOOST_TEST(below_limit.forward_hops == 15);
}

BOOST_AUTO_TEST_CASE(configured_max_hops_is_the_limit)
{
    RoutingConfig config;
    config.max_hops = 3;
    RoutingTable table(self, config);
    table.add_direct(b, t0);
    BOOST_TEST(!table.on_pingwave(e, 1, 3, b, t0).learned);
    const PingwaveVerdict verdict = table.on_pingwave(e, 1, 2, b, t0);
    BOOST_TEST(verdict.learned);
    BOOST_TEST(!verdict.forward);
}

BOOST_AUTO_TEST_CASE(own_pingwave_sequence_counts_up_from_one)
{
    RoutingTable table(self, RoutingConfig{});
    BOOST_TEST(table.next_pingwave_sequence() == 1U);
    BOOST_TEST(table.next_pingwave_sequence() == 2U);
    BOOST_TEST(table.next_pingwave_sequence() == 3U);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(withdrawal)

BOOST_AUTO_TEST_CASE(remove_direct_withdraws_flood_routes_via_that_neighbour_and_returns_them)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(0x41, 1, 1, b, t0);
    table.on_pingwave(0x42, 1, 2, b, t0);
    table.on_pingwave(0x43, 1, 1, c, t0);
    BOOST_TEST(table.remove_direct(b) == (Addresses{b, 0x41, 0x42}));
    BOOST_TEST(!table.lookup(0x41).has_value());
    BOOST_TEST(!table.lookup(0x42).has_value());
    BOOST_TEST(!table.lookup(b).has_value());
    BOOST_TEST(table.lookup(0x43)->next_hop == c);  // other next hops are untouched
    BOOST_TEST(table.snapshot().size() == 3U);      // c and d direct, 0x43 via c
}

BOOST_AUTO_TEST_CASE(remove_direct_does_not_report_destinations_still_reachable_directly)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(c, 1, 1, b, t0);  // c via b, also a neighbour
    BOOST_TEST(table.remove_direct(b) == Addresses{b});
    BOOST_TEST((table.lookup(c)->source == RouteSource::direct));
}

BOOST_AUTO_TEST_CASE(remove_direct_drops_the_neighbours_own_flood_route_too)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(b, 1, 0, b, t0);  // b's own pingwave: b via b
    BOOST_TEST(table.remove_direct(b) == Addresses{b});
    BOOST_TEST(!table.lookup(b).has_value());
    BOOST_TEST(table.snapshot().size() == 2U);
}

BOOST_AUTO_TEST_CASE(withdrawn_origin_ignores_the_same_sequence_looping_back)
{
    // After b dies, c may still relay copies of e's pingwave 5 that went through us; taking them
    // would route e through c and back to us.
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 0, b, t0);
    table.remove_direct(b);
    const PingwaveVerdict looped = table.on_pingwave(e, 5, 3, c, t0 + seconds(1));
    BOOST_TEST(!looped.learned);
    BOOST_TEST(!looped.forward);
    BOOST_TEST(!table.lookup(e).has_value());
}

BOOST_AUTO_TEST_CASE(withdrawn_origin_is_relearned_from_a_newer_sequence)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 0, b, t0);
    table.remove_direct(b);
    const PingwaveVerdict verdict = table.on_pingwave(e, 6, 3, c, t0 + seconds(1));
    BOOST_TEST(verdict.learned);
    BOOST_TEST(verdict.forward);
    BOOST_TEST(table.lookup(e)->next_hop == c);
    BOOST_TEST(table.lookup(e)->hops == 4);
}

BOOST_AUTO_TEST_CASE(neighbour_coming_back_gets_no_flood_routes_until_it_refloods)
{
    RoutingTable table = table_with_neighbours_b_c_d();
    table.on_pingwave(e, 5, 0, b, t0);
    table.remove_direct(b);
    table.add_direct(b, t0 + seconds(1));
    BOOST_TEST(!table.lookup(e).has_value());
    BOOST_TEST(table.on_pingwave(e, 6, 0, b, t0 + seconds(1)).learned);
    BOOST_TEST(table.lookup(e)->next_hop == b);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(expiry)

BOOST_AUTO_TEST_CASE(flood_route_expires_after_ttl_but_not_before)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    table.on_pingwave(e, 1, 1, b, t0);
    BOOST_TEST(table.expire(t0 + seconds(2)).empty());
    BOOST_TEST(table.expire(t0 + seconds(3)).empty());  // exactly ttl old: still fresh
    BOOST_TEST(table.lookup(e).has_value());
    BOOST_TEST(table.expire(t0 + seconds(3) + tick) == Addresses{e});
    BOOST_TEST(!table.lookup(e).has_value());
    BOOST_TEST(table.expire(t0 + seconds(10)).empty());  // reported once only
}

BOOST_AUTO_TEST_CASE(refreshed_flood_route_does_not_expire)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    for (int wave = 0; wave < 10; ++wave) {
        const time_point now = t0 + seconds(wave);
        BOOST_TEST(table.on_pingwave(e, static_cast<std::uint64_t>(wave) + 1, 1, b, now).learned);
        BOOST_TEST(table.expire(now + seconds(3)).empty());
    }
    BOOST_TEST(table.lookup(e).has_value());
    BOOST_TEST(table.expire(t0 + seconds(9) + seconds(3) + tick) == Addresses{e});
}

BOOST_AUTO_TEST_CASE(duplicates_do_not_refresh_a_route)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    table.on_pingwave(e, 1, 1, b, t0);
    table.on_pingwave(e, 1, 1, b, t0 + seconds(2));
    BOOST_TEST(table.expire(t0 + seconds(3) + tick) == Addresses{e});
}

BOOST_AUTO_TEST_CASE(expiry_keeps_destination_reachable_directly_unreported)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    table.add_direct(c, t0);
    table.on_pingwave(c, 1, 1, b, t0);
    BOOST_TEST(table.expire(t0 + seconds(4)).empty());
    BOOST_TEST((table.lookup(c)->source == RouteSource::direct));
    BOOST_TEST(table.snapshot().size() == 2U);  // the flood route to c is gone
}

BOOST_AUTO_TEST_CASE(expiry_forgets_the_sequence_so_a_restarted_origin_is_heard)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    table.on_pingwave(e, 500, 1, b, t0);
    BOOST_TEST(!table.on_pingwave(e, 1, 1, b, t0 + seconds(1)).learned);  // restarted: sequence went back
    table.expire(t0 + seconds(4));
    BOOST_TEST(table.on_pingwave(e, 1, 1, b, t0 + seconds(4)).learned);
}

BOOST_AUTO_TEST_CASE(withdrawn_origin_memory_expires_without_being_reported_again)
{
    RoutingTable table(self, config_with_ttl(seconds(3)));
    table.add_direct(b, t0);
    table.add_direct(c, t0);
    table.on_pingwave(e, 5, 0, b, t0);
    BOOST_TEST(table.remove_direct(b) == (Addresses{b, e}));
    BOOST_TEST(table.expire(t0 + seconds(4)).empty());
    BOOST_TEST(table.on_pingwave(e, 5, 3, c, t0 + seconds(4)).learned);  // sequence memory gone
}

BOOST_AUTO_TEST_SUITE_END()

// Tables for a small mesh; pingwaves are passed between them by hand, as the mesh core would.
namespace {

struct Pingwave {
    Address origin;
    std::uint64_t sequence;
    std::uint8_t hops;
    Address from;
    Address to;
};

class Mesh {
public:
    void add_node(Address address) { tables_.try_emplace(address, address, RoutingConfig{}); }
    void link(Address x, Address y, time_point now)
    {
        table(x).add_direct(y, now);
        table(y).add_direct(x, now);
    }
    RoutingTable& table(Address address) { return tables_.at(address); }

    // Every node sends one pingwave; copies are delivered in an order picked by `shuffle` until
    // none is left.
    void flood_round(time_point now, std::mt19937_64* shuffle = nullptr)
    {
        std::deque<Pingwave> in_flight;
        for (auto& [address, node] : tables_) {
            const std::uint64_t sequence = node.next_pingwave_sequence();
            for (Address n : node.neighbours()) in_flight.push_back({address, sequence, 0, address, n});
        }
        while (!in_flight.empty()) {
            std::size_t pick = 0;
            if (shuffle != nullptr)
                pick = std::uniform_int_distribution<std::size_t>(0, in_flight.size() - 1)(*shuffle);
            const Pingwave wave = in_flight[pick];
            in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(pick));
            RoutingTable& receiver = table(wave.to);
            const PingwaveVerdict verdict = receiver.on_pingwave(wave.origin, wave.sequence, wave.hops, wave.from, now);
            if (!verdict.forward) continue;
            for (Address next : receiver.flood_targets(wave.origin, wave.from))
                in_flight.push_back({wave.origin, wave.sequence, verdict.forward_hops, wave.to, next});
        }
    }

private:
    std::map<Address, RoutingTable> tables_;
};

constexpr Address node_a = 0xa;
constexpr Address node_b = 0xb;
constexpr Address node_c = 0xc;

}  // namespace

BOOST_AUTO_TEST_SUITE(simulated_mesh)

BOOST_AUTO_TEST_CASE(line_a_b_c_learns_c_via_b_in_two_hops_then_withdraws_when_b_dies)
{
    Mesh mesh;
    for (Address n : {node_a, node_b, node_c}) mesh.add_node(n);
    mesh.link(node_a, node_b, t0);
    mesh.link(node_b, node_c, t0);

    // C floods its pingwave to B; B learns C and re-floods to A only (split horizon).
    RoutingTable& a = mesh.table(node_a);
    RoutingTable& b_table = mesh.table(node_b);
    RoutingTable& c_table = mesh.table(node_c);
    const std::uint64_t sequence = c_table.next_pingwave_sequence();
    const PingwaveVerdict at_b = b_table.on_pingwave(node_c, sequence, 0, node_c, t0);
    BOOST_TEST(at_b.learned);
    BOOST_REQUIRE(at_b.forward);
    BOOST_TEST(b_table.flood_targets(node_c, node_c) == Addresses{node_a});
    const PingwaveVerdict at_a = a.on_pingwave(node_c, sequence, at_b.forward_hops, node_b, t0);
    BOOST_TEST(at_a.learned);
    BOOST_TEST(at_a.forward);
    BOOST_TEST(a.flood_targets(node_c, node_b).empty());  // A is the end of the line

    const auto route = a.lookup(node_c);
    BOOST_REQUIRE(route.has_value());
    BOOST_TEST(route->next_hop == node_b);
    BOOST_TEST(route->hops == 2);
    BOOST_TEST((route->source == RouteSource::flood));

    // B dies: A's session to B goes down, and with it the route to C.
    BOOST_TEST(a.remove_direct(node_b) == (Addresses{node_b, node_c}));
    BOOST_TEST(!a.lookup(node_c).has_value());
    BOOST_TEST(!a.lookup(node_b).has_value());
    BOOST_TEST(a.snapshot().empty());
}

BOOST_AUTO_TEST_CASE(line_a_b_c_flood_round_gives_everyone_routes_to_everyone)
{
    Mesh mesh;
    for (Address n : {node_a, node_b, node_c}) mesh.add_node(n);
    mesh.link(node_a, node_b, t0);
    mesh.link(node_b, node_c, t0);
    mesh.flood_round(t0);
    BOOST_TEST(mesh.table(node_a).lookup(node_c)->hops == 2);
    BOOST_TEST(mesh.table(node_c).lookup(node_a)->hops == 2);
    BOOST_TEST(mesh.table(node_c).lookup(node_a)->next_hop == node_b);
    BOOST_TEST((mesh.table(node_b).lookup(node_a)->source == RouteSource::direct));
}

BOOST_AUTO_TEST_CASE(line_of_18_nodes_reaches_exactly_16_hops)
{
    Mesh mesh;
    for (Address n = 1; n <= 18; ++n) mesh.add_node(n);
    for (Address n = 1; n < 18; ++n) mesh.link(n, n + 1, t0);
    mesh.flood_round(t0);
    RoutingTable& first = mesh.table(1);
    for (Address n = 2; n <= 17; ++n) {
        BOOST_TEST_CONTEXT("destination " << n)
        {
            const auto route = first.lookup(n);
            BOOST_REQUIRE(route.has_value());
            BOOST_TEST(route->hops == n - 1);
            BOOST_TEST(route->next_hop == 2U);
        }
    }
    BOOST_TEST(!first.lookup(18).has_value());  // 17 hops away
}

// On random connected graphs, with copies delivered in random order, one flood round leaves every
// node with a route of shortest-path length whose next hop is one step closer (checked by BFS).
BOOST_AUTO_TEST_CASE(random_meshes_converge_to_shortest_paths_in_one_round)
{
    std::mt19937_64 rng(20261125);
    for (int trial = 0; trial < 40; ++trial) {
        const Address count = 2 + rng() % 11;
        std::vector<std::vector<Address>> adjacency(count + 1);
        Mesh mesh;
        for (Address n = 1; n <= count; ++n) mesh.add_node(n);
        auto connect = [&](Address x, Address y) {
            if (x == y || std::find(adjacency[x].begin(), adjacency[x].end(), y) != adjacency[x].end()) return;
            adjacency[x].push_back(y);
            adjacency[y].push_back(x);
            mesh.link(x, y, t0);
        };
        for (Address n = 2; n <= count; ++n) connect(n, 1 + rng() % (n - 1));  // a random tree
        for (Address extra = rng() % (count + 1); extra > 0; --extra) connect(1 + rng() % count, 1 + rng() % count);

        mesh.flood_round(t0 + seconds(trial), &rng);

        for (Address to = 1; to <= count; ++to) {
            std::vector<int> distance(count + 1, -1);  // hops from every node to `to`
            std::deque<Address> queue{to};
            distance[to] = 0;
            while (!queue.empty()) {
                const Address here = queue.front();
                queue.pop_front();
                for (Address n : adjacency[here])
                    if (distance[n] < 0) {
                        distance[n] = distance[here] + 1;
                        queue.push_back(n);
                    }
            }
            for (Address from = 1; from <= count; ++from) {
                BOOST_TEST_CONTEXT("trial " << trial << ", route " << from << " -> " << to)
                {
                    const auto route = mesh.table(from).lookup(to);
                    if (from == to) {
                        BOOST_TEST(!route.has_value());
                        continue;
                    }
                    BOOST_REQUIRE(route.has_value());
                    BOOST_TEST(route->hops == distance[from]);
                    BOOST_TEST(mesh.table(from).is_neighbour(route->next_hop));
                    BOOST_TEST(distance[route->next_hop] == distance[from] - 1);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
