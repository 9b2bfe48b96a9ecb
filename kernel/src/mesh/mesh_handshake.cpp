// mesh_handshake.cpp — opening sessions: NKpsk0 initiations to peers whose static key is known
// (directly or through relays), answers to initiations, and the session table.
#include <botan/system_rng.h>

#include <algorithm>
#include <cstring>

#include "mesh_impl.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::mesh {

namespace {

constexpr std::size_t kMaxSessionsPerPeer = 2;

session::NodeId node_id_bytes(std::uint64_t node_id)
{
    session::NodeId id(8);
    wire::store_le(id.data(), node_id);
    return id;
}

std::optional<std::uint64_t> node_id_from(std::span<const std::uint8_t> bytes)
{
    if (bytes.size() != 8) return std::nullopt;
    return wire::load_le<std::uint64_t>(bytes.data());
}

std::uint64_t random_handshake_id()
{
    std::uint64_t id = 0;
    Botan::system_rng().randomize(reinterpret_cast<std::uint8_t*>(&id), sizeof id);
    return id == 0 ? 1 : id;
}

}  // namespace

session::HandshakeConfig Mesh::Impl::handshake_base() const
{
    session::HandshakeConfig c;
    c.suite = config.suite;
    c.local_node_id = node_id_bytes(self_node_id);
    c.psk = config.psk;
    return c;
}

void Mesh::Impl::maybe_start_handshake(Peer& peer, TimePoint now)
{
    if (!peer.static_key || now < peer.next_attempt) return;
    const auto path = path_to(peer);
    if (!path) return;  // no endpoint and no route yet: try again on a later tick
    session::InitiatorConfig ic;
    static_cast<session::HandshakeConfig&>(ic) = handshake_base();
    ic.remote_node_id = node_id_bytes(peer.node_id);
    std::memcpy(ic.remote_static.data(), peer.static_key->data(), ic.remote_static.size());
    ic.handshake_timeout = config.handshake_timeout;
    ic.handshake_retries = config.handshake_retries;
    auto initiator = std::make_unique<session::Initiator>(std::move(ic));
    std::vector<std::uint8_t> first;
    if (const auto r = initiator->start(first); !r) {
        log(NET_LOG_ERROR, "handshake with " + peer.name + " could not start: " + r.reason);
        peer.next_attempt = now + config.reconnect_interval;
        return;
    }
    peer.initiator = std::move(initiator);
    peer.handshake_id = random_handshake_id();
    send_handshake(path->endpoint, path->routed ? std::optional<Address>(peer.address) : std::nullopt,
                   peer.handshake_id, first);
}

void Mesh::Impl::handle_handshake(const wire::PacketHeader& h, std::span<const std::uint8_t> message,
                                  const net_endpoint_t& from, std::optional<Address> routed_from)
{
    if (message.empty()) {
        bump(counters.rejected_handshake);
        return;
    }
    std::optional<Address> confirm_to;  // a session this node initiated is up: tell the responder
    if (message[0] == session::kKindInitiation) {
        session::Initiation init;
        if (!session::decode_initiation(message, init)) {
            bump(counters.rejected_handshake);
            return;
        }
        const auto initiator_id = node_id_from(init.initiator_id);
        if (!initiator_id) {
            bump(counters.rejected_handshake);
            return;
        }
        const Address initiator_address = *initiator_id & wire::kMaxNodeAddress;
        if (routed_from && *routed_from != initiator_address) {
            bump(counters.rejected_handshake);
            return;
        }
        std::lock_guard lock(mutex);
        auto outcome = responder->handle_initiation(message);
        if (!outcome.result) {
            bump(counters.rejected_handshake);
            log(NET_LOG_DEBUG, "initiation from " + format_endpoint(from) + " refused: " + outcome.result.reason);
            return;
        }
        Peer& peer = peer_for(initiator_address, *initiator_id);
        if (!routed_from && !peer.endpoint) peer.endpoint = from;
        // Installed before answering: when the answer cannot leave yet (no route back), the
        // initiator's retry gets the same answer from the responder's cache, for this session.
        if (outcome.session) install_session(peer, std::move(outcome.session), !routed_from, false);
        if (routed_from) {
            if (const auto path = path_to(peer)) {
                send_handshake(path->endpoint, initiator_address, h.session_id, outcome.response);
            }
        } else {
            send_handshake(from, std::nullopt, h.session_id, outcome.response);
        }
    } else if (message[0] == session::kKindResponse) {
        std::lock_guard lock(mutex);
        Peer* peer = nullptr;
        for (auto& [address, p] : peers) {
            if (p->initiator && p->handshake_id == h.session_id) {
                peer = p.get();
                break;
            }
        }
        if (peer == nullptr) {
            bump(counters.rejected_handshake);
            return;
        }
        std::unique_ptr<session::Session> s;
        const auto r = peer->initiator->handle_response(message, s);
        if (!r) {
            bump(counters.rejected_handshake);
            log(NET_LOG_DEBUG, "handshake response from " + format_endpoint(from) + " refused: " + r.reason);
            return;
        }
        peer->initiator.reset();
        install_session(*peer, std::move(s), !routed_from, true);
        confirm_to = peer->address;
    } else {
        bump(counters.rejected_handshake);
        return;
    }
    if (confirm_to) {
        flush_pending(*confirm_to);
        send_heartbeat(*confirm_to);
    }
}

