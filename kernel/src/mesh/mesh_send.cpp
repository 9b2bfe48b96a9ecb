// mesh_send.cpp — building, sealing and sending packets: the path to a peer (direct or through a
// relay with a routing header), the per-thread send batch, and frames held back for a session.
#include <array>
#include <cstring>

#include "mesh_impl.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::mesh {

namespace {

constexpr std::size_t kMaxPendingPerPeer = 1024;
constexpr std::size_t kBatchLimit = 64;

// The datagrams this thread queued while a SendBatch is open. Each entry owns one buffer reference.
struct ThreadBatch {
    Mesh::Impl* mesh = nullptr;
    unsigned depth = 0;
    std::array<net_datagram_t, kBatchLimit> datagrams{};
    std::size_t count = 0;
    bool stream_data = false;  // a stream data packet was queued since the last flush
};

thread_local ThreadBatch t_batch;

net_status_t send_now(Mesh::Impl& mesh, net_datagram_t* datagrams, std::size_t count) noexcept
{
    std::size_t sent = 0;
    const net_status_t s = mesh.transport->send_batch(mesh.transport_object, datagrams, count, &sent);
    bump(mesh.counters.datagrams_sent, sent);
    if (s != NET_OK) bump(mesh.counters.send_failed, count - sent);
    return s;
}

// Sends and releases what this thread's batch holds.
void flush_thread_batch() noexcept
{
    if (t_batch.count == 0 || t_batch.mesh == nullptr) return;
    send_now(*t_batch.mesh, t_batch.datagrams.data(), t_batch.count);
    for (std::size_t i = 0; i < t_batch.count; ++i) BufferPool::release(t_batch.datagrams[i].buffer);
    t_batch.count = 0;
    t_batch.stream_data = false;
}

}  // namespace

SendBatch::SendBatch(Mesh::Impl& mesh) noexcept
{
    if (t_batch.depth++ == 0) t_batch.mesh = &mesh;
}

SendBatch::~SendBatch()
{
    if (--t_batch.depth == 0) {
        flush_thread_batch();
        t_batch.mesh = nullptr;
    }
}

void Mesh::Impl::note_stream_data() noexcept
{
    if (t_batch.depth > 0 && t_batch.mesh == this) t_batch.stream_data = true;
}

void Mesh::Impl::flush_stream_data() noexcept
{
    if (t_batch.depth > 0 && t_batch.mesh == this && t_batch.stream_data) flush_thread_batch();
}

net_status_t Mesh::Impl::transmit(net_buffer_t* buffer, const net_endpoint_t& endpoint)
{
    if (t_batch.depth > 0 && t_batch.mesh == this) {
        if (t_batch.count == kBatchLimit) flush_thread_batch();
        t_batch.datagrams[t_batch.count++] = net_datagram_t{BufferPool::retain(buffer), endpoint};
        return NET_OK;
    }
    net_datagram_t d{buffer, endpoint};
    return send_now(*this, &d, 1);
}

std::optional<Path> Mesh::Impl::path_to(Peer& peer)
{
    Path path;
    path.session = peer.current;
    const bool direct_session = !peer.current || peer.current->direct;
    if (peer.endpoint && direct_session) {
        path.endpoint = *peer.endpoint;
        return path;
    }
    const auto route = routing->lookup(peer.address);
    if (!route || route->next_hop == peer.address) {
        if (peer.endpoint) {
            path.endpoint = *peer.endpoint;
            return path;
        }
        return std::nullopt;
    }
    const auto hop = peers.find(route->next_hop);
    if (hop == peers.end() || !hop->second->endpoint) return std::nullopt;
    path.endpoint = *hop->second->endpoint;
    path.routed = true;
    return path;
}

