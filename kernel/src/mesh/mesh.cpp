// mesh.cpp — the Mesh's lifecycle and its tick: handshakes, heartbeats, pingwaves, failure
// detection and route expiry.
#include "net/kernel/mesh/mesh.hpp"

#include <algorithm>

#include "mesh_impl.hpp"

namespace net::kernel::mesh {

std::int64_t steady_ns(TimePoint t) noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::int64_t now_ns() noexcept
{
    return steady_ns(Clock::now());
}

Mesh::Impl::Impl(MeshConfig c, std::string name, PluginHost& p, EventLoop& l, BufferPool& b, Logger& g)
    : config(std::move(c)), node_name(std::move(name)), plugins(p), loop(l), buffers(b), logger(g)
{
}

void Mesh::Impl::log(net_log_level_t level, const std::string& message) const noexcept
{
    logger.write(level, "mesh", message);
}

Peer& Mesh::Impl::peer_for(Address address, std::uint64_t node_id)
{
    auto& slot = peers[address];
    if (!slot) {
        slot = std::make_unique<Peer>();
        slot->name = "learned";
        slot->address = address;
        slot->node_id = node_id;
    }
    return *slot;
}

void Mesh::Impl::start()
{
    try {
        identity.emplace(crypto::Identity::load(config.identity_file));
    } catch (const std::exception& e) {
        throw MeshError(std::string("mesh identity: ") + e.what());
    }
    self = identity->derived().address;
    self_node_id = identity->derived().node_id;

    // The transport: the named instance, or the only one providing net.transport/1.
    std::string transport_name = config.transport;
    if (transport_name.empty()) {
        std::vector<std::string> providers;
        for (const auto* inst : plugins.instances()) {
            if (inst->get_interface(NET_IFACE_TRANSPORT_V1) != nullptr) providers.push_back(inst->name());
        }
        if (providers.size() != 1) {
            throw MeshError(providers.empty() ? "mesh: no plugin instance provides net.transport/1 (load transport-udp)"
                                              : "mesh: several instances provide net.transport/1; name one in mesh.transport");
        }
        transport_name = providers.front();
    }
    auto found = plugins.resolve_interface(transport_name.c_str(), NET_IFACE_TRANSPORT_V1);
    if (!found) throw MeshError("mesh.transport: instance \"" + transport_name + "\" does not provide net.transport/1");
    transport = static_cast<const net_transport_v1_t*>(found->vtable);
    transport_object = found->object;
    transport_keepalive = found->keepalive;
    if (transport->struct_size < sizeof(net_transport_v1_t)) throw MeshError("mesh: the transport's table is too small");

    for (const auto* inst : plugins.instances()) {
        if (inst->get_interface(NET_IFACE_RELIABILITY_V1) == nullptr) continue;
        auto r = plugins.resolve_interface(inst->name().c_str(), NET_IFACE_RELIABILITY_V1);
        if (!r) continue;
        ReliabilityMode m;
        m.vtable = static_cast<const net_reliability_v1_t*>(r->vtable);
        m.object = r->object;
        m.keepalive = r->keepalive;
        m.instance = inst->name();
        m.mode = m.vtable->mode(m.object);
        if (find_mode(m.mode) != nullptr) {
            throw MeshError("mesh: reliability mode \"" + m.mode + "\" is provided twice (instance " + inst->name() + ")");
        }
        modes.push_back(std::move(m));
    }

    {
        std::lock_guard lock(mutex);
        routing.emplace(self, RoutingConfig{config.route_ttl, wire::kMaxHops});
        session::ResponderConfig rc;
        static_cast<session::HandshakeConfig&>(rc) = handshake_base();
        rc.local_static = identity->static_private();
        responder = std::make_unique<session::Responder>(std::move(rc));
        for (const auto& pc : config.peers) {
            if (pc.address == self) continue;
            Peer& peer = peer_for(pc.address, pc.node_id);
            peer.name = pc.name;
            peer.static_key = pc.static_key;
            peer.endpoint = pc.endpoint;
            peer.configured = true;
        }
    }

    started_at = Clock::now();
    pingwave_base = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    running = true;
    if (const net_status_t s = transport->attach(transport_object, &Impl::on_datagrams, this); s != NET_OK) {
        running = false;
        throw MeshError(std::string("mesh: cannot attach to the transport: ") + net_status_name(s));
    }
    const auto shortest = std::min({config.heartbeat_interval, config.pingwave_interval, config.handshake_timeout});
    const auto period = std::clamp<Millis>(shortest / 4, Millis(5), Millis(250));
    tick_timer = loop.start_timer(Millis(0), period, [this] { tick(); });

    if (!config.admin_socket.empty()) {
        admin = std::make_unique<admin::AdminServer>(config.admin_socket,
                                                     [this](const nlohmann::json& r) { return handle_admin(r); });
        try {
            admin->start();
        } catch (const std::exception& e) {
            stop();
            throw MeshError(std::string("mesh admin socket: ") + e.what());
        }
    }
    net_endpoint_t local{};
    transport->local_endpoint(transport_object, &local);
    log(NET_LOG_INFO, "node " + format_address(self) + " (" + identity->derived().fingerprint + ") on " +
                          format_endpoint(local) + ", " + std::to_string(config.peers.size()) + " configured peers, " +
                          std::to_string(modes.size()) + " reliability modes");
}

void Mesh::Impl::stop() noexcept
{
    if (!running.exchange(false)) return;
    if (admin) admin->stop();
    if (tick_timer != 0) loop.cancel_timer(tick_timer);
    transport->detach(transport_object);
    {
        std::lock_guard lock(mutex);  // waits for a tick still running
    }
    close_all_streams();
    {
        std::lock_guard lock(mutex);
        for (auto& [address, peer] : peers) {
            peer->initiator.reset();
            peer->pending.clear();
            peer->current.reset();
        }
    }
    {
        std::unique_lock lock(sessions_mutex);
        sessions.clear();
    }
    {
        std::lock_guard lock(ping_mutex);
        ping_cv.notify_all();
    }
    log(NET_LOG_INFO, "mesh stopped");
}

void Mesh::Impl::tick() noexcept
{
    if (!running) return;
    std::vector<Address> heartbeat_to;
    std::vector<Address> pingwave_to;
    std::vector<Address> failed;
    std::vector<Address> flush;
    Pingwave own{};
    try {
        std::lock_guard lock(mutex);
        const TimePoint now = Clock::now();
        for (auto& [address, peer_ptr] : peers) {
            Peer& peer = *peer_ptr;
            if (peer.detector) {
                const auto heard = peer.last_heard_ns.load(std::memory_order_relaxed);
                if (heard != 0) peer.detector->heard(TimePoint(std::chrono::nanoseconds(heard)));
                const auto e = peer.detector->evaluate(now);
                if (e.changed) {
                    log(e.health == PeerHealth::healthy ? NET_LOG_INFO : NET_LOG_WARN,
                        "peer " + peer.name + " " + format_address(address) + ": " +
                            std::string(peer_health_name(e.previous)) + " -> " +
                            std::string(peer_health_name(e.health)));
                }
                // Everything goes: sessions (also ones answered but never confirmed) and a
                // handshake still retrying, whose answer could name a session already dropped.
                if (e.changed && e.health == PeerHealth::failed) {
                    failed.push_back(address);
                    drop_sessions(peer);
                    peer.next_attempt = now + config.reconnect_interval;
                }
            }
            if (peer.initiator) {
                std::vector<std::uint8_t> again;
                const auto r = peer.initiator->poll(again);
                if (!r) {
                    log(NET_LOG_WARN, "handshake with " + peer.name + " " + format_address(address) + " failed: " + r.reason);
                    peer.initiator.reset();
                    peer.next_attempt = now + config.reconnect_interval;
                } else if (!again.empty()) {
                    if (auto path = path_to(peer)) {
                        send_handshake(path->endpoint, path->routed ? std::optional<Address>(address) : std::nullopt,
                                       peer.handshake_id, again);
                    }
                }
            } else if (!peer.current) {
                maybe_start_handshake(peer, now);
            }
            // A session initiated here that the peer has not answered on yet: heartbeat every tick
            // so the peer can confirm it (see PeerSession).
            const bool unanswered = peer.current && peer.current->initiated_here &&
                                    peer.last_heard_ns.load(std::memory_order_relaxed) <=
                                        steady_ns(peer.current->established);
            if (peer.current && (unanswered || now - peer.last_heartbeat >= config.heartbeat_interval)) {
                peer.last_heartbeat = now;
                heartbeat_to.push_back(address);
            }
            if (peer.current && !peer.pending.empty()) flush.push_back(address);
        }
        if (now - last_pingwave >= config.pingwave_interval) {
            last_pingwave = now;
            // Sequences start at the wall clock so a restarted node's pingwaves are newer than the
            // ones its neighbours remember from before the restart.
            own = Pingwave{self, pingwave_base + routing->next_pingwave_sequence(), 0};
            for (Address n : routing->neighbours()) pingwave_to.push_back(n);
        }
        for (Address gone : routing->expire(now)) {
            log(NET_LOG_INFO, "route to " + format_address(gone) + " expired");
        }
    } catch (const std::exception& e) {
        log(NET_LOG_ERROR, std::string("mesh tick: ") + e.what());
        return;
    }

    for (Address a : failed) close_streams_of(a, "peer failed");
    for (Address a : flush) flush_pending(a);
    SendBatch batch(*this);
    for (Address a : heartbeat_to) send_heartbeat(a);
    for (Address n : pingwave_to) {
        std::array<std::uint8_t, Pingwave::size> bytes{};
        encode(own, bytes.data());
        wire::PacketHeader h{};
        h.subprotocol_id = subprotocol::pingwave;
        if (send_to_peer(n, h, bytes, false) == NET_OK) bump(counters.pingwaves_sent);
    }
}

void Mesh::Impl::send_heartbeat(Address to)
{
    wire::PacketHeader h{};
    h.flags = wire::packet_flag::heartbeat;
    if (send_to_peer(to, h, {}, false) == NET_OK) bump(counters.heartbeats_sent);
    Probe probe{Probe::ping, 0, static_cast<std::uint64_t>(now_ns())};
    std::array<std::uint8_t, Probe::size> bytes{};
    encode(probe, bytes.data());
    wire::PacketHeader ph{};
    ph.subprotocol_id = subprotocol::probe;
    send_to_peer(to, ph, bytes, false);
}

// ---- public API ----

Mesh::Mesh(MeshConfig config, std::string node_name, PluginHost& plugins, EventLoop& loop, BufferPool& buffers,
           Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(node_name), plugins, loop, buffers, logger))
{
}

