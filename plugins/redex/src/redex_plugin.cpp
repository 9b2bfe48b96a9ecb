// Plugin "net.redex": interface net.redex/1 over the storage engine (log.hpp). This file only
// translates between the C ABI and the engine: channels, handles, buffers, the loop and timers.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host_block.hpp"
#include "log.hpp"
#include "net/iface/redex.h"
#include "net/sdk/plugin.hpp"
#include "plugin_config.hpp"

namespace net::redex {
namespace {

constexpr std::uint64_t kNsPerMs = 1'000'000;
constexpr std::uint64_t kHousekeepingMs = 1000;

class RedexPlugin;

// One channel of this instance. Lives until the instance is destroyed, so posted tasks may point
// to it; its log is closed (disk) when the last handle closes and reopened by the next open_log.
struct Channel {
    RedexPlugin* owner = nullptr;
    std::string name;
    std::mutex mutex;
    std::shared_ptr<Log> log;
    std::size_t handles = 0;
    std::atomic<bool> poll_pending{false};
};

struct Handle {
    Channel* channel = nullptr;
    std::shared_ptr<Log> log;
    std::mutex mutex;
    std::vector<std::uint64_t> watch_ids;
};

class RedexPlugin final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.redex";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "RedEX: a durable append-only log per channel";
    static constexpr const char* kConfigSchema = net::redex::kConfigSchema;
    static constexpr const char* const kProvides[] = {NET_IFACE_REDEX_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    RedexPlugin(const net_host_t* host, std::string_view config_json)
        : Plugin(host), options_(config_from(config_json)), allocator_(std::make_shared<HostBlockAllocator>(host))
    {
        if (options_.directory) std::filesystem::create_directories(*options_.directory);
        appends_ = host->metric_register(host, NET_METRIC_COUNTER, "appends", "entries appended, all channels");
        recovery_corrupt_ = host->metric_register(host, NET_METRIC_COUNTER, "recovery_corrupt",
                                                  "logs found corrupt (not just torn) when opened");
    }

    ~RedexPlugin() override
    {
        std::lock_guard lock(channels_mutex_);
        for (auto& [name, channel] : channels_) {
            std::lock_guard c(channel->mutex);
            if (channel->log) channel->log->close();
        }
    }

    void start() override
    {
        std::uint64_t period_ms = kHousekeepingMs;
        if (options_.fsync == FsyncPolicy::interval) period_ms = std::min(period_ms, options_.fsync_interval_ms);
        const net_status_t s = host()->timer_start(host(), period_ms * kNsPerMs, period_ms * kNsPerMs,
                                                   &RedexPlugin::on_housekeeping, this, &timer_);
        if (s != NET_OK) throw net::sdk::Error(s, "timer_start failed");
    }

    void stop() noexcept override
    {
        if (timer_ != 0) host()->timer_cancel(host(), timer_);
        timer_ = 0;
    }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_REDEX_V1 ? &kInterface : nullptr;
    }

private:
    static LogOptions config_from(std::string_view json)
    {
        try {
            return parse_plugin_config(json);
        } catch (const std::invalid_argument& e) {
            throw net::sdk::Error(NET_E_CONFIG, e.what());
        }
    }

    static RedexPlugin& self(void* object) noexcept { return net::sdk::instance_of<RedexPlugin>(object); }
    static Handle* handle_of(net_redex_log_t* log) noexcept { return reinterpret_cast<Handle*>(log); }

    std::shared_ptr<Log> open_channel_log(Channel& channel)
    {
        if (channel.log) return channel.log;
        LogOptions o = options_;
        if (o.directory) o.directory = *o.directory / channel.name;
        channel.log = std::make_shared<Log>(std::move(o), allocator_);
        const LogStats s = channel.log->stats();
        for (const std::string& m : s.recovery.messages) {
            log(s.recovery.corrupt ? NET_LOG_ERROR : NET_LOG_WARN, "channel " + channel.name + ": recovery: " + m);
        }
        if (s.recovery.corrupt) host()->metric_add(host(), recovery_corrupt_, 1);
        return channel.log;
    }

    net_redex_entry_t to_abi(const Entry& e) const
    {
        net_buffer_t* payload = allocator_->slice(*e.block, e.offset, e.length);
        if (payload == nullptr) throw net::sdk::Error(NET_E_NO_MEMORY, "buffer_slice failed");
        return net_redex_entry_t{e.sequence, e.timestamp_ns, payload};
    }

