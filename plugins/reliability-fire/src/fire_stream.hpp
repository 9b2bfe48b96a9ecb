// One stream of mode "fire": packs and sends immediately, delivers what arrives, keeps nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "event_framing.hpp"
#include "net/host.h"
#include "net/metrics.h"
#include "stream_base.hpp"
#include "stream_table.hpp"

namespace net::reliability {

// Instance-wide counters the streams bump (host metrics; any of them may be null).
struct FireMetrics {
    const net_host_t* host = nullptr;
    net_metric_t* malformed = nullptr;
    net_metric_t* send_dropped = nullptr;
};

class FireStream final : public StreamBase {
public:
    FireStream(const net_stream_link_t* link, StreamTable<FireStream>& table, const FireMetrics& metrics) noexcept
        : StreamBase(link), table_(table), metrics_(metrics)
    {
    }

    // The table of the instance that opened this stream (stream_destroy only gets the handle).
    StreamTable<FireStream>& table() const noexcept { return table_; }

    net_status_t send(const net_bytes_t* events, std::size_t count);
    void receive(const net_stream_frame_t& frame);
    void stats(net_stream_stats_t& out);

private:
    void bump(net_metric_t* metric) const noexcept;

    StreamTable<FireStream>& table_;
    FireMetrics metrics_;
    // Guarded by mutex_.
    net_stream_stats_t stats_{};
    std::uint64_t next_sequence_ = 0;
    std::vector<PacketPlan> plans_;
    std::vector<std::uint8_t> packet_;
};

}  // namespace net::reliability
