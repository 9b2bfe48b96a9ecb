// net/kernel/mesh/routing_table.hpp — where to send a packet for a node address: direct routes
// (a session to that neighbour is up) and flood routes learned from pingwaves.
//
// Pingwaves: every node floods {origin, sequence, hops} periodically (hops = 0 at the origin). A
// node hearing one from neighbour `via` learns "origin is reachable via `via` in hops + 1" when the
// sequence is newer than the last one from that origin, or equal with strictly fewer hops; only
// then is it re-flooded (split horizon: not back to `via`, not to the origin). One flood route is
// kept per destination: the best one of the newest sequence. Routes never lead to self, never via a
// node that is not a direct neighbour, and never longer than max_hops.
//
// Withdrawal: remove_direct drops the neighbour's direct route and every flood route through it;
// expire drops flood routes not refreshed within route_ttl. Both return the destinations that lost
// their last route. After a withdrawal the origin's last sequence is still remembered until it
// expires, so a copy of that same pingwave looping back over a longer path is not taken as a route.
//
// Thread rule: [single-thread] — the caller serialises (the mesh core holds its mutex). No I/O;
// lookup and is_neighbour never allocate.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace net::kernel::mesh {

using Address = std::uint64_t;  // 48-bit node address

struct RoutingConfig {
    std::chrono::steady_clock::duration route_ttl = std::chrono::seconds(3);  // e.g. 3 × the pingwave interval
    std::uint8_t max_hops = 16;                                               // 1..wire::kMaxHops

    // Throws std::invalid_argument naming the bad field.
    void validate() const;
};

enum class RouteSource : std::uint8_t { direct, flood };

struct Route {
    Address destination = 0;
    Address next_hop = 0;
    std::uint8_t hops = 0;  // links to the destination; 1 for a direct route
    RouteSource source = RouteSource::direct;
    std::chrono::steady_clock::time_point updated{};  // when the route was installed or last refreshed
};

struct PingwaveVerdict {
    bool learned = false;           // the route to the origin was installed or refreshed
    bool forward = false;           // re-flood it to flood_targets(origin, via)
    std::uint8_t forward_hops = 0;  // the hop count to put in the re-flooded copy (hops + 1)
};

class RoutingTable {
public:
    // Throws std::invalid_argument if `config` is invalid or `self` does not fit in 48 bits.
    RoutingTable(Address self, RoutingConfig config);

    Address self() const noexcept { return self_; }
    const RoutingConfig& config() const noexcept { return config_; }

    // A session to `neighbour` is up (again). Ignored for self.
    void add_direct(Address neighbour, std::chrono::steady_clock::time_point now);
    // The session to `neighbour` went down: returns the destinations left without any route.
    std::vector<Address> remove_direct(Address neighbour);
    bool is_neighbour(Address address) const noexcept;
    std::vector<Address> neighbours() const;  // ascending

    PingwaveVerdict on_pingwave(Address origin, std::uint64_t sequence, std::uint8_t hops, Address via,
                                std::chrono::steady_clock::time_point now);
    // Direct neighbours except `from` and `origin`, ascending.
    std::vector<Address> flood_targets(Address origin, Address from) const;
    // Sequence for this node's next own pingwave: 1, 2, 3, ...
    std::uint64_t next_pingwave_sequence() noexcept { return ++last_own_sequence_; }

    // The direct route if there is one, else the flood route; nothing for self or unknown nodes.
    std::optional<Route> lookup(Address destination) const noexcept;
    // Drops flood routes idle for longer than route_ttl: returns the destinations left without any route.
    std::vector<Address> expire(std::chrono::steady_clock::time_point now);
    // Every route, direct and flood, ordered by destination then source (direct first).
    std::vector<Route> snapshot() const;

private:
    // What is known about one origin's pingwaves; `usable` is false once its next hop went down.
    struct FloodEntry {
        Address next_hop = 0;
        std::uint64_t sequence = 0;
        std::uint8_t hops = 0;
        bool usable = false;
        std::chrono::steady_clock::time_point updated{};
    };

    bool has_usable_flood_route(Address destination) const noexcept;
    bool is_reachable(Address destination) const noexcept;
    void index_next_hop(Address destination, Address next_hop);
    void unindex_next_hop(Address destination, Address next_hop);

    Address self_;
    RoutingConfig config_;
    std::uint64_t last_own_sequence_ = 0;
    // neighbour -> when its session came up
    std::unordered_map<Address, std::chrono::steady_clock::time_point> direct_;
    std::unordered_map<Address, FloodEntry> flood_;  // origin -> best route of its newest pingwave
    std::unordered_map<Address, std::unordered_set<Address>> flood_by_next_hop_;  // usable routes only
};

}  // namespace net::kernel::mesh
