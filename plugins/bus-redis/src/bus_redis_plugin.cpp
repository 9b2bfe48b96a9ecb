// Plugin "net.bus.redis": interface net.bus.adapter/1 over Redis Streams. One stream per shard
// (<key_prefix>:<shard>); a batch is one pipelined MULTI, XADD x n, EXEC round trip; a read is
// XRANGE from the entry after the cursor. docs/bus-redis.md is the operator's view of all of it.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "connection_pool.hpp"
#include "entry_format.hpp"
#include "net/iface/bus_adapter.h"
#include "net/sdk/plugin.hpp"
#include "redis_config.hpp"

namespace net::bus_redis {
namespace {

class RedisBusPlugin final : public net::sdk::Plugin {
public:
    static constexpr const char* kId = "net.bus.redis";
    static constexpr const char* kVersion = "1.0.0";
    static constexpr const char* kDescription = "Bus adapter over Redis Streams: one stream per shard, MULTI/XADD/EXEC batches";
    static constexpr const char* kConfigSchema = net::bus_redis::kConfigSchema;
    static constexpr const char* const kProvides[] = {NET_IFACE_BUS_ADAPTER_V1, nullptr};
    static constexpr const char* const* kNeeds = nullptr;

    RedisBusPlugin(const net_host_t* host, std::string_view config_json)
        : Plugin(host),
          config_(config_from(config_json)),
          pool_(config_, [this](net_log_level_t level, const std::string& message) { log(level, message); }),
          meta_key_(config_.key_prefix + ":meta")
    {
        write_errors_metric_ = host->metric_register(host, NET_METRIC_COUNTER, "write_errors", "write_batch calls that failed");
        transient_metric_ = host->metric_register(host, NET_METRIC_COUNTER, "transient_errors",
                                                  "write/read calls that failed with a transient status");
        malformed_metric_ = host->metric_register(host, NET_METRIC_COUNTER, "malformed_entries",
                                                  "stream entries skipped by read because their fields are invalid");
        connected_metric_ = host->metric_register(host, NET_METRIC_GAUGE, "connected", "1 while redis is reachable");
    }

    // One connect attempt, bounded by connect_timeout_ms. A Redis that is down now is a warning,
    // not a failed node: every write and read tries again (with backoff).
    void start() override
    {
        Failure failure;
        if (auto lease = pool_.acquire(&failure)) {
            log(NET_LOG_INFO, "connected to redis at " + config_.endpoint() + ", streams " + config_.key_prefix + ":<shard>");
        } else if (failure.transient()) {
            log(NET_LOG_WARN, "redis at " + config_.endpoint() + " is not reachable at start (" + failure.message +
                                  "); writes and reads return " + net_status_name(failure.status) +
                                  " and reconnect until it is");
        } else {
            log(NET_LOG_ERROR, "redis at " + config_.endpoint() + " refused the connection at start: " + failure.message);
        }
        update_connected_metric();
    }

    const void* get_interface(std::string_view id) noexcept override
    {
        return id == NET_IFACE_BUS_ADAPTER_V1 ? &kInterface : nullptr;
    }

private:
    static RedisConfig config_from(std::string_view json)
    {
        try {
            return parse_redis_config(json);
        } catch (const std::invalid_argument& e) {
            throw net::sdk::Error(NET_E_CONFIG, e.what());
        }
    }

    static RedisBusPlugin& self(void* object) noexcept { return net::sdk::instance_of<RedisBusPlugin>(object); }

    void update_connected_metric() const noexcept
    {
        host()->metric_set(host(), connected_metric_, pool_.connected() ? 1 : 0);
    }

    // Counts and logs a failed call; returns its status.
    net_status_t report(const char* what, std::uint32_t shard, const Failure& failure) const
    {
        if (failure.transient()) {
            host()->metric_add(host(), transient_metric_, 1);
            log(NET_LOG_DEBUG, std::string(what) + " shard " + std::to_string(shard) + ": " +
                                   net_status_name(failure.status) + ": " + failure.message);
        } else {
            log(NET_LOG_ERROR, std::string(what) + " shard " + std::to_string(shard) + " (" + stream_key(shard) +
                                   ") failed permanently: " + net_status_name(failure.status) + ": " + failure.message);
        }
        update_connected_metric();
        return failure.status;
    }

