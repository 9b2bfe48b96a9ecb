// Plugin glue: the descriptor (id, schema, provides) and the net.transport/1 function table.
#include "config_schema.hpp"
#include "net/iface/transport.h"
#include "net/sdk/plugin.hpp"
#include "transport_config.hpp"
#include "udp_transport.hpp"

namespace {

using net::udp::UdpTransport;

class UdpTransportPlugin final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.transport.udp";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription =
        "UDP transport: batched recvmmsg/sendmmsg into kernel pool buffers, GSO/GRO, seeded fault injection";
    static constexpr const char* kConfigSchema = net::udp::kConfigSchema;
    static constexpr const char* const kProvides[] = {NET_IFACE_TRANSPORT_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    UdpTransportPlugin(const net_host_t* host, std::string_view config_json)
        : Plugin(host), transport_(host, net::udp::parse_config(config_json))
    {
    }

    void start() override { transport_.start(); }
    void stop() noexcept override { transport_.stop(); }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_TRANSPORT_V1 ? &kTransport : nullptr;
    }

private:
    static UdpTransport& of(void* self) noexcept { return net::sdk::instance_of<UdpTransportPlugin>(self).transport_; }

    static std::uint32_t max_datagram(void*) noexcept { return net::udp::kMaxDatagram; }
    static net_status_t local_endpoint(void* self, net_endpoint_t* out) noexcept { return of(self).local_endpoint(out); }
    static net_status_t attach(void* self, net_transport_receive_fn fn, void* ctx) noexcept
    {
        return of(self).attach(fn, ctx);
    }
    static void detach(void* self) noexcept { of(self).detach(); }
    static net_status_t send_batch(void* self, const net_datagram_t* datagrams, size_t count, size_t* sent) noexcept
    {
        return of(self).send_batch(datagrams, count, sent);
    }
    static net_status_t stats(void* self, net_transport_stats_t* out) noexcept { return of(self).stats(out); }

    static constexpr net_transport_v1_t kTransport = {
        sizeof(net_transport_v1_t), &max_datagram, &local_endpoint, &attach, &detach, &send_batch, &stats,
    };

    UdpTransport transport_;
};

}  // namespace

NET_SDK_EXPORT_PLUGIN(UdpTransportPlugin)
