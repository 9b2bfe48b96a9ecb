// Plugin "net.bus.memory": interface net.bus.adapter/1 kept in process memory. Each shard is a
// growable ring of the events written to it, holding a reference to every payload (the very
// buffers the bus published: no copy). Entry i of a shard (0, 1, 2, ... since the instance was
// created) has the cursor {0, i + 1}; read replays from any cursor. With max_events_per_shard the
// oldest entries are dropped (and their buffers released) once a shard holds more.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/iface/bus_adapter.h"
#include "net/sdk/plugin.hpp"

namespace net::bus_memory {
namespace {

constexpr const char* kSchema = R"json({
    "type": "object",
    "additionalProperties": false,
    "properties": {
        "max_events_per_shard": {"type": "integer", "minimum": 1, "maximum": 1099511627776,
                                 "description": "keep at most this many events per shard, dropping the oldest; absent = keep all"}
    }
})json";

// The events of one shard, oldest first, in a power-of-two ring that doubles when full.
class EventRing {
public:
    std::size_t size() const noexcept { return count_; }
    const net_bus_event_t& at(std::size_t i) const noexcept { return slots_[(head_ + i) & (slots_.size() - 1)]; }
    const net_bus_event_t& front() const noexcept { return slots_[head_]; }

    void push_back(const net_bus_event_t& e)
    {
        if (count_ == slots_.size()) grow();
        slots_[(head_ + count_) & (slots_.size() - 1)] = e;
        ++count_;
    }

    void pop_front() noexcept
    {
        head_ = (head_ + 1) & (slots_.size() - 1);
        --count_;
    }

    // Makes room for `n` more events at once (one allocation per write at most).
    void reserve_more(std::size_t n)
    {
        while (slots_.size() - count_ < n) grow();
    }

private:
    void grow()
    {
        std::vector<net_bus_event_t> bigger(slots_.empty() ? 1024 : slots_.size() * 2);
        for (std::size_t i = 0; i < count_; ++i) bigger[i] = at(i);
        slots_.swap(bigger);
        head_ = 0;
    }

    std::vector<net_bus_event_t> slots_;
    std::size_t head_ = 0;
    std::size_t count_ = 0;
};

struct ShardLog {
    std::mutex mutex;
    EventRing events;
    std::uint64_t first_index = 0;  // entry number of events.front()
};

class BusMemory final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.bus.memory";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "bus adapter keeping each shard's events in memory";
    static constexpr const char* kConfigSchema = kSchema;
    static constexpr const char* const kProvides[] = {NET_IFACE_BUS_ADAPTER_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    BusMemory(const net_host_t* host, std::string_view config_json) : Plugin(host)
    {
        const nlohmann::json config = config_json.empty() ? nlohmann::json::object() : nlohmann::json::parse(config_json);
        max_events_ = config.value("max_events_per_shard", std::uint64_t{0});
    }

    ~BusMemory() override
    {
        for (std::uint32_t s = 0; s < shard_count_.load(std::memory_order_acquire); ++s) {
            ShardLog& log = shards_[s];
            while (log.events.size() != 0) {
                host()->buffer_release(host(), log.events.front().payload);
                log.events.pop_front();
            }
        }
    }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_BUS_ADAPTER_V1 ? &kInterface : nullptr;
    }