    std::string stream_key(std::uint32_t shard) const { return config_.key_prefix + ":" + std::to_string(shard); }

    // ---- configure: the shard count, checked against <prefix>:meta ----

    static net_status_t configure(void* object, std::uint32_t shard_count) noexcept
    {
        RedisBusPlugin& p = self(object);
        return net::sdk::guard(nullptr, [&]() -> net_status_t {
            if (shard_count == 0) return NET_E_INVALID_ARGUMENT;
            {
                std::lock_guard lock(p.configure_mutex_);
                const std::uint32_t current = p.shard_count_.load();
                if (current != 0 && current != shard_count) {
                    p.log(NET_LOG_ERROR, "configure(" + std::to_string(shard_count) + ") after configure(" +
                                             std::to_string(current) + ")");
                    return NET_E_BAD_STATE;
                }
                if (current == 0) {
                    p.keys_.clear();
                    for (std::uint32_t s = 0; s < shard_count; ++s) p.keys_.push_back(p.stream_key(s));
                    p.shard_count_.store(shard_count);
                }
            }
            Failure failure;
            auto lease = p.pool_.acquire(&failure);
            if (!lease) {
                if (!failure.transient()) return p.report("configure", 0, failure);
                p.log(NET_LOG_WARN, "configure: redis not reachable (" + failure.message + "); the shard count is checked against " +
                                        p.meta_key_ + " on the first write");
                return NET_OK;
            }
            return p.check_meta(*lease);
        });
    }

    // HSETNX <prefix>:meta shard_count N, then HGET: the first node to configure records its count,
    // later ones must match it. Runs once per instance (configure, or the first write).
    net_status_t check_meta(ConnectionPool::Lease& lease)
    {
        if (meta_checked_.load(std::memory_order_acquire)) return meta_status_.load();
        const std::string count = std::to_string(shard_count_.load());
        const char* setnx[] = {"HSETNX", meta_key_.c_str(), "shard_count", count.c_str()};
        const std::size_t setnx_len[] = {6, meta_key_.size(), 11, count.size()};
        const char* get[] = {"HGET", meta_key_.c_str(), "shard_count"};
        const std::size_t get_len[] = {4, meta_key_.size(), 11};
        Connection& c = lease.connection();
        c.append(4, setnx, setnx_len);
        c.append(3, get, get_len);
        std::vector<Reply> replies;
        Failure failure;
        if (!c.read_replies(2, replies, &failure)) {
            lease.failed(failure);
            return report("configure", 0, failure);
        }
        lease.succeeded();
        for (const Reply& r : replies) {
            if (r->type == REDIS_REPLY_ERROR) return report("configure", 0, classify_error_reply(reply_text(r.get())));
        }
        const std::string stored = reply_text(replies[1].get());
        net_status_t status = NET_OK;
        if (stored != count) {
            log(NET_LOG_ERROR, "redis " + meta_key_ + " records shard_count=" + stored + " but the bus uses " + count +
                                   " shards: events would land in other streams than before; use another key_prefix "
                                   "or delete the old streams and " + meta_key_);
            status = NET_E_CONFIG;
        }
        meta_status_.store(status);
        meta_checked_.store(true, std::memory_order_release);
        return status;
    }

    net_status_t check_shard(std::uint32_t shard) const noexcept
    {
        const std::uint32_t count = shard_count_.load();
        if (count == 0) return NET_E_BAD_STATE;
        return shard < count ? NET_OK : NET_E_INVALID_ARGUMENT;
    }

    // ---- write_batch: MULTI, XADD per event, EXEC in one round trip ----

