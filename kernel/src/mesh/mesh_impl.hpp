// mesh_impl.hpp — the Mesh's private state, shared by the mesh_*.cpp files.
//
// Locks, in the order they may nest: mutex (peers, routing, handshakes), then sessions_mutex
// (session id -> session, shared on the receive path), then a session's send_mutex. A stream's
// call_mutex is taken (shared) around calls into its reliability plugin and (exclusive) to
// destroy it; no mesh lock is held while calling into a plugin or an application callback.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/iface/reliability.h"
#include "net/iface/transport.h"
#include "net/kernel/admin/admin_server.hpp"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/crypto/identity.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/host_services.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/mesh/mesh.hpp"
#include "net/kernel/mesh/mesh_protocol.hpp"
#include "net/kernel/plugin_host.hpp"
#include "net/kernel/session/handshake.hpp"
#include "net/kernel/session/session.hpp"
#include "net/kernel/wire/packet_header.hpp"
#include "net/kernel/wire/routing_header.hpp"

namespace net::kernel::mesh {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

struct Counters {
#define NET_MESH_ATOMIC_FIELD(name) std::atomic<std::uint64_t> name{0};
    NET_MESH_COUNTERS(NET_MESH_ATOMIC_FIELD)
#undef NET_MESH_ATOMIC_FIELD

    MeshCounterSnapshot snapshot() const noexcept
    {
        MeshCounterSnapshot out;
#define NET_MESH_LOAD_FIELD(name) out.name = name.load(std::memory_order_relaxed);
        NET_MESH_COUNTERS(NET_MESH_LOAD_FIELD)
#undef NET_MESH_LOAD_FIELD
        return out;
    }
};

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept
{
    c.fetch_add(n, std::memory_order_relaxed);
}

// One established session with a peer. Opened only on the receive thread; sealed under send_mutex.
//
// Key confirmation: NKpsk0 completes in one round trip, so the responder holds the keys before it
// knows the initiator received its answer (the answer can be lost). A session this node answered
// is therefore only decrypted until the first authenticated packet arrives on it (`confirmed`);
// only then may it become the one sends use. The initiator sends a heartbeat at once, and again
// every tick until it hears from the peer, so confirmation takes one trip, not a heartbeat interval.
struct Peer;

struct PeerSession {
    std::unique_ptr<session::Session> session;
    std::mutex send_mutex;
    Address peer = 0;
    Peer* owner = nullptr;  // peers are never erased while the mesh runs: its atomics are safe to touch
    bool direct = false;  // the handshake came straight from/to the peer's endpoint
    bool initiated_here = false;
    TimePoint established{};
    std::atomic<bool> confirmed{false};  // the peer holds it: initiated here, or a packet arrived on it
};

// A frame waiting for a session to the peer.
struct PendingFrame {
    wire::PacketHeader header;  // subprotocol, flags, stream, sequence, event count
    std::vector<std::uint8_t> payload;
};

struct Peer {
    std::string name;  // manifest name, or "learned"
    Address address = 0;
    std::uint64_t node_id = 0;
    std::optional<crypto::PublicKey32> static_key;  // known: this node can open sessions to it
    std::optional<net_endpoint_t> endpoint;         // known: reachable directly
    bool configured = false;

    std::optional<FailureDetector> detector;  // from the first session on
    std::shared_ptr<PeerSession> current;     // the newest confirmed session; sends use it
    std::deque<std::uint64_t> session_ids;    // in the session table, oldest first (current + at most 1)

    std::unique_ptr<session::Initiator> initiator;  // a handshake this node is running
    std::uint64_t handshake_id = 0;
    TimePoint next_attempt{};
    std::deque<PendingFrame> pending;

