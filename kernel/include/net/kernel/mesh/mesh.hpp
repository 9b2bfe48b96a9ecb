// net/kernel/mesh/mesh.hpp — the node's encrypted mesh: peers and sessions over a transport
// plugin, heartbeats and the failure detector, routing learned from pingwaves, in-place
// forwarding for other nodes (never decrypted), streams through reliability plugins, and dispatch
// of decrypted payloads by subprotocol. docs/mesh.md explains it for operators.
//
// Threads: the transport's receive thread runs the whole receive path (open, dispatch, forward);
// application threads send; one periodic loop timer (the tick) drives handshakes, heartbeats,
// pingwaves, failure detection and route expiry. Every public function is [any-thread] unless
// noted.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/iface/mesh.h"
#include "net/kernel/mesh/failure_detector.hpp"
#include "net/kernel/mesh/mesh_config.hpp"
#include "net/kernel/mesh/routing_table.hpp"

namespace net::kernel {
class BufferPool;
class EventLoop;
class Logger;
class PluginHost;
}  // namespace net::kernel

namespace net::kernel::mesh {

// A mesh that cannot start: what() says why (missing transport, unreadable identity, ...).
class MeshError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The mesh's counters, cumulative since start (docs/mesh.md says what moves each one).
// One list serves the live atomics, the snapshot and the status document.
#define NET_MESH_COUNTERS(X)                                                                       \
    X(datagrams_received)                                                                          \
    X(datagrams_sent)                                                                              \
    X(packets_decrypted)                                                                           \
    X(packets_sealed)                                                                              \
    X(packets_forwarded)                                                                           \
    X(forward_no_route)                                                                            \
    X(forward_hop_limit)                                                                           \
    X(rejected_malformed)                                                                          \
    X(rejected_auth)                                                                               \
    X(rejected_replay)                                                                             \
    X(rejected_unknown_session)                                                                    \
    X(rejected_handshake)                                                                          \
    X(handshakes_completed)                                                                        \
    X(heartbeats_sent)                                                                             \
    X(heartbeats_received)                                                                         \
    X(pingwaves_sent)                                                                              \
    X(pingwaves_received)                                                                          \
    X(send_no_route)                                                                               \
    X(send_failed)                                                                                 \
    X(unknown_subprotocol)

struct MeshCounterSnapshot {
#define NET_MESH_SNAPSHOT_FIELD(name) std::uint64_t name = 0;
    NET_MESH_COUNTERS(NET_MESH_SNAPSHOT_FIELD)
#undef NET_MESH_SNAPSHOT_FIELD
};

struct PingReply {
    std::uint64_t sequence = 0;
    std::chrono::nanoseconds rtt{};
};

class Mesh {
public:
    Mesh(MeshConfig config, std::string node_name, PluginHost& plugins, EventLoop& loop, BufferPool& buffers,
         Logger& logger);
    ~Mesh();  // stop()
    Mesh(const Mesh&) = delete;
    Mesh& operator=(const Mesh&) = delete;

    // Loads the identity; finds the transport and reliability plugins (they must be started);
    // attaches to the transport; starts the tick and the admin socket. Throws MeshError.
    void start();
    // Detaches from the transport, stops the tick and the admin socket, closes every stream.
    // Idempotent.
    void stop() noexcept;
    bool running() const noexcept;

    Address address() const noexcept;  // valid after start()
    std::uint64_t node_id() const noexcept;

    // Streams (net/iface/mesh.h documents the statuses).
    net_status_t open_stream(Address to, std::string_view mode, net_mesh_stream_t*& out);
    net_status_t stream_send(net_mesh_stream_t* stream, std::span<const net_bytes_t> events);
    void stream_close(net_mesh_stream_t* stream);
    net_status_t add_receiver(net_mesh_receive_fn fn, void* ctx, std::uint64_t& id);
    void remove_receiver(std::uint64_t id);

    // Subprotocols of kernel services and plugins: any id the mesh does not handle itself
    // (subprotocol::is_mesh_internal); the ABI (net/iface/mesh.h) lets plugins use only ids from
    // subprotocol::first_plugin up.
    net_status_t register_subprotocol(std::uint16_t id, net_mesh_subprotocol_fn fn, void* ctx);
    void unregister_subprotocol(std::uint16_t id);
    net_status_t send_subprotocol(Address to, std::uint16_t id, std::span<const std::uint8_t> payload);

    // The operator's view (admin "status"; the JSON layout is in admin/status_format.hpp).
    nlohmann::json status() const;
    // Sends `count` probes to `to`, `interval` apart, and waits up to `timeout` after the last
    // for replies. One entry per probe; empty for a lost one. Blocks the caller.
    std::vector<std::optional<PingReply>> ping(Address to, unsigned count, Millis interval, Millis timeout);

    MeshCounterSnapshot counters() const noexcept;
    // Observation for tests and status.
    std::optional<PeerHealth> peer_health(Address peer) const;
    std::optional<Route> route_to(Address destination) const;
    bool has_session(Address peer) const;
    // The peers this node has an established session with (direct or relayed), in address order.
    std::vector<Address> established_peers() const;

    // The "net.mesh/1" function table; `object` is this Mesh.
    static const net_mesh_v1_t* abi_table() noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace net::kernel::mesh
