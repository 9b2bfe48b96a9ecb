// Plugin "net.bus.redex": net.bus.adapter/1 over net.redex/1. Shard i is the RedEX log
// "<log_prefix>.<i>"; each event is one entry (bus_record.hpp) stamped with the event's time; the
// cursor of entry `s` is {0, s + 1}. The shard count is kept in the log "<log_prefix>.shards" so a
// restart with another count is refused instead of silently mixing shards.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bus_record.hpp"
#include "net/iface/bus_adapter.h"
#include "net/iface/redex.h"
#include "net/sdk/plugin.hpp"

namespace net::bus_redex {
namespace {

// Payload bytes per RedEX append_batch call (RedEX takes at most 64 MiB in one group).
constexpr std::uint64_t kMaxGroupBytes = 8u << 20;

class BusRedexPlugin final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.bus.redex";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "Bus adapter that appends each shard's batches to a RedEX log";
    static constexpr const char* kConfigSchema = R"json({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "redex":      {"type": "string", "minLength": 1,
                           "description": "the instance providing net.redex/1 (default: the first one in the manifest)"},
            "log_prefix": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$",
                           "description": "RedEX channel prefix; shard i is <log_prefix>.<i> (default \"bus\")"}
        }
    })json";
    static constexpr const char* const kProvides[] = {NET_IFACE_BUS_ADAPTER_V1, nullptr};
    static constexpr const char* const kNeeds[] = {NET_IFACE_REDEX_V1, nullptr};

    BusRedexPlugin(const net_host_t* host, std::string_view config_json) : Plugin(host)
    {
        const auto config = nlohmann::json::parse(config_json);
        provider_ = config.value("redex", std::string());
        prefix_ = config.value("log_prefix", std::string("bus"));
    }

    ~BusRedexPlugin() override { close_logs(); }

    void start() override
    {
        const char* provider = provider_.empty() ? nullptr : provider_.c_str();
        if (host()->interface_acquire(host(), provider, NET_IFACE_REDEX_V1, &ref_) != NET_OK) {
            throw net::sdk::Error(NET_E_NOT_FOUND, provider_.empty()
                                                       ? std::string("no instance provides " NET_IFACE_REDEX_V1)
                                                       : "instance \"" + provider_ + "\" does not provide " NET_IFACE_REDEX_V1);
        }
        redex_ = static_cast<const net_redex_v1_t*>(ref_.vtable);
    }

    void stop() noexcept override
    {
        close_logs();
        host()->interface_release(host(), &ref_);
        redex_ = nullptr;
    }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_BUS_ADAPTER_V1 ? &kInterface : nullptr;
    }

