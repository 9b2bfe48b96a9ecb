// One stream of mode "stream": in-order, exactly-once delivery with selective NACKs, RFC 6298
// retransmission timeouts, an AIMD congestion window and receiver-granted credit
// (docs/reliability.md). Both halves live in one object: the send half (queue, packets in flight,
// RTO, window, credit) and the receive half (reorder buffer, acks/NACKs/grants it sends back).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "aimd_window.hpp"
#include "control_codec.hpp"
#include "event_framing.hpp"
#include "loss_rate.hpp"
#include "net/host.h"
#include "net/metrics.h"
#include "net/sdk/buffer.hpp"
#include "reorder_buffer.hpp"
#include "repair_timer.hpp"
#include "rto_estimator.hpp"
#include "stream_base.hpp"
#include "stream_settings.hpp"
#include "stream_table.hpp"

namespace net::reliability {

// Instance-wide counters (host metrics; any may be null).
struct StreamMetrics {
    const net_host_t* host = nullptr;
    net_metric_t* malformed = nullptr;
    net_metric_t* retransmits = nullptr;
    net_metric_t* resets = nullptr;
    net_metric_t* idle_closes = nullptr;

    void add(net_metric_t* metric, std::int64_t n = 1) const noexcept
    {
        if (metric != nullptr && n != 0) host->metric_add(host, metric, n);
    }
};

class ReliableStream final : public StreamBase {
public:
    static constexpr std::uint64_t kMinProbeNs = 500'000;
    static constexpr std::uint32_t kMaxRepairProbes = 3;

    ReliableStream(const net_host_t* host, const net_stream_link_t* link, StreamTable<ReliableStream>& table,
                   const StreamSettings& settings, const StreamMetrics& metrics, RepairTimer& repair_timer);

    StreamTable<ReliableStream>& table() const noexcept { return table_; }

    net_status_t send(const net_bytes_t* events, std::size_t count);
    void receive(const net_stream_frame_t& frame);
    void stats(net_stream_stats_t& out);
    // Retransmission timer, delayed acks, queued packets, idle timeout. Called by the instance tick.
    void tick(std::uint64_t now);
    // Called by the repair timer: resends the oldest unacknowledged packet if a NACK reported it
    // missing and it is still missing a probe timeout after it was last sent. Returns the stream's
    // next repair deadline (0: none).
    std::uint64_t repair(std::uint64_t now);

private:
    // A data packet built by send(): the payload is a refcounted host buffer, sent and resent
    // from the same bytes, never copied.
    struct Packet {
        std::uint64_t sequence;
        std::uint16_t event_count;
        net::sdk::Buffer payload;
        std::uint64_t first_sent_ns = 0;
        std::uint64_t last_sent_ns = 0;
        std::uint32_t transmissions = 0;
        std::uint32_t timeouts = 0;  // retransmissions the timer made; max_retries bounds these
        bool sacked = false;         // out of the pipe: a NACK showed it arrived (or lost below the peer's highest)
        bool reported_lost = false;  // a NACK named it (counted once in the loss rate)
        std::uint64_t next_new_sequence = 0;  // first new packet sent after this one's last transmission
    };

    // What a locked section decided to do once the lock is dropped.
    struct AfterUnlock {
        bool close = false;
        net_status_t reason = NET_OK;
        std::string message;
    };

    void release_state_locked() noexcept override;

    void on_data_locked(const net_stream_frame_t& frame, std::uint64_t now, std::vector<net_bytes_t>& events,
                        std::vector<ReorderBuffer::Early>& ready, bool& ack_due);
    // `highest`: the control frame's sequence, the highest data sequence the peer has received.
    void on_control_locked(const ControlMessage& message, std::uint64_t highest, std::uint64_t now, AfterUnlock& after);
    // Takes the packets a NACK shows out of the network out of the pipe (marks them sacked): held
    // per its bitmap (0 bits up to `highest`), and every packet past the bitmap up to `highest`.
    void mark_held_locked(const ControlMessage& nack, std::uint64_t highest) noexcept;

    void pump_locked(std::uint64_t now);
    // Packets sent and not known to have arrived: in flight minus those a NACK reported held.
    std::size_t pipe_locked() const noexcept { return in_flight_.size() - sacked_; }
    std::uint64_t pipe_bytes_locked() const noexcept { return stats_.bytes_in_flight - sacked_bytes_; }
    void set_sacked_locked(Packet& packet, bool sacked) noexcept;
    bool transmit_locked(Packet& packet, std::uint64_t now);
    void retransmit_locked(Packet& packet, std::uint64_t now);
    void on_retransmission_timeout_locked(std::uint64_t now, AfterUnlock& after);
    void reset_locked(const std::string& message, AfterUnlock& after);
    void send_ack_locked(std::uint64_t now);
    // Probe timeout: twice the smoothed RTT (the base RTO before a sample), at least kMinProbeNs.
    std::uint64_t probe_timeout_ns_locked() const noexcept;
    // Sets the repair deadline from the oldest packet in flight (0 when nothing is in flight).
    void arm_repair_locked(std::uint64_t now);
    void send_control_locked(const ControlMessage& message);
    void finish(AfterUnlock& after);

    const net_host_t* host_;
    StreamTable<ReliableStream>& table_;
    const StreamSettings settings_;
    const StreamMetrics metrics_;
    const std::uint64_t nack_interval_ns_;
    RepairTimer& repair_timer_;

    // ---- guarded by mutex_ ----
    net_stream_stats_t stats_{};
    // send half
    std::uint64_t next_sequence_ = 0;
    std::deque<Packet> queue_;      // accepted, waiting for the congestion window
    std::deque<Packet> in_flight_;  // sent, not acknowledged; contiguous sequences
    std::size_t sacked_ = 0;        // packets of in_flight_ marked sacked
    std::uint64_t sacked_bytes_ = 0;  // and their payload bytes
    std::uint64_t scanned_high_ = 0;  // highest sequence mark_held_locked has gone through
    std::uint64_t bytes_accepted_ = 0;
    std::uint64_t credit_limit_;
    std::uint64_t rto_deadline_ns_ = 0;  // 0: timer not armed
    RtoEstimator rto_;
    AimdWindow cwnd_;
    LossRate loss_rate_;
    std::uint64_t repair_deadline_ns_ = 0;  // 0: no repair probe due
    std::uint32_t repair_probes_ = 0;       // probes sent for the current oldest packet
    std::vector<PacketPlan> plans_;
    // receive half
    ReorderBuffer reorder_;
    std::uint64_t handed_bytes_ = 0;      // payload bytes given to deliver (or being given)
    std::uint64_t granted_consumed_ = 0;  // consumed bytes the last grant was based on
    std::uint64_t packets_since_ack_ = 0;
    std::uint64_t highest_seen_ = 0;
    bool seen_any_ = false;
    std::uint64_t last_nack_ns_ = 0;

    // Payload bytes whose deliver call has returned. Written by the receive thread after
    // delivering (no lock), read when granting credit.
    std::atomic<std::uint64_t> consumed_bytes_{0};
};

}  // namespace net::reliability