    void request_poll(Channel& channel)
    {
        if (channel.poll_pending.exchange(true)) return;
        if (host()->post(host(), &RedexPlugin::on_poll, &channel) != NET_OK) channel.poll_pending = false;
    }

    static void on_poll(void* user)
    {
        Channel& channel = *static_cast<Channel*>(user);
        channel.poll_pending = false;
        std::shared_ptr<Log> log;
        {
            std::lock_guard lock(channel.mutex);
            log = channel.log;
        }
        if (log) net::sdk::guard(nullptr, [&] { log->poll_watchers(); });
    }

    static void on_housekeeping(void* user)
    {
        RedexPlugin& p = *static_cast<RedexPlugin*>(user);
        std::vector<std::shared_ptr<Log>> logs;
        {
            std::lock_guard lock(p.channels_mutex_);
            for (auto& [name, channel] : p.channels_) {
                std::lock_guard c(channel->mutex);
                if (channel->log) logs.push_back(channel->log);
            }
        }
        for (const auto& log : logs) {
            const net_status_t s = net::sdk::guard(nullptr, [&] {
                log->flush();
                log->sync_if_due();
                log->enforce_retention();
                log->poll_watchers();
            });
            if (s != NET_OK) p.log(NET_LOG_ERROR, std::string("housekeeping failed: ") + net_status_name(s));
        }
    }

    static net_status_t open_log(void* object, const char* channel_name, net_redex_log_t** out) noexcept
    {
        if (out == nullptr || channel_name == nullptr || !is_valid_channel_name(channel_name)) return NET_E_INVALID_ARGUMENT;
        *out = nullptr;
        RedexPlugin& p = self(object);
        return guard_io([&] {
            Channel* channel = nullptr;
            {
                std::lock_guard lock(p.channels_mutex_);
                auto& slot = p.channels_[channel_name];
                if (!slot) {
                    slot = std::make_unique<Channel>();
                    slot->owner = &p;
                    slot->name = channel_name;
                }
                channel = slot.get();
            }
            auto handle = std::make_unique<Handle>();
            handle->channel = channel;
            std::lock_guard c(channel->mutex);
            handle->log = p.open_channel_log(*channel);
            ++channel->handles;
            *out = reinterpret_cast<net_redex_log_t*>(handle.release());
        });
    }

    // Runs `body`, mapping engine errors to status codes.
    template <class Body>
    static net_status_t guard_io(Body&& body) noexcept
    {
        return net::sdk::guard(nullptr, [&]() -> net_status_t {
            try {
                body();
                return NET_OK;
            } catch (const IoError& e) {
                throw net::sdk::Error(NET_E_IO, e.what());
            } catch (const std::filesystem::filesystem_error& e) {
                throw net::sdk::Error(NET_E_IO, e.what());
            } catch (const std::invalid_argument& e) {
                throw net::sdk::Error(NET_E_INVALID_ARGUMENT, e.what());
            }
        });
    }

    static net_status_t append(net_redex_log_t* log, net_bytes_t payload, std::int64_t timestamp_ns,
                               std::uint64_t* out_sequence) noexcept
    {
        if (log == nullptr || (payload.ptr == nullptr && payload.len != 0)) return NET_E_INVALID_ARGUMENT;
        Handle& h = *handle_of(log);
        return guard_io([&] {
            const std::optional<std::int64_t> ts =
                timestamp_ns == NET_REDEX_TIMESTAMP_NOW ? std::nullopt : std::optional<std::int64_t>(timestamp_ns);
            const std::uint64_t seq = h.log->append({payload.ptr, payload.len}, ts);
            if (out_sequence != nullptr) *out_sequence = seq;
            RedexPlugin& p = *h.channel->owner;
            p.host()->metric_add(p.host(), p.appends_, 1);
            if (h.log->has_watchers()) p.request_poll(*h.channel);
        });
    }