Mesh::~Mesh()
{
    stop();
}

void Mesh::start()
{
    impl_->start();
}

void Mesh::stop() noexcept
{
    impl_->stop();
}

bool Mesh::running() const noexcept
{
    return impl_->running;
}

Address Mesh::address() const noexcept
{
    return impl_->self;
}

std::uint64_t Mesh::node_id() const noexcept
{
    return impl_->self_node_id;
}

MeshCounterSnapshot Mesh::counters() const noexcept
{
    return impl_->counters.snapshot();
}

std::optional<PeerHealth> Mesh::peer_health(Address peer) const
{
    std::lock_guard lock(impl_->mutex);
    const auto it = impl_->peers.find(peer);
    if (it == impl_->peers.end() || !it->second->detector) return std::nullopt;
    return it->second->detector->health();
}

std::optional<Route> Mesh::route_to(Address destination) const
{
    std::lock_guard lock(impl_->mutex);
    if (!impl_->routing) return std::nullopt;
    return impl_->routing->lookup(destination);
}

bool Mesh::has_session(Address peer) const
{
    std::lock_guard lock(impl_->mutex);
    const auto it = impl_->peers.find(peer);
    return it != impl_->peers.end() && it->second->current != nullptr;
}

std::vector<Address> Mesh::established_peers() const
{
    std::vector<Address> out;
    std::lock_guard lock(impl_->mutex);
    for (const auto& [address, p] : impl_->peers) {
        if (p->current != nullptr) out.push_back(address);
    }
    return out;
}

nlohmann::json Mesh::status() const
{
    return impl_->status();
}

}  // namespace net::kernel::mesh
