// mesh_receive.cpp — the receive path, on the transport's receive thread: routed packets are
// forwarded in place or unwrapped, session packets opened in place and dispatched by subprotocol.
#include <cstring>

#include "mesh_impl.hpp"

namespace net::kernel::mesh {

void Mesh::Impl::on_datagrams(void* ctx, net_datagram_t* datagrams, std::size_t count)
{
    auto& self = *static_cast<Mesh::Impl*>(ctx);
    SendBatch batch(self);
    for (std::size_t i = 0; i < count; ++i) {
        self.receive_one(datagrams[i]);
        BufferPool::release(datagrams[i].buffer);
    }
}

void Mesh::Impl::receive_one(net_datagram_t& d)
{
    bump(counters.datagrams_received);
    if (!running) return;
    const std::span<const std::uint8_t> bytes(d.buffer->data, d.buffer->len);
    if (bytes.size() >= 2 && wire::load_le<std::uint16_t>(bytes.data()) == wire::kRoutingMagic) {
        const auto routing_header = wire::decode_routing(bytes);
        if (!routing_header) {
            bump(counters.rejected_malformed);
            return;
        }
        if (routing_header->dest != self) {
            forward(d.buffer, *routing_header);
            return;
        }
        receive_packet(d.buffer, wire::kRoutingHeaderSize, d.peer, routing_header->src, routing_header->hop_count);
        return;
    }
    receive_packet(d.buffer, 0, d.peer, std::nullopt, 0);
}

void Mesh::Impl::forward(net_buffer_t*& buffer, const wire::RoutingHeader& rh)
{
    net_endpoint_t next{};
    {
        std::lock_guard lock(mutex);
        const auto route = routing->lookup(rh.dest);
        const auto hop = route ? peers.find(route->next_hop) : peers.end();
        if (hop == peers.end() || !hop->second->endpoint) {
            bump(counters.forward_no_route);
            return;
        }
        next = *hop->second->endpoint;
    }
    net_buffer_t* unique = BufferPool::make_unique(buffer);
    if (unique == nullptr) return;
    buffer = unique;
    if (!wire::forward_in_place(std::span(buffer->data, buffer->len))) {
        bump(counters.forward_hop_limit);
        return;
    }
    bump(counters.packets_forwarded);
    transmit(buffer, next);
}

void Mesh::Impl::receive_packet(net_buffer_t*& buffer, std::size_t offset, const net_endpoint_t& from,
                                std::optional<Address> routed_from, std::uint8_t hops)
{
    const auto decoded = wire::decode_packet(std::span<const std::uint8_t>(buffer->data + offset, buffer->len - offset));
    if (!decoded) {
        bump(counters.rejected_malformed);
        return;
    }
    const wire::PacketHeader& h = decoded->header;
    if ((h.flags & wire::packet_flag::handshake) != 0) {
        handle_handshake(h, decoded->payload, from, routed_from);
        return;
    }
    std::shared_ptr<PeerSession> ps;
    {
        std::shared_lock lock(sessions_mutex);
        const auto it = sessions.find(h.session_id);
        if (it != sessions.end()) ps = it->second;
    }
    if (!ps) {
        bump(counters.rejected_unknown_session);
        return;
    }
    if (!BufferPool::is_unique(buffer)) {
        net_buffer_t* unique = BufferPool::make_unique(buffer);
        if (unique == nullptr) return;
        buffer = unique;
    }
    const std::span<std::uint8_t> packet(buffer->data + offset, buffer->len - offset);
    std::size_t plaintext_len = 0;
    const auto opened = ps->session->open_in_place(h, packet, plaintext_len);
    if (!opened) {
        switch (opened.error) {
            case session::SessionError::replay_duplicate:
            case session::SessionError::replay_too_old:
                bump(counters.rejected_replay);
                break;
            case session::SessionError::auth_failed:
            case session::SessionError::bad_epoch:
                bump(counters.rejected_auth);
                break;
            default:
                bump(counters.rejected_malformed);
                break;
        }
        return;
    }
    bump(counters.packets_decrypted);
    ps->owner->last_heard_ns.store(now_ns(), std::memory_order_relaxed);
    if (!ps->confirmed.load(std::memory_order_acquire)) {
        bool became_current = false;
        {
            std::lock_guard lock(mutex);
            became_current = confirm_session(ps);
        }
        if (became_current) flush_pending(ps->peer);
    }
    ps->owner->packets_received.fetch_add(1, std::memory_order_relaxed);
    const std::span<const std::uint8_t> plaintext(packet.data() + wire::kPacketHeaderSize, plaintext_len);
    if ((h.flags & wire::packet_flag::heartbeat) != 0) {
        bump(counters.heartbeats_received);
        return;
    }
    switch (h.subprotocol_id) {
        case subprotocol::stream:
            handle_stream_packet(ps->peer, h, plaintext, hops);
            return;
        case subprotocol::probe:
            handle_probe(*ps, plaintext, hops);
            return;
        case subprotocol::pingwave:
            handle_pingwave(*ps, plaintext);
            return;
        default:
            dispatch_plugin(ps->peer, h.subprotocol_id, plaintext);
            return;
    }
}

void Mesh::Impl::handle_probe(PeerSession& ps, std::span<const std::uint8_t> payload, std::uint8_t)
{
    const auto probe = decode_probe(payload);
    if (!probe) {
        bump(counters.rejected_malformed);
        return;
    }
    if (probe->kind == Probe::ping) {
        Probe pong = *probe;
        pong.kind = Probe::pong;
        std::array<std::uint8_t, Probe::size> bytes{};
        encode(pong, bytes.data());
        wire::PacketHeader h{};
        h.subprotocol_id = subprotocol::probe;
        send_to_peer(ps.peer, h, bytes, false);
        return;
    }
    const auto rtt = std::chrono::nanoseconds(now_ns() - static_cast<std::int64_t>(probe->sent_ns));
    if (rtt.count() < 0) return;
    // Only this (receive) thread writes the smoothed RTT.
    auto& smoothed = ps.owner->rtt_ns;
    const auto old = smoothed.load(std::memory_order_relaxed);
    smoothed.store(old == 0 ? rtt.count() : old + (rtt.count() - old) / 8, std::memory_order_relaxed);
    if (probe->id != 0) handle_pong(probe->id, rtt);
}

void Mesh::Impl::handle_pingwave(PeerSession& ps, std::span<const std::uint8_t> payload)
{
    const auto wave = decode_pingwave(payload);
    if (!wave || !ps.direct) {
        bump(counters.rejected_malformed);
        return;
    }
    bump(counters.pingwaves_received);
    std::vector<Address> targets;
    PingwaveVerdict verdict;
    {
        std::lock_guard lock(mutex);
        verdict = routing->on_pingwave(wave->origin, wave->sequence, wave->hops, ps.peer, Clock::now());
        if (verdict.forward) targets = routing->flood_targets(wave->origin, ps.peer);
    }
    if (targets.empty()) return;
    std::array<std::uint8_t, Pingwave::size> bytes{};
    encode(Pingwave{wave->origin, wave->sequence, verdict.forward_hops}, bytes.data());
    wire::PacketHeader h{};
    h.subprotocol_id = subprotocol::pingwave;
    for (Address t : targets) {
        if (send_to_peer(t, h, bytes, false) == NET_OK) bump(counters.pingwaves_sent);
    }
}

void Mesh::Impl::dispatch_plugin(Address from, std::uint16_t id, std::span<const std::uint8_t> payload)
{
    std::shared_lock lock(handlers_mutex);
    const auto it = handlers.find(id);
    if (it == handlers.end()) {
        bump(counters.unknown_subprotocol);
        return;
    }
    it->second.fn(it->second.ctx, from, id, net_bytes_t{payload.data(), payload.size()});
}

}  // namespace net::kernel::mesh
