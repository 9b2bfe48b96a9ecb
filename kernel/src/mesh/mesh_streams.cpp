// mesh_streams.cpp — streams: each one a reliability plugin's stream object wired to a peer's
// session through a net_stream_link_t; packets of unknown streams open one in the mode their
// flags name; events go to the application's receivers.
#include <cstring>

#include "mesh_impl.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::mesh {

namespace {

// The relay count of the packet being handled on this thread, for net_mesh_event_info_t.hops.
thread_local std::uint8_t t_packet_hops = 0;

net_status_t link_send(void* ctx, const net_stream_frame_t* frame)
{
    auto* s = static_cast<MeshStream*>(ctx);
    if (s->closed.load(std::memory_order_relaxed)) return NET_E_CLOSED;
    wire::PacketHeader h{};
    constexpr std::uint8_t mode_flags = wire::packet_flag::reliable | wire::packet_flag::nack |
                                        wire::packet_flag::priority | wire::packet_flag::fin;
    h.flags = frame->flags & mode_flags;
    h.subprotocol_id = subprotocol::stream;
    h.stream_id = s->id;
    h.sequence = frame->sequence;
    h.event_count = frame->event_count;
    if ((frame->flags & NET_FRAME_NACK) == 0) s->mesh->note_stream_data();
    return s->mesh->send_to_peer(s->peer, h, std::span(frame->payload.ptr, frame->payload.len));
}

void link_deliver(void* ctx, const net_bytes_t* events, std::size_t count)
{
    auto* s = static_cast<MeshStream*>(ctx);
    net_mesh_event_info_t info{};
    info.struct_size = sizeof info;
    info.stream_id = s->id;
    info.source_address = s->peer;
    info.hops = t_packet_hops;
    std::shared_lock lock(s->mesh->receivers_mutex);
    for (const auto& [id, r] : s->mesh->receivers) r.fn(r.ctx, &info, events, count);
}

void link_closed(void* ctx, net_status_t reason, const char* message)
{
    auto* s = static_cast<MeshStream*>(ctx);
    if (s->closed.exchange(true)) return;
    Mesh::Impl& mesh = *s->mesh;
    mesh.log(NET_LOG_INFO, "stream " + std::to_string(s->id) + " with " + format_address(s->peer) + " closed (" +
                               net_status_name(reason) + "): " + (message != nullptr ? message : ""));
    if (s->app_owned) return;  // the application frees it with stream_close
    std::shared_ptr<MeshStream> keep;
    {
        std::lock_guard lock(mesh.streams_mutex);
        const auto it = mesh.streams.find(StreamKey{s->peer, s->id});
        if (it != mesh.streams.end() && it->second.get() == s) keep = it->second;
    }
    // Never destroy from inside the plugin's own callback: do it on the loop.
    if (keep) mesh.loop.post([keep] { keep->mesh->destroy_stream(keep); });
}

}  // namespace

const ReliabilityMode* Mesh::Impl::find_mode(std::string_view name) const
{
    for (const auto& m : modes) {
        if (m.mode == name) return &m;
    }
    return nullptr;
}

const ReliabilityMode* Mesh::Impl::find_mode_for_flags(std::uint8_t flags) const
{
    const std::uint32_t wanted = flags & NET_FRAME_RELIABLE;
    for (const auto& m : modes) {
        if ((m.vtable->data_flags & NET_FRAME_RELIABLE) == wanted) return &m;
    }
    return nullptr;
}

std::shared_ptr<MeshStream> Mesh::Impl::make_stream(Address peer, std::uint32_t id, const ReliabilityMode& mode,
                                                    bool opened_here, net_status_t& status)
{
    auto s = std::make_shared<MeshStream>();
    s->mesh = this;
    s->peer = peer;
    s->id = id;
    s->mode = &mode;
    s->opened_here = opened_here;
    s->link.struct_size = sizeof(net_stream_link_t);
    // One Ethernet-sized datagram: packets of events stay under a 1500-byte path MTU.
    s->link.max_payload = static_cast<std::uint32_t>(1500 - 28 - wire::kRoutingHeaderSize - wire::kPacketHeaderSize -
                                                     crypto::PacketCipher::tag_size);
    s->link.peer_address = peer;
    s->link.stream_id = id;
    s->link.ctx = s.get();
    s->link.send = &link_send;
    s->link.deliver = &link_deliver;
    s->link.closed = &link_closed;
    status = mode.vtable->stream_open(mode.object, &s->link, opened_here ? 1 : 0, &s->plugin_stream);
    if (status != NET_OK) return nullptr;
    return s;
}

