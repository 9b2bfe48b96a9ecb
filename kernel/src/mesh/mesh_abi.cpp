// mesh_abi.cpp — the "net.mesh/1" function table over Mesh (net/iface/mesh.h). Nothing here
// throws across the boundary.
#include "mesh_impl.hpp"

namespace net::kernel::mesh {

namespace {

Mesh& mesh_of(void* self)
{
    return *static_cast<Mesh*>(self);
}

template <typename F>
net_status_t guarded(F&& f) noexcept
{
    try {
        return f();
    } catch (const std::bad_alloc&) {
        return NET_E_NO_MEMORY;
    } catch (...) {
        return NET_E_INTERNAL;
    }
}

std::uint64_t abi_local_address(void* self)
{
    return mesh_of(self).address();
}

net_status_t abi_stream_open(void* self, std::uint64_t address, const char* mode, net_mesh_stream_t** out)
{
    if (mode == nullptr || out == nullptr) return NET_E_INVALID_ARGUMENT;
    return guarded([&] { return mesh_of(self).open_stream(address, mode, *out); });
}

net_status_t abi_stream_send(void* self, net_mesh_stream_t* stream, const net_bytes_t* events, std::size_t count)
{
    if (stream == nullptr || (events == nullptr && count != 0)) return NET_E_INVALID_ARGUMENT;
    return guarded([&] { return mesh_of(self).stream_send(stream, std::span(events, count)); });
}

void abi_stream_close(void* self, net_mesh_stream_t* stream)
{
    guarded([&] {
        mesh_of(self).stream_close(stream);
        return NET_OK;
    });
}

net_status_t abi_add_receiver(void* self, net_mesh_receive_fn fn, void* ctx, std::uint64_t* out)
{
    if (out == nullptr) return NET_E_INVALID_ARGUMENT;
    return guarded([&] { return mesh_of(self).add_receiver(fn, ctx, *out); });
}

void abi_remove_receiver(void* self, std::uint64_t id)
{
    guarded([&] {
        mesh_of(self).remove_receiver(id);
        return NET_OK;
    });
}

net_status_t abi_register_subprotocol(void* self, std::uint16_t id, net_mesh_subprotocol_fn fn, void* ctx)
{
    if (id < subprotocol::first_plugin) return NET_E_INVALID_ARGUMENT;
    return guarded([&] { return mesh_of(self).register_subprotocol(id, fn, ctx); });
}

void abi_unregister_subprotocol(void* self, std::uint16_t id)
{
    guarded([&] {
        mesh_of(self).unregister_subprotocol(id);
        return NET_OK;
    });
}

net_status_t abi_send_subprotocol(void* self, std::uint64_t address, std::uint16_t id, net_bytes_t payload)
{
    if (id < subprotocol::first_plugin) return NET_E_INVALID_ARGUMENT;
    if (payload.ptr == nullptr && payload.len != 0) return NET_E_INVALID_ARGUMENT;
    return guarded([&] { return mesh_of(self).send_subprotocol(address, id, std::span(payload.ptr, payload.len)); });
}

constexpr net_mesh_v1_t kTable{
    sizeof(net_mesh_v1_t), &abi_local_address,        &abi_stream_open,           &abi_stream_send,
    &abi_stream_close,     &abi_add_receiver,         &abi_remove_receiver,       &abi_register_subprotocol,
    &abi_unregister_subprotocol, &abi_send_subprotocol,
};

}  // namespace

const net_mesh_v1_t* Mesh::abi_table() noexcept
{
    return &kTable;
}

}  // namespace net::kernel::mesh