    static net_status_t append_batch(net_redex_log_t* log, const net_bytes_t* payloads, const std::int64_t* timestamps,
                                     std::size_t count, std::uint64_t* out_first_sequence) noexcept
    {
        if (log == nullptr || payloads == nullptr || count == 0) return NET_E_INVALID_ARGUMENT;
        for (std::size_t i = 0; i < count; ++i) {
            if (payloads[i].ptr == nullptr && payloads[i].len != 0) return NET_E_INVALID_ARGUMENT;
        }
        Handle& h = *handle_of(log);
        return guard_io([&] {
            thread_local std::vector<AppendItem> items;  // reused: no allocation per call
            items.assign(count, AppendItem{});
            for (std::size_t i = 0; i < count; ++i) {
                items[i].payload = {payloads[i].ptr, payloads[i].len};
                if (timestamps != nullptr && timestamps[i] != NET_REDEX_TIMESTAMP_NOW) items[i].timestamp_ns = timestamps[i];
            }
            const std::uint64_t first = h.log->append_batch(items);
            if (out_first_sequence != nullptr) *out_first_sequence = first;
            RedexPlugin& p = *h.channel->owner;
            p.host()->metric_add(p.host(), p.appends_, count);
            if (h.log->has_watchers()) p.request_poll(*h.channel);
        });
    }

    static net_status_t read_one(net_redex_log_t* log, std::uint64_t sequence, net_redex_entry_t* out) noexcept
    {
        if (log == nullptr || out == nullptr) return NET_E_INVALID_ARGUMENT;
        Handle& h = *handle_of(log);
        return guard_io([&] {
            const std::optional<Entry> e = h.log->read_one(sequence);
            if (!e) throw net::sdk::Error(NET_E_NOT_FOUND, "no entry " + std::to_string(sequence));
            *out = h.channel->owner->to_abi(*e);
        });
    }

    static EntryFilter compile(const net_redex_filter_t* filter)
    {
        if (filter == nullptr) return {};
        if (filter->struct_size < sizeof(net_redex_filter_t)) throw std::invalid_argument("filter struct_size too small");
        FilterSpec spec;
        if (filter->flags & NET_REDEX_FILTER_MIN_TIMESTAMP) spec.min_timestamp_ns = filter->min_timestamp_ns;
        if (filter->flags & NET_REDEX_FILTER_MAX_TIMESTAMP) spec.max_timestamp_ns = filter->max_timestamp_ns;
        const bool prefix = (filter->flags & NET_REDEX_FILTER_PREFIX) != 0;
        const bool contains = (filter->flags & NET_REDEX_FILTER_CONTAINS) != 0;
        if (prefix || contains) {
            if (prefix && contains) throw std::invalid_argument("PREFIX and CONTAINS are exclusive");
            if (filter->pattern.ptr == nullptr && filter->pattern.len != 0) throw std::invalid_argument("null pattern");
            std::vector<std::uint8_t> pattern(filter->pattern.ptr, filter->pattern.ptr + filter->pattern.len);
            (prefix ? spec.prefix : spec.contains) = std::move(pattern);
        }
        return EntryFilter(std::move(spec));
    }

    static net_status_t read_range(net_redex_log_t* log, std::uint64_t from, std::uint64_t to,
                                   const net_redex_filter_t* filter, net_redex_entry_t* out, std::size_t max,
                                   std::size_t* out_count, std::uint64_t* out_next) noexcept
    {
        if (log == nullptr || out_count == nullptr || (out == nullptr && max != 0)) return NET_E_INVALID_ARGUMENT;
        *out_count = 0;
        Handle& h = *handle_of(log);
        return guard_io([&] {
            const RangeResult r = h.log->read_range(from, to, max, compile(filter));
            RedexPlugin& p = *h.channel->owner;
            std::size_t n = 0;
            try {
                for (; n < r.entries.size(); ++n) out[n] = p.to_abi(r.entries[n]);
            } catch (...) {
                for (std::size_t i = 0; i < n; ++i) p.host()->buffer_release(p.host(), out[i].payload);
                throw;
            }
            *out_count = n;
            if (out_next != nullptr) *out_next = r.next;
        });
    }