void Mesh::Impl::handle_stream_packet(Address from, const wire::PacketHeader& h, std::span<const std::uint8_t> payload,
                                      std::uint8_t hops)
{
    std::shared_ptr<MeshStream> s;
    {
        std::lock_guard lock(streams_mutex);
        const auto it = streams.find(StreamKey{from, h.stream_id});
        if (it != streams.end()) s = it->second;
    }
    if (!s) {
        if ((h.flags & wire::packet_flag::nack) != 0) return;  // control for a stream that is gone
        const ReliabilityMode* mode = find_mode_for_flags(h.flags);
        if (mode == nullptr) {
            bump(counters.unknown_subprotocol);
            return;
        }
        net_status_t status = NET_OK;
        s = make_stream(from, h.stream_id, *mode, false, status);
        if (!s) {
            log(NET_LOG_WARN, std::string("cannot accept a stream from ") + format_address(from) + ": " +
                                  net_status_name(status));
            return;
        }
        std::lock_guard lock(streams_mutex);
        const auto [it, inserted] = streams.emplace(StreamKey{from, h.stream_id}, s);
        if (!inserted) {  // opened by a packet handled meanwhile: use that one
            release_plugin_stream(*s);
            s = it->second;
        }
    }
    net_stream_frame_t frame{};
    frame.sequence = h.sequence;
    frame.flags = h.flags;
    frame.event_count = h.event_count;
    frame.payload = net_bytes_t{payload.data(), payload.size()};
    t_packet_hops = hops;
    {
        std::shared_lock call(s->call_mutex);
        if (s->plugin_stream != nullptr) s->mode->vtable->stream_receive(s->plugin_stream, &frame);
    }
    flush_stream_data();
}

void Mesh::Impl::destroy_stream(const std::shared_ptr<MeshStream>& s) noexcept
{
    {
        std::lock_guard lock(streams_mutex);
        const auto it = streams.find(StreamKey{s->peer, s->id});
        if (it != streams.end() && it->second == s) streams.erase(it);
    }
    s->closed = true;
    release_plugin_stream(*s);
}

void Mesh::Impl::release_plugin_stream(MeshStream& s) noexcept
{
    std::unique_lock call(s.call_mutex);  // waits for a stream_receive or stream_send in progress
    if (s.plugin_stream != nullptr) {
        s.mode->vtable->stream_destroy(s.plugin_stream);
        s.plugin_stream = nullptr;
    }
}

void Mesh::Impl::close_streams_of(Address peer, const char* why)
{
    std::vector<std::shared_ptr<MeshStream>> victims;
    {
        std::lock_guard lock(streams_mutex);
        for (const auto& [key, s] : streams) {
            if (key.peer == peer) victims.push_back(s);
        }
    }
    for (auto& s : victims) {
        if (!s->closed.exchange(true)) {
            log(NET_LOG_INFO, "stream " + std::to_string(s->id) + " with " + format_address(peer) + " closed: " + why);
        }
        if (!s->app_owned) {
            destroy_stream(s);
        } else {
            release_plugin_stream(*s);  // the application frees it with stream_close
        }
    }
}

void Mesh::Impl::close_all_streams() noexcept
{
    std::vector<std::shared_ptr<MeshStream>> all;
    {
        std::lock_guard lock(streams_mutex);
        for (const auto& [key, s] : streams) all.push_back(s);
    }
    for (auto& s : all) {
        s->closed = true;
        release_plugin_stream(*s);
    }
    std::lock_guard lock(streams_mutex);
    std::erase_if(streams, [](const auto& entry) { return !entry.second->app_owned; });
}

// ---- public stream API ----