    TimePoint last_heartbeat{};
    std::atomic<std::int64_t> last_heard_ns{0};  // steady clock, any authenticated packet
    std::atomic<std::int64_t> rtt_ns{0};         // smoothed probe RTT; 0 = unknown
    std::atomic<std::uint64_t> packets_sent{0};
    std::atomic<std::uint64_t> packets_received{0};
};

struct ReliabilityMode {
    std::string mode;
    std::string instance;
    const net_reliability_v1_t* vtable = nullptr;
    void* object = nullptr;
    std::shared_ptr<PluginLibrary> keepalive;
};

// A stream between this node and a peer. The application's net_mesh_stream_t* is this object.
struct MeshStream {
    Mesh::Impl* mesh = nullptr;
    Address peer = 0;
    std::uint32_t id = 0;
    const ReliabilityMode* mode = nullptr;
    bool opened_here = false;
    net_stream_link_t link{};
    net_reliability_stream_t* plugin_stream = nullptr;  // null once destroyed
    std::shared_mutex call_mutex;
    std::atomic<bool> closed{false};
    std::atomic<bool> app_owned{false};  // the application holds it until stream_close
};

struct StreamKey {
    Address peer;
    std::uint32_t id;
    friend bool operator<(const StreamKey& a, const StreamKey& b)
    {
        return a.peer != b.peer ? a.peer < b.peer : a.id < b.id;
    }
};

struct Receiver {
    net_mesh_receive_fn fn;
    void* ctx;
};

struct SubprotocolHandler {
    net_mesh_subprotocol_fn fn;
    void* ctx;
};

struct PingWaiter {
    std::optional<PingReply> reply;
};

// Where a packet to a peer goes: straight to its endpoint, or to a neighbour with a routing header.
struct Path {
    std::shared_ptr<PeerSession> session;
    net_endpoint_t endpoint{};
    bool routed = false;
};

struct Mesh::Impl {
    Impl(MeshConfig c, std::string name, PluginHost& p, EventLoop& l, BufferPool& b, Logger& g);

    // ---- configuration and parts (fixed after start) ----
    MeshConfig config;
    std::string node_name;
    PluginHost& plugins;
    EventLoop& loop;
    BufferPool& buffers;
    Logger& logger;
    std::optional<crypto::Identity> identity;
    Address self = 0;
    std::uint64_t self_node_id = 0;
    const net_transport_v1_t* transport = nullptr;
    void* transport_object = nullptr;
    std::shared_ptr<PluginLibrary> transport_keepalive;
    std::vector<ReliabilityMode> modes;
    std::atomic<bool> running{false};
    TimePoint started_at{};
    TimerId tick_timer = 0;
    std::unique_ptr<admin::AdminServer> admin;
    Counters counters;

    // ---- guarded by mutex ----
    mutable std::mutex mutex;
    std::map<Address, std::unique_ptr<Peer>> peers;
    std::optional<RoutingTable> routing;
    std::unique_ptr<session::Responder> responder;
    TimePoint last_pingwave{};
    std::uint64_t pingwave_base = 0;

    // ---- guarded by sessions_mutex ----
    mutable std::shared_mutex sessions_mutex;
    std::unordered_map<std::uint64_t, std::shared_ptr<PeerSession>> sessions;

    // ---- streams ----
    mutable std::mutex streams_mutex;
    std::map<StreamKey, std::shared_ptr<MeshStream>> streams;
    std::uint32_t next_stream_id = 1;

    mutable std::shared_mutex receivers_mutex;
    std::map<std::uint64_t, Receiver> receivers;
    std::uint64_t next_receiver_id = 1;
    mutable std::shared_mutex handlers_mutex;
    std::map<std::uint16_t, SubprotocolHandler> handlers;

    std::mutex ping_mutex;
    std::condition_variable ping_cv;
    std::map<std::uint64_t, PingWaiter> ping_waiters;
    std::atomic<std::uint64_t> next_probe_id{1};

    // ---- mesh.cpp ----
    void start();
    void stop() noexcept;
    void tick() noexcept;
    void send_heartbeat(Address peer);  // a heartbeat and an RTT probe on the current session
    Peer& peer_for(Address address, std::uint64_t node_id);  // [mutex]
    void log(net_log_level_t level, const std::string& message) const noexcept;

