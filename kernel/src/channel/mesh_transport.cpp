// The mesh as the channel service's transport.
#include "net/kernel/channel/transport.hpp"
#include "net/kernel/mesh/mesh.hpp"
#include "net/kernel/mesh/mesh_protocol.hpp"
#include "net/kernel/session/session_frame.hpp"
#include "net/kernel/wire/routing_header.hpp"

namespace net::kernel::channel {

namespace subprotocol = mesh::subprotocol;

std::uint64_t MeshTransport::local_address() const
{
    return mesh_.address();
}

void MeshTransport::on_payload(void* ctx, std::uint64_t from, std::uint16_t id, net_bytes_t payload)
{
    auto* self = static_cast<MeshTransport*>(ctx);
    self->fn_(self->ctx_, from, id, std::span<const std::uint8_t>(payload.ptr, payload.len));
}

net_status_t MeshTransport::attach(Handler fn, void* ctx)
{
    if (attached_) return NET_E_BAD_STATE;
    fn_ = fn;
    ctx_ = ctx;
    net_status_t s = mesh_.register_subprotocol(subprotocol::channel_membership, &MeshTransport::on_payload, this);
    if (s != NET_OK) return s;
    s = mesh_.register_subprotocol(subprotocol::channel_events, &MeshTransport::on_payload, this);
    if (s != NET_OK) {
        mesh_.unregister_subprotocol(subprotocol::channel_membership);
        return s;
    }
    attached_ = true;
    return NET_OK;
}

void MeshTransport::detach() noexcept
{
    if (!attached_) return;
    mesh_.unregister_subprotocol(subprotocol::channel_events);
    mesh_.unregister_subprotocol(subprotocol::channel_membership);
    attached_ = false;
}

net_status_t MeshTransport::send(std::uint64_t to, std::uint16_t id, std::span<const std::uint8_t> payload)
{
    return mesh_.send_subprotocol(to, id, payload);
}

std::vector<std::uint64_t> MeshTransport::reachable() const
{
    const std::vector<mesh::Address> peers = mesh_.established_peers();
    return {peers.begin(), peers.end()};
}

bool MeshTransport::failed(std::uint64_t node) const
{
    const auto health = mesh_.peer_health(node);
    return health && *health == mesh::PeerHealth::failed;
}

std::size_t MeshTransport::max_payload() const
{
    // send_subprotocol takes what fits a sealed packet behind a routing header.
    return session::kMaxSealPayload - wire::kRoutingHeaderSize;
}

}  // namespace net::kernel::channel
