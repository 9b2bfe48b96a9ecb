// Plugin "net.reliability.stream": interface net.reliability/1, mode "stream".
#include <memory>
#include <string>
#include <vector>

#include "common_config.hpp"
#include "net/iface/reliability.h"
#include "net/sdk/plugin.hpp"
#include "periodic_tick.hpp"
#include "repair_timer.hpp"
#include "reliable_stream.hpp"
#include "stream_settings.hpp"
#include "stream_abi.hpp"
#include "stream_table.hpp"

namespace net::reliability {
namespace {

class StreamPlugin final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.reliability.stream";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription =
        "Delivery mode \"stream\": in order, exactly once, with selective NACKs, RTO, AIMD and credit windows";
    static constexpr const char* kConfigSchema = R"({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "credit_window_bytes": {"type": "integer", "minimum": 8192, "maximum": 1073741824,
                                    "description": "payload bytes a sender may have unacknowledged or unconsumed"},
            "rto_initial_ms":      {"type": "integer", "minimum": 1, "maximum": 60000,
                                    "description": "retransmission timeout before the first RTT sample"},
            "rto_min_ms":          {"type": "integer", "minimum": 1, "maximum": 60000, "description": "lower clamp of the RTO"},
            "rto_max_ms":          {"type": "integer", "minimum": 1, "maximum": 600000, "description": "upper clamp of the RTO"},
            "max_retries":         {"type": "integer", "minimum": 0, "maximum": 64,
                                    "description": "retransmissions of one packet before the stream is reset"},
            "initial_cwnd":        {"type": "integer", "minimum": 2, "maximum": 65536, "description": "congestion window at open, packets"},
            "max_cwnd":            {"type": "integer", "minimum": 2, "maximum": 65536, "description": "congestion window ceiling, packets"},
            "ack_every_packets":   {"type": "integer", "minimum": 1, "maximum": 4096,
                                    "description": "the receiver acknowledges and grants credit after this many delivered packets"},
            "loss_tolerance_permille": {"type": "integer", "minimum": 0, "maximum": 1000,
                                    "description": "a loss shrinks the congestion window only while the recent loss rate exceeds this, per mille"},
            "idle_timeout_ms":     {"type": "integer", "minimum": 1, "maximum": 86400000,
                                    "description": "a stream with no packet sent or received for this long is closed"},
            "max_streams":         {"type": "integer", "minimum": 1, "maximum": 1048576,
                                    "description": "open streams per instance; opening one more evicts the least recently used"}
        }
    })";
    static constexpr const char* const kProvides[] = {NET_IFACE_RELIABILITY_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    StreamPlugin(const net_host_t* host, std::string_view config_json)
        : Plugin(host),
          settings_(read_stream_settings(parse_config_object(config_json))),
          streams_(settings_.common.max_streams)
    {
        metrics_.host = host;
        metrics_.malformed = host->metric_register(host, NET_METRIC_COUNTER, "malformed_packets",
                                                   "received packets dropped because their payload is malformed");
        metrics_.retransmits = host->metric_register(host, NET_METRIC_COUNTER, "retransmits", "data packets sent again");
        metrics_.resets = host->metric_register(host, NET_METRIC_COUNTER, "stream_resets",
                                                "streams reset after max_retries retransmissions of one packet");
        metrics_.idle_closes = host->metric_register(host, NET_METRIC_COUNTER, "idle_streams", "streams closed by the idle timeout");
        evictions_ = host->metric_register(host, NET_METRIC_COUNTER, "evicted_streams", "streams closed to respect max_streams");
    }

    ~StreamPlugin() override
    {
        tick_.stop();
        for (auto& s : streams_.take_all()) s->destroy();
    }

    void start() override
    {
        repair_.bind(host(), &StreamPlugin::on_repair, this);
        tick_.start(host(), tick_period_ms(settings_) * kNsPerMs, &StreamPlugin::on_tick, this);
    }

    void stop() noexcept override { tick_.stop(); }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_RELIABILITY_V1 ? &kInterface : nullptr;
    }

private:
    static StreamPlugin& self(void* object) noexcept { return net::sdk::instance_of<StreamPlugin>(object); }
    using Abi = StreamAbi<ReliableStream>;

    static const char* mode(void*) noexcept { return "stream"; }

    static net_status_t stream_open(void* object, const net_stream_link_t* link, int /*opened_here*/,
                                    net_reliability_stream_t** out) noexcept
    {
        StreamPlugin& p = self(object);
        return Abi::open(link, out, p.streams_, p.settings_.common.max_streams, p.host(), p.evictions_,
                         [&] {
                             return std::make_shared<ReliableStream>(p.host(), link, p.streams_, p.settings_, p.metrics_,
                                                                     p.repair_);
                         });
    }

    static void on_tick(void* user)
    {
        StreamPlugin& p = *static_cast<StreamPlugin*>(user);
        net::sdk::guard(nullptr, [&] {
            std::vector<std::shared_ptr<ReliableStream>> live;
            p.streams_.snapshot_live(live);
            const std::uint64_t now = now_ns();
            for (auto& stream : live) stream->tick(now);
        });
    }

    // The repair timer: probes the streams whose repair deadline has come, then arms itself for
    // the earliest deadline left.
    static void on_repair(void* user)
    {
        StreamPlugin& p = *static_cast<StreamPlugin*>(user);
        net::sdk::guard(nullptr, [&] {
            p.repair_.fired();
            std::vector<std::shared_ptr<ReliableStream>> live;
            p.streams_.snapshot_live(live);
            const std::uint64_t now = now_ns();
            std::uint64_t next = 0;
            for (auto& stream : live) {
                const std::uint64_t deadline = stream->repair(now);
                if (deadline != 0 && (next == 0 || deadline < next)) next = deadline;
            }
            if (next != 0) p.repair_.request(next, now);
        });
    }

    static constexpr net_reliability_v1_t kInterface = {
        sizeof(net_reliability_v1_t), NET_FRAME_RELIABLE, &StreamPlugin::mode, &StreamPlugin::stream_open, &Abi::send, &Abi::receive,
        &Abi::stats, &Abi::destroy,
    };

    StreamSettings settings_;
    StreamMetrics metrics_;
    net_metric_t* evictions_ = nullptr;
    StreamTable<ReliableStream> streams_;
    PeriodicTick tick_;
    RepairTimer repair_;
};

}  // namespace
}  // namespace net::reliability

NET_SDK_EXPORT_PLUGIN(net::reliability::StreamPlugin)