private:
    static BusRedexPlugin& self(void* object) noexcept { return net::sdk::instance_of<BusRedexPlugin>(object); }

    void close_logs() noexcept
    {
        std::lock_guard lock(mutex_);
        if (redex_ == nullptr) return;
        for (net_redex_log_t* l : logs_) redex_->close_log(l);
        logs_.clear();
    }

    net_status_t open_named(const std::string& name, net_redex_log_t** out)
    {
        const net_status_t s = redex_->open_log(ref_.object, name.c_str(), out);
        if (s != NET_OK) log(NET_LOG_ERROR, "cannot open RedEX log \"" + name + "\": " + net_status_name(s));
        return s;
    }

    // Compares `shard_count` with the one recorded by an earlier run (recording it when new).
    net_status_t check_recorded_shard_count(std::uint32_t shard_count)
    {
        net_redex_log_t* meta = nullptr;
        net_status_t s = open_named(prefix_ + ".shards", &meta);
        if (s != NET_OK) return s;
        net_redex_stats_t st{};
        st.struct_size = sizeof st;
        s = redex_->stats(meta, &st);
        if (s == NET_OK && st.entries == 0) {
            const std::string text = std::to_string(shard_count);
            s = redex_->append(meta, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                               NET_REDEX_TIMESTAMP_NOW, nullptr);
            if (s == NET_OK) s = redex_->sync(meta);
        } else if (s == NET_OK) {
            net_redex_entry_t last{};
            s = redex_->read_one(meta, st.next_sequence - 1, &last);
            if (s == NET_OK) {
                const std::string recorded(reinterpret_cast<const char*>(last.payload->data), last.payload->len);
                host()->buffer_release(host(), last.payload);
                if (recorded != std::to_string(shard_count)) {
                    log(NET_LOG_ERROR, "log \"" + prefix_ + "\" was written with " + recorded +
                                           " shards; the bus now asks for " + std::to_string(shard_count) +
                                           " (use another log_prefix or the same shard count)");
                    s = NET_E_CONFIG;
                }
            }
        }
        redex_->close_log(meta);
        return s;
    }

    net_status_t configure(std::uint32_t shard_count)
    {
        if (shard_count == 0) return NET_E_INVALID_ARGUMENT;
        std::lock_guard lock(mutex_);
        if (redex_ == nullptr) return NET_E_BAD_STATE;
        if (!logs_.empty()) return logs_.size() == shard_count ? NET_OK : NET_E_CONFIG;
        if (const net_status_t s = check_recorded_shard_count(shard_count); s != NET_OK) return s;
        std::vector<net_redex_log_t*> opened;
        for (std::uint32_t i = 0; i < shard_count; ++i) {
            net_redex_log_t* opened_log = nullptr;
            if (const net_status_t s = open_named(prefix_ + "." + std::to_string(i), &opened_log); s != NET_OK) {
                for (net_redex_log_t* l : opened) redex_->close_log(l);
                return s;
            }
            opened.push_back(opened_log);
        }
        logs_ = std::move(opened);
        return NET_OK;
    }

    net_redex_log_t* shard_log(std::uint32_t shard)
    {
        std::lock_guard lock(mutex_);
        return shard < logs_.size() ? logs_[shard] : nullptr;
    }

    net_status_t write_batch(const net_bus_batch_t& batch)
    {
        net_redex_log_t* target = shard_log(batch.shard);
        if (target == nullptr) return NET_E_BAD_STATE;
        std::uint64_t bytes = 0;
        // Groups of events go to RedEX as one append_batch each (one write per file); a provider
        // older than that slot gets one append per event.
        const std::size_t group_limit = NET_REDEX_HAS(redex_, append_batch) ? batch.count : 1;
        for (std::size_t first = 0; first < batch.count;) {
            std::size_t end = first;
            std::uint64_t group_bytes = 0, group_payload_bytes = 0;
            while (end < batch.count && end - first < group_limit) {
                const std::size_t payload = payload_length(batch.events[end]);
                if (end > first && group_bytes + kRecordHeaderSize + payload > kMaxGroupBytes) break;
                group_bytes += kRecordHeaderSize + payload;
                group_payload_bytes += payload;
                ++end;
            }
            if (const net_status_t s = append_group(target, batch.events + first, end - first); s != NET_OK) {
                write_errors_.fetch_add(1, std::memory_order_relaxed);
                // Earlier groups of the batch stay appended; the engine's retry writes them again
                // and readers drop the copies by dedup id.
                return s;
            }
            bytes += group_payload_bytes;
            first = end;
        }
        batches_written_.fetch_add(1, std::memory_order_relaxed);
        events_written_.fetch_add(batch.count, std::memory_order_relaxed);
        bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
        return NET_OK;
    }

    static std::size_t payload_length(const net_bus_event_t& e) noexcept { return e.payload != nullptr ? e.payload->len : 0; }

    // Encodes the events' records back to back and appends them as one group (or one entry).
    net_status_t append_group(net_redex_log_t* target, const net_bus_event_t* events, std::size_t count)
    {
        thread_local std::vector<std::uint8_t> records;
        thread_local std::vector<net_bytes_t> views;
        thread_local std::vector<std::int64_t> timestamps;
        std::size_t total = 0;
        for (std::size_t i = 0; i < count; ++i) total += kRecordHeaderSize + payload_length(events[i]);
        records.resize(total);
        views.resize(count);
        timestamps.resize(count);
        std::size_t at = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const net_bus_event_t& e = events[i];
            const std::size_t payload_len = payload_length(e);
            encode_record_header(e, std::span<std::uint8_t, kRecordHeaderSize>(records.data() + at, kRecordHeaderSize));
            if (payload_len != 0) std::memcpy(records.data() + at + kRecordHeaderSize, e.payload->data, payload_len);
            views[i] = net_bytes_t{records.data() + at, kRecordHeaderSize + payload_len};
            timestamps[i] = e.timestamp_ns;
            at += kRecordHeaderSize + payload_len;
        }
        if (count == 1) return redex_->append(target, views[0], timestamps[0], nullptr);
        return redex_->append_batch(target, views.data(), timestamps.data(), count, nullptr);
    }

    net_status_t read(std::uint32_t shard, net_bus_cursor_t after, net_bus_record_t* out, std::size_t max,
                      std::size_t* out_count)
    {
        *out_count = 0;
        net_redex_log_t* source = shard_log(shard);
        if (source == nullptr) return NET_E_BAD_STATE;
        if (after.hi != 0) return NET_E_INVALID_ARGUMENT;
        std::vector<net_redex_entry_t> entries(max);
        std::size_t got = 0;
        const net_status_t s =
            redex_->read_range(source, after.lo, NET_REDEX_SEQUENCE_END, nullptr, entries.data(), max, &got, nullptr);
        if (s != NET_OK) return s;
        std::size_t filled = 0;
        net_status_t result = NET_OK;
        for (std::size_t i = 0; i < got; ++i) {
            net_redex_entry_t& entry = entries[i];
            RecordHeader h;
            std::string why;
            if (result == NET_OK &&
                decode_record_header({entry.payload->data, entry.payload->len}, h, why) != NET_OK) {
                log_bad_record(shard, entry.sequence, why);
                result = NET_E_MALFORMED;
            }
            if (result != NET_OK) {
                host()->buffer_release(host(), entry.payload);
                continue;
            }
            net_buffer_t* payload = host()->buffer_slice(host(), entry.payload, kRecordHeaderSize,
                                                         entry.payload->len - kRecordHeaderSize);
            host()->buffer_release(host(), entry.payload);
            if (payload == nullptr) {
                result = NET_E_NO_MEMORY;
                continue;
            }
            out[filled] = net_bus_record_t{{0, entry.sequence + 1},
                                           {h.dedup_id, h.producer_id, h.producer_sequence, h.channel_hash,
                                            entry.timestamp_ns, payload}};
            ++filled;
        }
        if (result != NET_OK) {
            // All or nothing: hand back no partial read with an error.
            for (std::size_t i = 0; i < filled; ++i) host()->buffer_release(host(), out[i].event.payload);
            return result;
        }
        *out_count = filled;
        events_read_.fetch_add(filled, std::memory_order_relaxed);
        return NET_OK;
    }

    void log_bad_record(std::uint32_t shard, std::uint64_t sequence, const std::string& why)
    {
        log(NET_LOG_ERROR, "RedEX log \"" + prefix_ + "." + std::to_string(shard) + "\" entry " +
                               std::to_string(sequence) + " is not a bus record: " + why);
    }

    void stats(net_bus_adapter_stats_t& out) const noexcept
    {
        net_bus_adapter_stats_t s{};
        s.struct_size = out.struct_size;
        s.connected = 1;
        s.batches_written = batches_written_.load(std::memory_order_relaxed);
        s.events_written = events_written_.load(std::memory_order_relaxed);
        s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
        s.write_errors = write_errors_.load(std::memory_order_relaxed);
        s.events_read = events_read_.load(std::memory_order_relaxed);
        std::memcpy(&out, &s, std::min<std::size_t>(out.struct_size, sizeof s));
    }

    static net_status_t abi_configure(void* object, std::uint32_t shard_count)
    {
        return net::sdk::guard(nullptr, [&] { return self(object).configure(shard_count); });
    }
    static net_status_t abi_write_batch(void* object, const net_bus_batch_t* batch)
    {
        if (batch == nullptr || batch->events == nullptr || batch->count == 0) return NET_E_INVALID_ARGUMENT;
        return net::sdk::guard(nullptr, [&] { return self(object).write_batch(*batch); });
    }
    static net_status_t abi_read(void* object, std::uint32_t shard, net_bus_cursor_t after, net_bus_record_t* out,
                                 std::size_t max, std::size_t* out_count)
    {
        if (out_count == nullptr || (out == nullptr && max != 0)) return NET_E_INVALID_ARGUMENT;
        *out_count = 0;
        if (max == 0) return NET_OK;
        return net::sdk::guard(nullptr, [&] { return self(object).read(shard, after, out, max, out_count); });
    }
    static net_status_t abi_stats(void* object, net_bus_adapter_stats_t* out)
    {
        if (out == nullptr || out->struct_size < sizeof(std::uint32_t)) return NET_E_INVALID_ARGUMENT;
        self(object).stats(*out);
        return NET_OK;
    }

    static constexpr net_bus_adapter_v1_t kInterface = {
        sizeof(net_bus_adapter_v1_t), 0, &abi_configure, &abi_write_batch, &abi_read, &abi_stats,
    };

    std::string provider_;
    std::string prefix_;
    net_interface_ref_t ref_{};
    const net_redex_v1_t* redex_ = nullptr;
    std::mutex mutex_;
    std::vector<net_redex_log_t*> logs_;
    std::atomic<std::uint64_t> batches_written_{0};
    std::atomic<std::uint64_t> events_written_{0};
    std::atomic<std::uint64_t> bytes_written_{0};
    std::atomic<std::uint64_t> write_errors_{0};
    std::atomic<std::uint64_t> events_read_{0};
};

}  // namespace
}  // namespace net::bus_redex

NET_SDK_EXPORT_PLUGIN(net::bus_redex::BusRedexPlugin)
