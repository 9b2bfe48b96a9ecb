// routing_table.cpp — direct and pingwave-learned routes (see routing_table.hpp).
#include "net/kernel/mesh/routing_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "net/kernel/wire/packet_header.hpp"
#include "net/kernel/wire/routing_header.hpp"

namespace net::kernel::mesh {

void RoutingConfig::validate() const
{
    if (route_ttl <= std::chrono::steady_clock::duration::zero())
        throw std::invalid_argument("routing config: route_ttl must be positive");
    if (max_hops < 1 || max_hops > wire::kMaxHops)
        throw std::invalid_argument("routing config: max_hops must be between 1 and " + std::to_string(wire::kMaxHops) +
                                    ", got " + std::to_string(max_hops));
}

RoutingTable::RoutingTable(Address self, RoutingConfig config) : self_(self), config_(config)
{
    config_.validate();
    if (self_ > wire::kMaxNodeAddress)
        throw std::invalid_argument("routing table: own address " + std::to_string(self_) + " does not fit in 48 bits");
}

void RoutingTable::add_direct(Address neighbour, std::chrono::steady_clock::time_point now)
{
    if (neighbour == self_) return;
    direct_[neighbour] = now;
}

std::vector<Address> RoutingTable::remove_direct(Address neighbour)
{
    if (direct_.erase(neighbour) == 0) return {};

    std::vector<Address> candidates;
    if (auto via = flood_by_next_hop_.find(neighbour); via != flood_by_next_hop_.end()) {
        candidates.assign(via->second.begin(), via->second.end());
        flood_by_next_hop_.erase(via);
    }
    for (Address destination : candidates) flood_.at(destination).usable = false;
    if (std::find(candidates.begin(), candidates.end(), neighbour) == candidates.end()) candidates.push_back(neighbour);

    std::vector<Address> withdrawn;
    for (Address destination : candidates)
        if (!is_reachable(destination)) withdrawn.push_back(destination);
    std::sort(withdrawn.begin(), withdrawn.end());
    return withdrawn;
}

bool RoutingTable::is_neighbour(Address address) const noexcept
{
    return direct_.find(address) != direct_.end();
}

std::vector<Address> RoutingTable::neighbours() const
{
    std::vector<Address> result;
    result.reserve(direct_.size());
    for (const auto& [neighbour, since] : direct_) result.push_back(neighbour);
    std::sort(result.begin(), result.end());
    return result;
}

PingwaveVerdict RoutingTable::on_pingwave(Address origin, std::uint64_t sequence, std::uint8_t hops, Address via,
                                          std::chrono::steady_clock::time_point now)
{
    if (origin == self_ || hops >= config_.max_hops || !is_neighbour(via)) return {};
    const auto route_hops = static_cast<std::uint8_t>(hops + 1);

    auto [entry, inserted] = flood_.try_emplace(origin);
    FloodEntry& flood = entry->second;
    if (!inserted) {
        const bool newer = sequence > flood.sequence;
        const bool shorter = sequence == flood.sequence && route_hops < flood.hops;
        if (!newer && !shorter) return {};
        if (flood.usable) unindex_next_hop(origin, flood.next_hop);
    }
    flood = FloodEntry{via, sequence, route_hops, true, now};
    index_next_hop(origin, via);

    // A copy at max_hops would be refused by every receiver, so it is not sent.
    const bool forward = route_hops < config_.max_hops;
    return PingwaveVerdict{true, forward, forward ? route_hops : std::uint8_t{0}};
}

std::vector<Address> RoutingTable::flood_targets(Address origin, Address from) const
{
    std::vector<Address> targets;
    targets.reserve(direct_.size());
    for (const auto& [neighbour, since] : direct_)
        if (neighbour != from && neighbour != origin) targets.push_back(neighbour);
    std::sort(targets.begin(), targets.end());
    return targets;
}

std::optional<Route> RoutingTable::lookup(Address destination) const noexcept
{
    if (destination == self_) return std::nullopt;
    if (auto direct = direct_.find(destination); direct != direct_.end())
        return Route{destination, destination, 1, RouteSource::direct, direct->second};
    if (auto flood = flood_.find(destination); flood != flood_.end() && flood->second.usable) {
        const FloodEntry& entry = flood->second;
        return Route{destination, entry.next_hop, entry.hops, RouteSource::flood, entry.updated};
    }
    return std::nullopt;
}

std::vector<Address> RoutingTable::expire(std::chrono::steady_clock::time_point now)
{
    std::vector<Address> withdrawn;
    for (auto it = flood_.begin(); it != flood_.end();) {
        const auto& [destination, entry] = *it;
        if (now - entry.updated <= config_.route_ttl) {
            ++it;
            continue;
        }
        const bool was_usable = entry.usable;
        if (was_usable) unindex_next_hop(destination, entry.next_hop);
        const Address expired = destination;
        it = flood_.erase(it);  // forgets the origin's sequence too, so a restarted origin is heard again
        if (was_usable && !is_reachable(expired)) withdrawn.push_back(expired);
    }
    std::sort(withdrawn.begin(), withdrawn.end());
    return withdrawn;
}

std::vector<Route> RoutingTable::snapshot() const
{
    std::vector<Route> routes;
    routes.reserve(direct_.size() + flood_.size());
    for (const auto& [neighbour, since] : direct_)
        routes.push_back(Route{neighbour, neighbour, 1, RouteSource::direct, since});
    for (const auto& [destination, entry] : flood_)
        if (entry.usable)
            routes.push_back(Route{destination, entry.next_hop, entry.hops, RouteSource::flood, entry.updated});
    std::sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
        if (a.destination != b.destination) return a.destination < b.destination;
        return a.source < b.source;
    });
    return routes;
}

bool RoutingTable::has_usable_flood_route(Address destination) const noexcept
{
    auto flood = flood_.find(destination);
    return flood != flood_.end() && flood->second.usable;
}

bool RoutingTable::is_reachable(Address destination) const noexcept
{
    return is_neighbour(destination) || has_usable_flood_route(destination);
}

void RoutingTable::index_next_hop(Address destination, Address next_hop)
{
    flood_by_next_hop_[next_hop].insert(destination);
}

void RoutingTable::unindex_next_hop(Address destination, Address next_hop)
{
    auto via = flood_by_next_hop_.find(next_hop);
    if (via == flood_by_next_hop_.end()) return;
    via->second.erase(destination);
    if (via->second.empty()) flood_by_next_hop_.erase(via);
}

}  // namespace net::kernel::mesh