private:
    static BusMemory& self(void* object) noexcept { return net::sdk::instance_of<BusMemory>(object); }

    // The shard's log, or nullptr before configure or for a shard out of range.
    ShardLog* shard(std::uint32_t index) noexcept
    {
        return index < shard_count_.load(std::memory_order_acquire) ? &shards_[index] : nullptr;
    }

    static net_status_t configure(void* object, std::uint32_t shard_count) noexcept
    {
        if (shard_count == 0) return NET_E_INVALID_ARGUMENT;
        BusMemory& p = self(object);
        return net::sdk::guard(nullptr, [&]() -> net_status_t {
            std::lock_guard lock(p.configure_mutex_);
            const std::uint32_t current = p.shard_count_.load(std::memory_order_relaxed);
            if (current != 0) return current == shard_count ? NET_OK : NET_E_CONFIG;
            p.shards_ = std::make_unique<ShardLog[]>(shard_count);
            p.shard_count_.store(shard_count, std::memory_order_release);
            return NET_OK;
        });
    }

    static net_status_t write_batch(void* object, const net_bus_batch_t* batch) noexcept
    {
        BusMemory& p = self(object);
        if (batch == nullptr || batch->struct_size < sizeof(net_bus_batch_t) || batch->events == nullptr ||
            batch->count == 0) {
            p.write_errors_.fetch_add(1, std::memory_order_relaxed);
            return NET_E_INVALID_ARGUMENT;
        }
        ShardLog* log = p.shard(batch->shard);
        if (log == nullptr) {
            p.write_errors_.fetch_add(1, std::memory_order_relaxed);
            return p.shard_count_.load(std::memory_order_acquire) == 0 ? NET_E_BAD_STATE : NET_E_INVALID_ARGUMENT;
        }
        const net_host_t* h = p.host();
        std::uint64_t bytes = 0;
        for (std::size_t i = 0; i < batch->count; ++i) {
            if (batch->events[i].payload == nullptr) {
                p.write_errors_.fetch_add(1, std::memory_order_relaxed);
                return NET_E_INVALID_ARGUMENT;
            }
        }
        const net_status_t status = net::sdk::guard(nullptr, [&] {
            std::lock_guard lock(log->mutex);
            log->events.reserve_more(batch->count);  // may throw: nothing stored yet
            for (std::size_t i = 0; i < batch->count; ++i) {
                net_bus_event_t e = batch->events[i];
                e.payload = h->buffer_retain(h, e.payload);
                bytes += e.payload->len;
                log->events.push_back(e);  // cannot throw after reserve_more
            }
            while (p.max_events_ != 0 && log->events.size() > p.max_events_) {
                h->buffer_release(h, log->events.front().payload);
                log->events.pop_front();
                ++log->first_index;
            }
        });
        if (status != NET_OK) {
            p.write_errors_.fetch_add(1, std::memory_order_relaxed);
            return status;
        }
        p.batches_.fetch_add(1, std::memory_order_relaxed);
        p.events_written_.fetch_add(batch->count, std::memory_order_relaxed);
        p.bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
        return NET_OK;
    }

    static net_status_t read(void* object, std::uint32_t shard_index, net_bus_cursor_t after, net_bus_record_t* out,
                             std::size_t max, std::size_t* out_count) noexcept
    {
        if (out_count == nullptr) return NET_E_INVALID_ARGUMENT;
        *out_count = 0;
        if ((out == nullptr && max != 0) || after.hi != 0) return NET_E_INVALID_ARGUMENT;
        BusMemory& p = self(object);
        ShardLog* log = p.shard(shard_index);
        if (log == nullptr) return p.shard_count_.load(std::memory_order_acquire) == 0 ? NET_E_BAD_STATE : NET_E_INVALID_ARGUMENT;
        const net_host_t* h = p.host();
        std::size_t n = 0;
        {
            std::lock_guard lock(log->mutex);
            // Cursor {0, i + 1} points at entry i; the next entry is i + 1 = after.lo. Entries
            // dropped by max_events_per_shard are skipped.
            const std::uint64_t end = log->first_index + log->events.size();
            std::uint64_t next = after.lo < log->first_index ? log->first_index : after.lo;
            for (; next < end && n < max; ++next, ++n) {
                net_bus_event_t e = log->events.at(static_cast<std::size_t>(next - log->first_index));
                e.payload = h->buffer_retain(h, e.payload);
                out[n] = net_bus_record_t{net_bus_cursor_t{0, next + 1}, e};
            }
        }
        p.events_read_.fetch_add(n, std::memory_order_relaxed);
        *out_count = n;
        return NET_OK;
    }

    static net_status_t stats(void* object, net_bus_adapter_stats_t* out) noexcept
    {
        if (out == nullptr || out->struct_size < sizeof(std::uint32_t) * 2) return NET_E_INVALID_ARGUMENT;
        BusMemory& p = self(object);
        net_bus_adapter_stats_t s{};
        s.struct_size = out->struct_size < sizeof(s) ? out->struct_size : static_cast<std::uint32_t>(sizeof(s));
        s.connected = 1;
        s.batches_written = p.batches_.load(std::memory_order_relaxed);
        s.events_written = p.events_written_.load(std::memory_order_relaxed);
        s.bytes_written = p.bytes_written_.load(std::memory_order_relaxed);
        s.write_errors = p.write_errors_.load(std::memory_order_relaxed);
        s.reconnects = 0;
        s.events_read = p.events_read_.load(std::memory_order_relaxed);
        std::memcpy(out, &s, s.struct_size);
        return NET_OK;
    }

    static constexpr net_bus_adapter_v1_t kInterface = {
        sizeof(net_bus_adapter_v1_t), 0, &BusMemory::configure, &BusMemory::write_batch, &BusMemory::read,
        &BusMemory::stats,
    };

    std::uint64_t max_events_ = 0;  // 0 = keep everything
    std::mutex configure_mutex_;
    std::unique_ptr<ShardLog[]> shards_;
    std::atomic<std::uint32_t> shard_count_{0};
    std::atomic<std::uint64_t> batches_{0};
    std::atomic<std::uint64_t> events_written_{0};
    std::atomic<std::uint64_t> bytes_written_{0};
    std::atomic<std::uint64_t> write_errors_{0};
    std::atomic<std::uint64_t> events_read_{0};
};

}  // namespace
}  // namespace net::bus_memory

NET_SDK_EXPORT_PLUGIN(net::bus_memory::BusMemory)