    static net_status_t write_batch(void* object, const net_bus_batch_t* batch) noexcept
    {
        if (batch == nullptr || batch->struct_size < sizeof(net_bus_batch_t) || batch->count == 0 || batch->events == nullptr) {
            return NET_E_INVALID_ARGUMENT;
        }
        RedisBusPlugin& p = self(object);
        if (const net_status_t s = p.check_shard(batch->shard); s != NET_OK) return s;
        const net_status_t s = net::sdk::guard(nullptr, [&] { return p.write(*batch); });
        if (s != NET_OK) {
            p.write_errors_.fetch_add(1, std::memory_order_relaxed);
            p.host()->metric_add(p.host(), p.write_errors_metric_, 1);
        }
        return s;
    }

    net_status_t write(const net_bus_batch_t& batch)
    {
        Failure failure;
        auto lease = pool_.acquire(&failure);
        if (!lease) return report("write_batch", batch.shard, failure);
        if (!meta_checked_.load(std::memory_order_acquire)) {
            if (const net_status_t s = check_meta(*lease); s != NET_OK) return s;
        } else if (meta_status_.load() != NET_OK) {
            return meta_status_.load();
        }

        Connection& c = lease->connection();
        const std::string& key = keys_[batch.shard];
        const std::string maxlen = config_.max_stream_length ? std::to_string(*config_.max_stream_length) : std::string();
        static constexpr const char* kMulti[] = {"MULTI"};
        static constexpr std::size_t kMultiLen[] = {5};
        c.append(1, kMulti, kMultiLen);
        std::uint64_t bytes = 0;
        for (std::size_t i = 0; i < batch.count; ++i) {
            const net_bus_event_t& e = batch.events[i];
            EncodedMeta meta;
            encode_meta(e.dedup_id, e.producer_id, e.producer_sequence, e.channel_hash, e.timestamp_ns, meta);
            const char* payload = e.payload != nullptr ? reinterpret_cast<const char*>(e.payload->data) : "";
            const std::size_t payload_len = e.payload != nullptr ? e.payload->len : 0;
            bytes += payload_len;
            const char* argv[19];
            std::size_t lens[19];
            int n = 0;
            auto arg = [&](std::string_view s) {
                argv[n] = s.data();
                lens[n] = s.size();
                ++n;
            };
            arg("XADD");
            arg(key);
            if (config_.max_stream_length) {
                arg("MAXLEN");
                arg("~");
                arg(maxlen);
            }
            arg("*");
            arg(kFieldDedupId);
            arg(meta.dedup_id);
            arg(kFieldProducerId);
            arg(meta.producer_id);
            arg(kFieldProducerSequence);
            arg(meta.producer_sequence);
            arg(kFieldChannelHash);
            arg(meta.channel_hash);
            arg(kFieldTimestampNs);
            arg(meta.timestamp_ns);
            arg(kFieldPayload);
            arg({payload, payload_len});
            c.append(n, argv, lens);
        }
        static constexpr const char* kExec[] = {"EXEC"};
        static constexpr std::size_t kExecLen[] = {4};
        c.append(1, kExec, kExecLen);

        std::vector<Reply> replies;
        if (!c.read_replies(batch.count + 2, replies, &failure)) {
            lease->failed(failure);
            return report("write_batch", batch.shard, failure);
        }
        lease->succeeded();
        // A command refused while queueing (LOADING, OOM, ...) aborts the transaction: its error is
        // the reason, EXEC only says EXECABORT. Errors inside EXEC's array (WRONGTYPE) come next.
        for (const Reply& r : replies) {
            if (r->type == REDIS_REPLY_ERROR) return report("write_batch", batch.shard, classify_error_reply(reply_text(r.get())));
        }
        const redisReply* exec = replies.back().get();
        if (exec->type != REDIS_REPLY_ARRAY || exec->elements != batch.count) {
            return report("write_batch", batch.shard,
                          {NET_E_INTERNAL, false, "EXEC returned no array of " + std::to_string(batch.count) + " ids"});
        }
        for (std::size_t i = 0; i < exec->elements; ++i) {
            if (exec->element[i]->type == REDIS_REPLY_ERROR) {
                return report("write_batch", batch.shard, classify_error_reply(reply_text(exec->element[i])));
            }
        }
        update_connected_metric();
        batches_written_.fetch_add(1, std::memory_order_relaxed);
        events_written_.fetch_add(batch.count, std::memory_order_relaxed);
        bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
        return NET_OK;
    }