net_status_t Mesh::Impl::send_to_peer(Address to, wire::PacketHeader header, std::span<const std::uint8_t> payload,
                                      bool queue_if_no_session)
{
    if (!running) return NET_E_BAD_STATE;
    if (payload.size() > session::kMaxSealPayload - wire::kRoutingHeaderSize) return NET_E_INVALID_ARGUMENT;
    Path path;
    {
        std::lock_guard lock(mutex);
        const auto it = peers.find(to);
        if (it == peers.end()) return NET_E_NOT_FOUND;
        Peer& peer = *it->second;
        if (!peer.current) {
            if (!queue_if_no_session) return NET_E_WOULD_BLOCK;
            if (!peer.static_key && peer.session_ids.empty()) return NET_E_NOT_FOUND;
            if (peer.pending.size() >= kMaxPendingPerPeer) return NET_E_WOULD_BLOCK;
            peer.pending.push_back(PendingFrame{header, std::vector<std::uint8_t>(payload.begin(), payload.end())});
            return NET_OK;
        }
        auto p = path_to(peer);
        if (!p) {
            bump(counters.send_no_route);
            return NET_E_WOULD_BLOCK;
        }
        path = std::move(*p);
    }
    return send_on_path(path, to, header, payload);
}

net_status_t Mesh::Impl::send_on_path(const Path& path, Address to, wire::PacketHeader header,
                                      std::span<const std::uint8_t> payload)
{
    const std::size_t prefix = path.routed ? wire::kRoutingHeaderSize : 0;
    const std::size_t packet_len = wire::kPacketHeaderSize + payload.size() + crypto::PacketCipher::tag_size;
    net_buffer_t* buffer = buffers.allocate(prefix + packet_len);
    if (buffer == nullptr) return NET_E_NO_MEMORY;
    if (!payload.empty()) std::memcpy(buffer->data + prefix + wire::kPacketHeaderSize, payload.data(), payload.size());
    header.hop_ttl = path.routed ? wire::kMaxHops : 0;
    session::SessionResult sealed;
    {
        std::lock_guard lock(path.session->send_mutex);
        sealed = path.session->session->seal_in_place(header, std::span(buffer->data + prefix, packet_len), payload.size());
    }
    if (!sealed) {
        BufferPool::release(buffer);
        log(NET_LOG_ERROR, "seal for " + format_address(to) + " failed: " + sealed.reason);
        return NET_E_INTERNAL;
    }
    bump(counters.packets_sealed);
    if (path.routed) {
        wire::RoutingHeader rh;
        rh.ttl = wire::kMaxHops;
        rh.src = self;
        rh.dest = to;
        (void)wire::encode(rh, std::span<std::uint8_t, wire::kRoutingHeaderSize>(buffer->data, wire::kRoutingHeaderSize));
    }
    const net_status_t s = transmit(buffer, path.endpoint);
    BufferPool::release(buffer);
    return s;
}

void Mesh::Impl::send_handshake(const net_endpoint_t& endpoint, std::optional<Address> routed_to,
                                std::uint64_t handshake_id, std::span<const std::uint8_t> message)
{
    const std::size_t prefix = routed_to ? wire::kRoutingHeaderSize : 0;
    net_buffer_t* buffer = buffers.allocate(prefix + wire::kPacketHeaderSize + message.size());
    if (buffer == nullptr) return;
    wire::PacketHeader h{};
    h.flags = wire::packet_flag::handshake;
    h.session_id = handshake_id;
    h.hop_ttl = routed_to ? wire::kMaxHops : 0;
    h.payload_length = static_cast<std::uint16_t>(message.size());
    wire::encode(h, std::span<std::uint8_t, wire::kPacketHeaderSize>(buffer->data + prefix, wire::kPacketHeaderSize));
    std::memcpy(buffer->data + prefix + wire::kPacketHeaderSize, message.data(), message.size());
    if (routed_to) {
        wire::RoutingHeader rh;
        rh.ttl = wire::kMaxHops;
        rh.src = self;
        rh.dest = *routed_to;
        (void)wire::encode(rh, std::span<std::uint8_t, wire::kRoutingHeaderSize>(buffer->data, wire::kRoutingHeaderSize));
    }
    transmit(buffer, endpoint);
    BufferPool::release(buffer);
}

void Mesh::Impl::flush_pending(Address to)
{
    std::deque<PendingFrame> frames;
    Path path;
    {
        std::lock_guard lock(mutex);
        const auto it = peers.find(to);
        if (it == peers.end() || !it->second->current) return;
        auto p = path_to(*it->second);
        if (!p) return;
        path = std::move(*p);
        frames.swap(it->second->pending);
    }
    SendBatch batch(*this);
    for (auto& f : frames) send_on_path(path, to, f.header, f.payload);
}

}  // namespace net::kernel::mesh
