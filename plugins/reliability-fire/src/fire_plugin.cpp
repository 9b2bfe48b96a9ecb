// Plugin "net.reliability.fire": interface net.reliability/1, mode "fire" (no retransmission).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common_config.hpp"
#include "fire_stream.hpp"
#include "net/iface/reliability.h"
#include "net/sdk/plugin.hpp"
#include "periodic_tick.hpp"
#include "stream_abi.hpp"
#include "stream_table.hpp"

namespace net::reliability {
namespace {

class FirePlugin final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.reliability.fire";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "Delivery mode \"fire\": events packed and sent once, never retransmitted";
    static constexpr const char* kConfigSchema = R"({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "idle_timeout_ms": {"type": "integer", "minimum": 1, "maximum": 86400000,
                                "description": "a stream with no packet sent or received for this long is closed"},
            "max_streams":     {"type": "integer", "minimum": 1, "maximum": 1048576,
                                "description": "open streams per instance; opening one more evicts the least recently used"}
        }
    })";
    static constexpr const char* const kProvides[] = {NET_IFACE_RELIABILITY_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    FirePlugin(const net_host_t* host, std::string_view config_json)
        : Plugin(host), settings_(read_common_settings(parse_config_object(config_json))), streams_(settings_.max_streams)
    {
        metrics_.host = host;
        metrics_.malformed = host->metric_register(host, NET_METRIC_COUNTER, "malformed_packets",
                                                   "received packets dropped because their payload is malformed");
        metrics_.send_dropped = host->metric_register(host, NET_METRIC_COUNTER, "send_dropped_packets",
                                                      "accepted packets the link refused (fire-and-forget drops them)");
        evictions_ = host->metric_register(host, NET_METRIC_COUNTER, "evicted_streams", "streams closed to respect max_streams");
        idle_closes_ = host->metric_register(host, NET_METRIC_COUNTER, "idle_streams", "streams closed by the idle timeout");
    }

    ~FirePlugin() override
    {
        tick_.stop();
        for (auto& s : streams_.take_all()) s->destroy();
    }

    void start() override
    {
        const std::uint64_t period_ms = std::clamp<std::uint64_t>(settings_.idle_timeout_ms / 8, 1, 1000);
        tick_.start(host(), period_ms * kNsPerMs, &FirePlugin::on_tick, this);
    }

    void stop() noexcept override { tick_.stop(); }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_RELIABILITY_V1 ? &kInterface : nullptr;
    }

private:
    static FirePlugin& self(void* object) noexcept { return net::sdk::instance_of<FirePlugin>(object); }
    using Abi = StreamAbi<FireStream>;

    static const char* mode(void*) noexcept { return "fire"; }

    static net_status_t stream_open(void* object, const net_stream_link_t* link, int /*opened_here*/,
                                    net_reliability_stream_t** out) noexcept
    {
        FirePlugin& p = self(object);
        return Abi::open(link, out, p.streams_, p.settings_.max_streams, p.host(), p.evictions_,
                         [&] { return std::make_shared<FireStream>(link, p.streams_, p.metrics_); });
    }

    static void on_tick(void* user)
    {
        FirePlugin& p = *static_cast<FirePlugin*>(user);
        net::sdk::guard(nullptr, [&] {
            std::vector<std::shared_ptr<FireStream>> live;
            p.streams_.snapshot_live(live);
            const std::uint64_t now = now_ns();
            for (auto& stream : live) {
                if (stream->idle_for_longer_than(now, p.settings_.idle_timeout_ms * kNsPerMs) && stream->claim_close()) {
                    p.host()->metric_add(p.host(), p.idle_closes_, 1);
                    stream->finish_close(NET_E_TIMEOUT, "idle for more than " + std::to_string(p.settings_.idle_timeout_ms) +
                                                            " ms");
                }
            }
        });
    }

    static constexpr net_reliability_v1_t kInterface = {
        sizeof(net_reliability_v1_t), 0, &FirePlugin::mode, &FirePlugin::stream_open, &Abi::send, &Abi::receive,
        &Abi::stats, &Abi::destroy,
    };

    CommonSettings settings_;
    FireMetrics metrics_;
    net_metric_t* evictions_ = nullptr;
    net_metric_t* idle_closes_ = nullptr;
    StreamTable<FireStream> streams_;
    PeriodicTick tick_;
};

}  // namespace
}  // namespace net::reliability

NET_SDK_EXPORT_PLUGIN(net::reliability::FirePlugin)