    // ---- read: XRANGE <key> <next id after the cursor> + COUNT n ----

    static net_status_t read(void* object, std::uint32_t shard, net_bus_cursor_t after, net_bus_record_t* out,
                             std::size_t max, std::size_t* out_count) noexcept
    {
        if (out_count == nullptr || (out == nullptr && max != 0)) return NET_E_INVALID_ARGUMENT;
        *out_count = 0;
        RedisBusPlugin& p = self(object);
        if (const net_status_t s = p.check_shard(shard); s != NET_OK) return s;
        std::size_t produced = 0;
        const net_status_t s = net::sdk::guard(nullptr, [&] { return p.read_range(shard, after, out, max, produced); });
        if (s != NET_OK) {
            for (std::size_t i = 0; i < produced; ++i) p.host()->buffer_release(p.host(), out[i].event.payload);
            return s;
        }
        *out_count = produced;
        p.events_read_.fetch_add(produced, std::memory_order_relaxed);
        return NET_OK;
    }

    net_status_t read_range(std::uint32_t shard, net_bus_cursor_t after, net_bus_record_t* out, std::size_t max,
                            std::size_t& produced)
    {
        if (max == 0) return NET_OK;
        Failure failure;
        auto lease = pool_.acquire(&failure);
        if (!lease) return report("read", shard, failure);
        Connection& c = lease->connection();
        const std::string& key = keys_[shard];
        EntryId position{after.hi, after.lo};
        std::vector<Reply> replies;
        std::vector<FieldValue> fields;
        // Malformed entries are skipped, so one XRANGE may yield fewer records than asked for:
        // continue after the last entry seen until `max` records or the end of the stream.
        while (produced < max) {
            const std::optional<EntryId> start = next_entry_id(position);
            if (!start) break;
            const std::string from = format_entry_id(*start);
            const std::size_t asked = max - produced;
            const std::string count = std::to_string(asked);
            const char* argv[] = {"XRANGE", key.c_str(), from.c_str(), "+", "COUNT", count.c_str()};
            const std::size_t lens[] = {6, key.size(), from.size(), 1, 5, count.size()};
            c.append(6, argv, lens);
            if (!c.read_replies(1, replies, &failure)) {
                lease->failed(failure);
                return report("read", shard, failure);
            }
            lease->succeeded();
            const redisReply* r = replies[0].get();
            if (r->type == REDIS_REPLY_ERROR) return report("read", shard, classify_error_reply(reply_text(r)));
            if (r->type != REDIS_REPLY_ARRAY) return report("read", shard, {NET_E_INTERNAL, false, "XRANGE returned no array"});
            for (std::size_t i = 0; i < r->elements; ++i) {
                const redisReply* entry = r->element[i];
                const bool shaped = entry->type == REDIS_REPLY_ARRAY && entry->elements == 2 &&
                                    entry->element[0]->type == REDIS_REPLY_STRING;
                const std::optional<EntryId> id =
                    shaped ? parse_entry_id({entry->element[0]->str, entry->element[0]->len}) : std::nullopt;
                if (!id) return report("read", shard, {NET_E_INTERNAL, false, "XRANGE returned an entry without an id"});
                position = *id;
                std::string why;
                std::optional<DecodedEntry> decoded;
                const redisReply* list = entry->element[1];
                if (list->type == REDIS_REPLY_ARRAY && list->elements % 2 == 0) {
                    fields.clear();
                    bool strings = true;
                    for (std::size_t f = 0; f + 1 < list->elements; f += 2) {
                        const redisReply* name = list->element[f];
                        const redisReply* value = list->element[f + 1];
                        strings = strings && name->type == REDIS_REPLY_STRING && value->type == REDIS_REPLY_STRING;
                        if (strings) fields.push_back({{name->str, name->len}, {value->str, value->len}});
                    }
                    if (strings) decoded = decode_entry(fields, &why);
                    else why = "a field or value is not a string";
                } else {
                    why = "no field/value list";
                }
                if (!decoded) {
                    skip_malformed(shard, *id, why);
                    continue;
                }
                net_buffer_t* payload = host()->buffer_alloc(host(), decoded->payload.size());
                if (payload == nullptr) {
                    throw net::sdk::Error(NET_E_NO_MEMORY, "buffer_alloc of " + std::to_string(decoded->payload.size()) + " bytes");
                }
                if (!decoded->payload.empty()) std::memcpy(payload->data, decoded->payload.data(), decoded->payload.size());
                net_bus_record_t& rec = out[produced++];
                rec.cursor = {id->ms, id->seq};
                rec.event = {decoded->dedup_id, decoded->producer_id, decoded->producer_sequence,
                             decoded->channel_hash, decoded->timestamp_ns, payload};
            }
            if (r->elements < asked) break;  // the stream ends here
        }
        update_connected_metric();
        return NET_OK;
    }