net_status_t Mesh::open_stream(Address to, std::string_view mode_name, net_mesh_stream_t*& out)
{
    Impl& m = *impl_;
    if (!m.running) return NET_E_BAD_STATE;
    const ReliabilityMode* mode = m.find_mode(mode_name);
    if (mode == nullptr) return NET_E_NOT_FOUND;
    {
        std::lock_guard lock(m.mutex);
        const auto it = m.peers.find(to);
        if (it == m.peers.end() || (!it->second->static_key && !it->second->current)) return NET_E_NOT_FOUND;
        if (!it->second->current && !it->second->initiator) m.maybe_start_handshake(*it->second, Clock::now());
    }
    std::uint32_t id = 0;
    {
        std::lock_guard lock(m.streams_mutex);
        // The node with the lower address uses even ids, the other odd ones: the two never collide.
        const std::uint32_t parity = m.self < to ? 0 : 1;
        id = (m.next_stream_id++ << 1) | parity;
    }
    net_status_t status = NET_OK;
    auto s = m.make_stream(to, id, *mode, true, status);
    if (!s) return status;
    s->app_owned = true;
    {
        std::lock_guard lock(m.streams_mutex);
        m.streams.emplace(StreamKey{to, id}, s);
    }
    out = reinterpret_cast<net_mesh_stream_t*>(s.get());
    return NET_OK;
}

net_status_t Mesh::stream_send(net_mesh_stream_t* stream, std::span<const net_bytes_t> events)
{
    auto* s = reinterpret_cast<MeshStream*>(stream);
    if (s == nullptr) return NET_E_INVALID_ARGUMENT;
    if (!impl_->running) return NET_E_BAD_STATE;
    if (s->closed) return NET_E_CLOSED;
    SendBatch batch(*impl_);
    std::shared_lock call(s->call_mutex);
    if (s->plugin_stream == nullptr) return NET_E_CLOSED;
    return s->mode->vtable->stream_send(s->plugin_stream, events.data(), events.size());
}

void Mesh::stream_close(net_mesh_stream_t* stream)
{
    auto* s = reinterpret_cast<MeshStream*>(stream);
    if (s == nullptr) return;
    std::shared_ptr<MeshStream> keep;
    {
        std::lock_guard lock(impl_->streams_mutex);
        const auto it = impl_->streams.find(StreamKey{s->peer, s->id});
        if (it != impl_->streams.end() && it->second.get() == s) keep = it->second;
    }
    if (!keep) return;
    keep->app_owned = false;
    impl_->destroy_stream(keep);
}

net_status_t Mesh::add_receiver(net_mesh_receive_fn fn, void* ctx, std::uint64_t& id)
{
    if (fn == nullptr) return NET_E_INVALID_ARGUMENT;
    std::unique_lock lock(impl_->receivers_mutex);
    id = impl_->next_receiver_id++;
    impl_->receivers.emplace(id, Receiver{fn, ctx});
    return NET_OK;
}

void Mesh::remove_receiver(std::uint64_t id)
{
    std::unique_lock lock(impl_->receivers_mutex);
    impl_->receivers.erase(id);
}

net_status_t Mesh::register_subprotocol(std::uint16_t id, net_mesh_subprotocol_fn fn, void* ctx)
{
    if (subprotocol::is_mesh_internal(id) || fn == nullptr) return NET_E_INVALID_ARGUMENT;
    std::unique_lock lock(impl_->handlers_mutex);
    return impl_->handlers.emplace(id, SubprotocolHandler{fn, ctx}).second ? NET_OK : NET_E_ALREADY_EXISTS;
}

void Mesh::unregister_subprotocol(std::uint16_t id)
{
    std::unique_lock lock(impl_->handlers_mutex);
    impl_->handlers.erase(id);
}

net_status_t Mesh::send_subprotocol(Address to, std::uint16_t id, std::span<const std::uint8_t> payload)
{
    if (subprotocol::is_mesh_internal(id)) return NET_E_INVALID_ARGUMENT;
    wire::PacketHeader h{};
    h.subprotocol_id = id;
    return impl_->send_to_peer(to, h, payload, false);
}

}  // namespace net::kernel::mesh
