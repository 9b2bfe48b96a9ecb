// The example plugin: logs a greeting on a timer, counts greetings in a metric, and provides the
// interface org.example.greeter/1 (greeter.h) to other plugins.
#include <atomic>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "greeter.h"
#include "net/sdk/buffer.hpp"
#include "net/sdk/plugin.hpp"

namespace {

class Greeter final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "org.example.greeter";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "Example plugin: logs a greeting on a timer and greets on request";
    static constexpr const char* kConfigSchema = R"({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "greeting":    {"type": "string", "minLength": 1, "maxLength": 200, "description": "text to log"},
            "interval_ms": {"type": "integer", "minimum": 10, "maximum": 60000, "description": "time between greetings"},
            "count":       {"type": "integer", "minimum": 0, "description": "greetings to log, 0 = no limit"}
        }
    })";
    static constexpr const char* const kProvides[] = {ORG_EXAMPLE_GREETER_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    Greeter(const net_host_t* host, std::string_view config_json) : Plugin(host)
    {
        const auto config = nlohmann::json::parse(config_json);
        greeting_ = config.value("greeting", std::string("hello"));
        interval_ms_ = config.value("interval_ms", std::uint64_t{1000});
        limit_ = config.value("count", std::uint64_t{0});
        metric_ = host->metric_register(host, NET_METRIC_COUNTER, "greetings", "greetings logged or returned");
    }

    void start() override
    {
        const std::uint64_t period = interval_ms_ * 1'000'000;
        if (host()->timer_start(host(), period, period, &Greeter::on_tick, this, &timer_) != NET_OK) {
            throw net::sdk::Error(NET_E_SHUTTING_DOWN, "could not start the greeting timer");
        }
        log(NET_LOG_INFO, "started: \"" + greeting_ + "\" every " + std::to_string(interval_ms_) + " ms");
    }

    void stop() noexcept override
    {
        if (timer_ != 0) host()->timer_cancel(host(), timer_);
        timer_ = 0;
        log(NET_LOG_INFO, "stopped after " + std::to_string(count_.load()) + " greetings");
    }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == ORG_EXAMPLE_GREETER_V1 ? &kInterface : nullptr;
    }

private:
    static void on_tick(void* user)
    {
        auto* self = static_cast<Greeter*>(user);
        const std::uint64_t n = self->count_.fetch_add(1) + 1;
        self->host()->metric_add(self->host(), self->metric_, 1);
        self->log(NET_LOG_INFO, self->greeting_ + " (#" + std::to_string(n) + ")");
        if (self->limit_ != 0 && n >= self->limit_) {
            self->host()->timer_cancel(self->host(), self->timer_);
        }
    }

    static net_status_t greet(void* object, const char* name, net_buffer_t** out)
    {
        if (out == nullptr) return NET_E_INVALID_ARGUMENT;
        *out = nullptr;
        return net::sdk::guard(nullptr, [&] {
            Greeter& self = net::sdk::instance_of<Greeter>(object);
            const std::string text = self.greeting_ + ", " + (name ? name : "") + "!";
            auto buffer = net::sdk::Buffer::allocate(self.host(), text.size());
            std::memcpy(buffer.mutable_bytes().data(), text.data(), text.size());
            self.count_.fetch_add(1, std::memory_order_relaxed);
            *out = buffer.release();
        });
    }

    static std::uint64_t bump(void* object, std::uint64_t delta)
    {
        return net::sdk::instance_of<Greeter>(object).count_.fetch_add(delta, std::memory_order_relaxed) + delta;
    }

    static constexpr org_example_greeter_v1_t kInterface = {sizeof(org_example_greeter_v1_t), &Greeter::greet,
                                                            &Greeter::bump};

    std::string greeting_;
    std::uint64_t interval_ms_ = 1000;
    std::uint64_t limit_ = 0;
    std::atomic<std::uint64_t> count_{0};
    net_metric_t* metric_ = nullptr;
    net_timer_id_t timer_ = 0;
};

}  // namespace

NET_SDK_EXPORT_PLUGIN(Greeter)