    // Logs a malformed entry once (a reader that stays before it would meet it again and again).
    void skip_malformed(std::uint32_t shard, EntryId id, const std::string& why)
    {
        host()->metric_add(host(), malformed_metric_, 1);
        {
            std::lock_guard lock(malformed_mutex_);
            if (malformed_logged_.size() < keys_.size()) malformed_logged_.resize(keys_.size());
            EntryId& last = malformed_logged_[shard];
            if (id.ms < last.ms || (id.ms == last.ms && id.seq <= last.seq)) return;
            last = id;
        }
        log(NET_LOG_WARN, "malformed entry " + keys_[shard] + " " + format_entry_id(id) + " skipped: " + why);
    }

    static net_status_t stats(void* object, net_bus_adapter_stats_t* out) noexcept
    {
        if (out == nullptr || out->struct_size < sizeof(std::uint32_t)) return NET_E_INVALID_ARGUMENT;
        RedisBusPlugin& p = self(object);
        net_bus_adapter_stats_t full{};
        full.struct_size = std::min<std::uint32_t>(out->struct_size, sizeof(net_bus_adapter_stats_t));
        full.connected = p.pool_.connected() ? 1 : 0;
        full.batches_written = p.batches_written_.load(std::memory_order_relaxed);
        full.events_written = p.events_written_.load(std::memory_order_relaxed);
        full.bytes_written = p.bytes_written_.load(std::memory_order_relaxed);
        full.write_errors = p.write_errors_.load(std::memory_order_relaxed);
        full.reconnects = p.pool_.reconnects();
        full.events_read = p.events_read_.load(std::memory_order_relaxed);
        std::memcpy(out, &full, full.struct_size);
        return NET_OK;
    }

    static constexpr net_bus_adapter_v1_t kInterface = {
        sizeof(net_bus_adapter_v1_t), 0, &configure, &write_batch, &read, &stats,
    };

    const RedisConfig config_;
    ConnectionPool pool_;
    const std::string meta_key_;
    std::mutex configure_mutex_;
    std::atomic<std::uint32_t> shard_count_{0};
    std::vector<std::string> keys_;  // written once by the first configure, read-only after
    std::atomic<bool> meta_checked_{false};
    std::atomic<net_status_t> meta_status_{NET_OK};
    std::mutex malformed_mutex_;
    std::vector<EntryId> malformed_logged_;
    std::atomic<std::uint64_t> batches_written_{0}, events_written_{0}, bytes_written_{0}, write_errors_{0}, events_read_{0};
    net_metric_t* write_errors_metric_ = nullptr;
    net_metric_t* transient_metric_ = nullptr;
    net_metric_t* malformed_metric_ = nullptr;
    net_metric_t* connected_metric_ = nullptr;
};

}  // namespace
}  // namespace net::bus_redis

NET_SDK_EXPORT_PLUGIN(net::bus_redis::RedisBusPlugin)