    static net_status_t watch(net_redex_log_t* log, std::uint64_t from, const net_redex_filter_t* filter,
                              net_redex_watch_fn fn, void* user, std::uint64_t* out_id) noexcept
    {
        if (log == nullptr || fn == nullptr) return NET_E_INVALID_ARGUMENT;
        Handle& h = *handle_of(log);
        return guard_io([&] {
            RedexPlugin* p = h.channel->owner;
            WatchFn deliver = [p, fn, user](std::uint64_t id, const std::vector<Entry>& entries) {
                std::vector<net_redex_entry_t> batch;
                batch.reserve(entries.size());
                for (const Entry& e : entries) {
                    net_buffer_t* payload = p->allocator_->slice(*e.block, e.offset, e.length);
                    if (payload == nullptr) break;
                    batch.push_back(net_redex_entry_t{e.sequence, e.timestamp_ns, payload});
                }
                fn(user, id, batch.data(), batch.size());
                for (const net_redex_entry_t& e : batch) p->host()->buffer_release(p->host(), e.payload);
            };
            const std::uint64_t id = h.log->watch(from, compile(filter), std::move(deliver));
            {
                std::lock_guard lock(h.mutex);
                h.watch_ids.push_back(id);
            }
            if (out_id != nullptr) *out_id = id;
            p->request_poll(*h.channel);
        });
    }

    static net_status_t unwatch(net_redex_log_t* log, std::uint64_t id) noexcept
    {
        if (log == nullptr) return NET_E_INVALID_ARGUMENT;
        Handle& h = *handle_of(log);
        {
            std::lock_guard lock(h.mutex);
            auto it = std::find(h.watch_ids.begin(), h.watch_ids.end(), id);
            if (it == h.watch_ids.end()) return NET_E_NOT_FOUND;
            h.watch_ids.erase(it);
        }
        return h.log->unwatch(id) ? NET_OK : NET_E_NOT_FOUND;
    }

    static net_status_t sync(net_redex_log_t* log) noexcept
    {
        if (log == nullptr) return NET_E_INVALID_ARGUMENT;
        return guard_io([&] { handle_of(log)->log->sync(); });
    }

    static net_status_t stats(net_redex_log_t* log, net_redex_stats_t* out) noexcept
    {
        if (log == nullptr || out == nullptr || out->struct_size < sizeof(std::uint32_t)) return NET_E_INVALID_ARGUMENT;
        const LogStats s = handle_of(log)->log->stats();
        net_redex_stats_t full{};
        full.struct_size = std::min<std::uint32_t>(out->struct_size, sizeof(net_redex_stats_t));
        full.durable = s.durable ? 1 : 0;
        full.first_sequence = s.first_sequence;
        full.next_sequence = s.next_sequence;
        full.synced_sequence = s.synced_sequence;
        full.entries = s.entries;
        full.bytes = s.bytes;
        full.segments = s.segments;
        full.appends = s.appends;
        full.fsyncs = s.fsyncs;
        full.retained_dropped = s.retained_dropped;
        full.recovered_entries = s.recovery.recovered_entries;
        full.recovery_discarded = s.recovery.discarded_records;
        full.recovery_corrupt = s.recovery.corrupt ? 1 : 0;
        full.watchers = static_cast<std::uint32_t>(s.watchers);
        std::memcpy(out, &full, full.struct_size);
        return NET_OK;
    }

    static void close_log(net_redex_log_t* log) noexcept
    {
        if (log == nullptr) return;
        std::unique_ptr<Handle> h(handle_of(log));
        for (std::uint64_t id : h->watch_ids) h->log->unwatch(id);
        Channel& channel = *h->channel;
        RedexPlugin& p = *channel.owner;
        std::lock_guard lock(channel.mutex);
        if (--channel.handles == 0 && p.options_.directory) {
            const net_status_t s = guard_io([&] { channel.log->close(); });
            if (s != NET_OK) p.log(NET_LOG_ERROR, "channel " + channel.name + ": close failed: " + net_status_name(s));
            channel.log.reset();
        }
    }

    static constexpr net_redex_v1_t kInterface = {
        sizeof(net_redex_v1_t), 0, &open_log, &append, &read_one, &read_range, &watch, &unwatch, &sync, &stats, &close_log, &append_batch,
    };

    const LogOptions options_;
    const std::shared_ptr<HostBlockAllocator> allocator_;
    net_metric_t* appends_ = nullptr;
    net_metric_t* recovery_corrupt_ = nullptr;
    net_timer_id_t timer_ = 0;
    std::mutex channels_mutex_;
    std::map<std::string, std::unique_ptr<Channel>> channels_;
};

}  // namespace
}  // namespace net::redex

NET_SDK_EXPORT_PLUGIN(net::redex::RedexPlugin)
