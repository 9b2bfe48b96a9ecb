// messenger: sends text events over a mesh stream on a timer and logs the events that arrive.
#include <atomic>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "net/iface/mesh.h"
#include "net/sdk/plugin.hpp"

namespace {

class Messenger final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.messenger";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "Sends text events to a node over a mesh stream and logs what arrives";
    static constexpr const char* kConfigSchema = R"({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "to":          {"type": "string", "pattern": "^0x[0-9a-fA-F]{1,12}$", "description": "address of the node to send to"},
            "mode":        {"type": "string", "minLength": 1, "description": "reliability mode"},
            "text":        {"type": "string", "minLength": 1, "maxLength": 1000},
            "count":       {"type": "integer", "minimum": 0, "maximum": 1000000},
            "interval_ms": {"type": "integer", "minimum": 1, "maximum": 3600000}
        }
    })";
    static constexpr const char* const kProvides[] = {nullptr};
    static constexpr const char* const kNeeds[] = {NET_IFACE_MESH_V1, nullptr};

    Messenger(const net_host_t* host, std::string_view config_json) : Plugin(host)
    {
        const auto config = nlohmann::json::parse(config_json);
        if (config.contains("to")) to_ = std::stoull(config["to"].get<std::string>().substr(2), nullptr, 16);
        mode_ = config.value("mode", std::string("stream"));
        text_ = config.value("text", std::string("hello"));
        limit_ = config.value("count", std::uint64_t{5});
        interval_ms_ = config.value("interval_ms", std::uint64_t{500});
    }

    void start() override
    {
        if (host()->interface_acquire(host(), nullptr, NET_IFACE_MESH_V1, &ref_) != NET_OK) {
            throw net::sdk::Error(NET_E_NOT_FOUND, "this node has no mesh (add a \"mesh\" section to the manifest)");
        }
        mesh_ = static_cast<const net_mesh_v1_t*>(ref_.vtable);
        if (mesh_->add_receiver(ref_.object, &Messenger::on_events, this, &receiver_) != NET_OK) {
            throw net::sdk::Error(NET_E_INTERNAL, "could not add a receiver");
        }
        if (to_ != 0 && limit_ > 0) {
            const std::uint64_t period = interval_ms_ * 1'000'000;
            if (host()->timer_start(host(), period, period, &Messenger::on_tick, this, &timer_) != NET_OK) {
                throw net::sdk::Error(NET_E_SHUTTING_DOWN, "could not start the send timer");
            }
        }
    }

    void stop() noexcept override
    {
        if (timer_ != 0) host()->timer_cancel(host(), timer_);
        timer_ = 0;
        if (mesh_ != nullptr) {
            std::lock_guard lock(mutex_);
            if (stream_ != nullptr) mesh_->stream_close(ref_.object, stream_);
            stream_ = nullptr;
            mesh_->remove_receiver(ref_.object, receiver_);
        }
        host()->interface_release(host(), &ref_);
        mesh_ = nullptr;
        log(NET_LOG_INFO, "sent " + std::to_string(sent_) + ", received " + std::to_string(received_.load()));
    }

private:
    static void on_tick(void* user)
    {
        auto* self = static_cast<Messenger*>(user);
        std::lock_guard lock(self->mutex_);
        self->send_next();
    }

    void send_next()
    {
        if (sent_ >= limit_) return;
        if (stream_ == nullptr) {
            const net_status_t s = mesh_->stream_open(ref_.object, to_, mode_.c_str(), &stream_);
            if (s != NET_OK) {
                log(NET_LOG_WARN, std::string("cannot open a stream: ") + net_status_name(s));
                stream_ = nullptr;
                return;
            }
        }
        const std::string event = text_ + " #" + std::to_string(sent_ + 1);
        const net_bytes_t bytes{reinterpret_cast<const std::uint8_t*>(event.data()), event.size()};
        const net_status_t s = mesh_->stream_send(ref_.object, stream_, &bytes, 1);
        if (s == NET_OK) {
            ++sent_;
            log(NET_LOG_INFO, "sent \"" + event + "\"");
        } else if (s == NET_E_CLOSED) {
            mesh_->stream_close(ref_.object, stream_);
            stream_ = nullptr;
        } else if (s != NET_E_WOULD_BLOCK) {
            log(NET_LOG_WARN, std::string("send failed: ") + net_status_name(s));
        }
    }

    static void on_events(void* ctx, const net_mesh_event_info_t* info, const net_bytes_t* events, std::size_t count)
    {
        auto* self = static_cast<Messenger*>(ctx);
        char from[19];
        std::snprintf(from, sizeof from, "0x%012llx", static_cast<unsigned long long>(info->source_address));
        for (std::size_t i = 0; i < count; ++i) {
            self->received_.fetch_add(1, std::memory_order_relaxed);
            const std::string text(reinterpret_cast<const char*>(events[i].ptr), events[i].len);
            const std::string route = info->hops == 0 ? "directly"
                                                      : "via " + std::to_string(info->hops) +
                                                            (info->hops == 1 ? " relay" : " relays");
            self->log(NET_LOG_INFO, std::string("received from ") + from + " " + route + " on stream " +
                                        std::to_string(info->stream_id) + ": \"" + text + "\"");
        }
    }

    std::uint64_t to_ = 0;
    std::string mode_;
    std::string text_;
    std::uint64_t limit_ = 5;
    std::uint64_t interval_ms_ = 500;
    net_interface_ref_t ref_{};
    const net_mesh_v1_t* mesh_ = nullptr;
    std::mutex mutex_;
    net_mesh_stream_t* stream_ = nullptr;
    std::uint64_t sent_ = 0;
    std::atomic<std::uint64_t> received_{0};
    std::uint64_t receiver_ = 0;
    net_timer_id_t timer_ = 0;
};

}  // namespace

NET_SDK_EXPORT_PLUGIN(Messenger)