    // ---- mesh_send.cpp ----
    // Seals `payload` for `peer` under `header`'s fields and sends it. Queues it while the session
    // is being opened (NET_OK) unless `queue_if_no_session` is false.
    net_status_t send_to_peer(Address peer, wire::PacketHeader header, std::span<const std::uint8_t> payload,
                              bool queue_if_no_session = true);
    net_status_t send_on_path(const Path& path, Address peer, wire::PacketHeader header,
                              std::span<const std::uint8_t> payload);
    std::optional<Path> path_to(Peer& peer);  // [mutex]
    // Sends raw datagram bytes in `buffer` (borrowed) to `endpoint`; batched on this thread while
    // a SendBatch is open.
    net_status_t transmit(net_buffer_t* buffer, const net_endpoint_t& endpoint);
    // Sends a cleartext handshake packet (session id = handshake id) to a peer or endpoint.
    void send_handshake(const net_endpoint_t& endpoint, std::optional<Address> routed_to, std::uint64_t handshake_id,
                        std::span<const std::uint8_t> message);
    void flush_pending(Address peer);
    // Stream data sent from inside a receive callback (a reliability plugin answering an ack with
    // new packets) must not wait in this thread's batch for the rest of the received batch: the
    // application's thread may meanwhile send later packets of the same stream, which would then
    // reach the peer first and look like losses. note_stream_data marks the batch;
    // flush_stream_data sends it if marked (after the plugin's receive returns).
    void note_stream_data() noexcept;
    void flush_stream_data() noexcept;

    // ---- mesh_receive.cpp ----
    static void on_datagrams(void* ctx, net_datagram_t* datagrams, std::size_t count);
    void receive_one(net_datagram_t& datagram);
    void receive_packet(net_buffer_t*& buffer, std::size_t offset, const net_endpoint_t& from,
                        std::optional<Address> routed_from, std::uint8_t hops);
    void forward(net_buffer_t*& buffer, const wire::RoutingHeader& routing);
    void handle_probe(PeerSession& ps, std::span<const std::uint8_t> payload, std::uint8_t hops);
    void handle_pingwave(PeerSession& ps, std::span<const std::uint8_t> payload);
    void dispatch_plugin(Address from, std::uint16_t id, std::span<const std::uint8_t> payload);

    // ---- mesh_handshake.cpp ----
    void handle_handshake(const wire::PacketHeader& h, std::span<const std::uint8_t> message,
                          const net_endpoint_t& from, std::optional<Address> routed_from);
    // Puts a session in the table; one initiated here also becomes current. [mutex]
    void install_session(Peer& peer, std::unique_ptr<session::Session> s, bool direct, bool initiated_here);
    // The first packet arrived on a session this node answered: it may now carry sends. Returns
    // true when it became current (the caller flushes the frames waiting for it). [mutex]
    bool confirm_session(const std::shared_ptr<PeerSession>& ps);
    void make_current(Peer& peer, const std::shared_ptr<PeerSession>& ps);  // [mutex]
    void drop_sessions(Peer& peer);                                         // [mutex]
    void maybe_start_handshake(Peer& peer, TimePoint now);                  // [mutex]
    session::HandshakeConfig handshake_base() const;

    // ---- mesh_streams.cpp ----
    const ReliabilityMode* find_mode(std::string_view name) const;
    const ReliabilityMode* find_mode_for_flags(std::uint8_t flags) const;
    std::shared_ptr<MeshStream> make_stream(Address peer, std::uint32_t id, const ReliabilityMode& mode,
                                            bool opened_here, net_status_t& status);
    void handle_stream_packet(Address from, const wire::PacketHeader& h, std::span<const std::uint8_t> payload,
                              std::uint8_t hops);
    void close_streams_of(Address peer, const char* why);
    void destroy_stream(const std::shared_ptr<MeshStream>& stream) noexcept;  // table entry and plugin stream
    void release_plugin_stream(MeshStream& stream) noexcept;                 // plugin stream only
    void close_all_streams() noexcept;

    // ---- mesh_status.cpp ----
    nlohmann::json status() const;
    nlohmann::json handle_admin(const nlohmann::json& request);
    void handle_pong(std::uint64_t id, std::chrono::nanoseconds rtt);
    std::vector<std::optional<PingReply>> ping(Address to, unsigned count, Millis interval, Millis timeout);
};

// Collects this thread's outgoing datagrams while open and sends them with one send_batch call
// (or a few) when closed: the receive callback and stream_send open one each.
class SendBatch {
public:
    explicit SendBatch(Mesh::Impl& mesh) noexcept;
    ~SendBatch();
    SendBatch(const SendBatch&) = delete;
    SendBatch& operator=(const SendBatch&) = delete;
};

std::int64_t steady_ns(TimePoint t) noexcept;
std::int64_t now_ns() noexcept;

}  // namespace net::kernel::mesh
