// net/kernel/channel/transport.hpp — what the channel service needs from the network. In a node
// it is the mesh (MeshTransport: subprotocols 0x0004/0x0005 through Mesh's C++ API); unit tests
// plug in an in-process fake to run several services with a fake clock.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "net/buffer.h"
#include "net/status.h"

namespace net::kernel::mesh {
class Mesh;
}

namespace net::kernel::channel {

class Transport {
public:
    // Called for every membership (0x0004) or event (0x0005) payload from node `from`.
    // The payload is borrowed for the call. [transport-thread]
    using Handler = void (*)(void* ctx, std::uint64_t from, std::uint16_t subprotocol, std::span<const std::uint8_t> payload);

    virtual ~Transport() = default;
    virtual std::uint64_t local_address() const = 0;  // this node's 48-bit address
    // Starts delivering the two subprotocols to fn(ctx, ...). `ctx` is borrowed until detach().
    virtual net_status_t attach(Handler fn, void* ctx) = 0;
    // After it returns, the handler is not running and will not run again.
    virtual void detach() noexcept = 0;
    // Sends one payload (borrowed for the call), unreliable. NET_E_WOULD_BLOCK when there is no
    // session or route yet. [any-thread]
    virtual net_status_t send(std::uint64_t to, std::uint16_t subprotocol, std::span<const std::uint8_t> payload) = 0;
    // Nodes to announce subscriptions to: peers with an established session.
    virtual std::vector<std::uint64_t> reachable() const = 0;
    // Whether the failure detector gave up on `node` (its learned entries are withdrawn at once).
    virtual bool failed(std::uint64_t node) const = 0;
    // The largest payload send() accepts.
    virtual std::size_t max_payload() const = 0;
};

// The mesh as a Transport. The mesh must be started before attach() (its address is read then).
class MeshTransport final : public Transport {
public:
    explicit MeshTransport(mesh::Mesh& mesh) noexcept : mesh_(mesh) {}
    std::uint64_t local_address() const override;
    net_status_t attach(Handler fn, void* ctx) override;
    void detach() noexcept override;
    net_status_t send(std::uint64_t to, std::uint16_t subprotocol, std::span<const std::uint8_t> payload) override;
    std::vector<std::uint64_t> reachable() const override;
    bool failed(std::uint64_t node) const override;
    std::size_t max_payload() const override;

private:
    static void on_payload(void* ctx, std::uint64_t from, std::uint16_t id, net_bytes_t payload);
    mesh::Mesh& mesh_;
    Handler fn_ = nullptr;
    void* ctx_ = nullptr;
    bool attached_ = false;
};

}  // namespace net::kernel::channel