void Mesh::Impl::install_session(Peer& peer, std::unique_ptr<session::Session> s, bool direct, bool initiated_here)
{
    auto ps = std::make_shared<PeerSession>();
    ps->session = std::move(s);
    ps->peer = peer.address;
    ps->owner = &peer;
    ps->direct = direct;
    ps->initiated_here = initiated_here;
    ps->confirmed.store(initiated_here, std::memory_order_relaxed);
    ps->established = Clock::now();
    if (initiated_here) make_current(peer, ps);
    const std::uint64_t id = ps->session->id();
    {
        std::unique_lock lock(sessions_mutex);
        sessions[id] = ps;
        peer.session_ids.push_back(id);
        // The oldest session goes, never the one sends use.
        const std::uint64_t keep = peer.current ? peer.current->session->id() : 0;
        while (peer.session_ids.size() > kMaxSessionsPerPeer) {
            auto victim = peer.session_ids.begin();
            if (*victim == keep) ++victim;
            sessions.erase(*victim);
            responder->forget(*victim);
            peer.session_ids.erase(victim);
        }
    }
    // Heard now; the same instant as `established`, so the tick can tell whether the peer has
    // answered since (see PeerSession).
    peer.last_heard_ns.store(steady_ns(ps->established), std::memory_order_relaxed);
    if (!peer.detector) {
        peer.detector.emplace(FailureDetectorConfig{config.heartbeat_interval, config.suspect_after_misses,
                                                    config.session_timeout},
                              ps->established);
    } else {
        peer.detector->heard(ps->established);
    }
    bump(counters.handshakes_completed);
}

void Mesh::Impl::make_current(Peer& peer, const std::shared_ptr<PeerSession>& ps)
{
    // Crossing handshakes confirm in either order: the newer session wins.
    if (peer.current && peer.current->established > ps->established) return;
    const bool first = peer.current == nullptr;
    peer.current = ps;
    peer.last_heartbeat = TimePoint{};  // the next tick heartbeats on it
    if (ps->direct) routing->add_direct(peer.address, Clock::now());
    if (first) {
        log(NET_LOG_INFO, "session with " + peer.name + " " + format_address(peer.address) + " up (" +
                              (ps->direct ? "direct" : "through relays") + ")");
    }
}

bool Mesh::Impl::confirm_session(const std::shared_ptr<PeerSession>& ps)
{
    if (ps->confirmed.exchange(true, std::memory_order_acq_rel)) return false;
    Peer& peer = *ps->owner;
    // Still in the table? A session evicted meanwhile must not come back as current.
    const std::uint64_t id = ps->session->id();
    if (std::find(peer.session_ids.begin(), peer.session_ids.end(), id) == peer.session_ids.end()) return false;
    const auto before = peer.current;
    make_current(peer, ps);
    return peer.current != before;
}

void Mesh::Impl::drop_sessions(Peer& peer)
{
    {
        std::unique_lock lock(sessions_mutex);
        for (std::uint64_t id : peer.session_ids) sessions.erase(id);
    }
    for (std::uint64_t id : peer.session_ids) responder->forget(id);
    peer.session_ids.clear();
    peer.current.reset();
    peer.initiator.reset();
    for (Address gone : routing->remove_direct(peer.address)) {
        log(NET_LOG_INFO, "route to " + format_address(gone) + " withdrawn (via " + peer.name + ")");
    }
}

}  // namespace net::kernel::mesh
