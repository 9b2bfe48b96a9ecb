#include "reliable_stream.hpp"

#include <algorithm>
#include <limits>
#include <span>

#include "stream_stats.hpp"

namespace net::reliability {

ReliableStream::ReliableStream(const net_host_t* host, const net_stream_link_t* link, StreamTable<ReliableStream>& table,
                               const StreamSettings& settings, const StreamMetrics& metrics, RepairTimer& repair_timer)
    : StreamBase(link),
      host_(host),
      table_(table),
      settings_(settings),
      metrics_(metrics),
      nack_interval_ns_(settings.rto_min_ms * kNsPerMs),
      repair_timer_(repair_timer),
      credit_limit_(settings.credit_window_bytes),
      rto_(RtoLimits{settings.rto_initial_ms * 1000, settings.rto_min_ms * 1000, settings.rto_max_ms * 1000,
                     tick_period_ms(settings) * 1000}),
      cwnd_(settings.initial_cwnd, 2, settings.max_cwnd),
      reorder_(settings.credit_window_bytes, std::uint64_t{settings.max_cwnd} + 64)
{
}

// ---------------------------------------------------------------- send half

net_status_t ReliableStream::send(const net_bytes_t* events, std::size_t count)
{
    if (count > 0 && events == nullptr) return NET_E_INVALID_ARGUMENT;
    const std::span<const net_bytes_t> batch(events, count);
    std::lock_guard lock(mutex_);
    if (is_closed()) return NET_E_CLOSED;
    if (count == 0) return NET_OK;
    if (!plan_packets(batch, link_->max_payload, plans_)) return NET_E_INVALID_ARGUMENT;
    std::uint64_t total = 0;
    for (const PacketPlan& plan : plans_) total += plan.payload_bytes;
    // More than a whole window can never be accepted at once.
    if (total > settings_.credit_window_bytes) return NET_E_INVALID_ARGUMENT;
    if (bytes_accepted_ + total > credit_limit_) {
        stats_.backpressure += 1;
        return NET_E_WOULD_BLOCK;
    }

    // Build every packet before committing any, so that a failed allocation accepts nothing.
    std::vector<Packet> built;
    built.reserve(plans_.size());
    for (const PacketPlan& plan : plans_) {
        net::sdk::Buffer payload = net::sdk::Buffer::allocate(host_, plan.payload_bytes);
        write_packet(batch, plan, payload.mutable_bytes().data());
        built.push_back(Packet{0, static_cast<std::uint16_t>(plan.event_count), std::move(payload)});
    }
    for (Packet& packet : built) {
        packet.sequence = next_sequence_++;
        queue_.push_back(std::move(packet));
    }
    bytes_accepted_ += total;
    stats_.events_sent += count;
    const std::uint64_t now = now_ns();
    touch(now);
    pump_locked(now);
    return NET_OK;
}

bool ReliableStream::transmit_locked(Packet& packet, std::uint64_t)
{
    net_stream_frame_t frame{};
    frame.sequence = packet.sequence;
    frame.flags = NET_FRAME_RELIABLE;
    frame.event_count = packet.event_count;
    frame.payload = net_bytes_t{packet.payload.bytes().data(), packet.payload.size()};
    return link_->send(link_->ctx, &frame) == NET_OK;
}

void ReliableStream::pump_locked(std::uint64_t now)
{
    // Half the credit window at most is in the pipe: the other half lets the sender go on while a
    // hole is repaired (the receiver cannot consume, so grants no credit, until it is filled).
    const std::uint64_t pipe_byte_limit = settings_.credit_window_bytes / 2;
    while (!queue_.empty() && pipe_locked() < cwnd_.packets()) {
        Packet& packet = queue_.front();
        if (pipe_bytes_locked() + packet.payload.size() > pipe_byte_limit && pipe_locked() > 0) break;
        if (!transmit_locked(packet, now)) break;  // socket full or session gone: the tick retries
        packet.first_sent_ns = now;
        packet.last_sent_ns = now;
        packet.transmissions = 1;
        packet.next_new_sequence = packet.sequence + 1;
        stats_.packets_sent += 1;
        stats_.bytes_in_flight += packet.payload.size();
        in_flight_.push_back(std::move(packet));
        queue_.pop_front();
        if (rto_deadline_ns_ == 0) rto_deadline_ns_ = now + rto_.rto_us() * kNsPerUs;
    }
}

void ReliableStream::retransmit_locked(Packet& packet, std::uint64_t now)
{
    if (!transmit_locked(packet, now)) return;
    packet.transmissions += 1;
    packet.last_sent_ns = now;
    packet.next_new_sequence = in_flight_.back().sequence + 1;  // packets sent from now on are new
    stats_.retransmits += 1;
    metrics_.add(metrics_.retransmits);
}

void ReliableStream::on_retransmission_timeout_locked(std::uint64_t now, AfterUnlock& after)
{
    if (in_flight_.empty()) {
        rto_deadline_ns_ = 0;
        return;
    }
    Packet& oldest = in_flight_.front();
    if (oldest.timeouts >= settings_.max_retries) {
        reset_locked("no acknowledgement for sequence " + std::to_string(oldest.sequence) + " after " +
                         std::to_string(settings_.max_retries) + " retransmission timeouts",
                     after);
        return;
    }
    oldest.timeouts += 1;
    if (!oldest.reported_lost) {
        oldest.reported_lost = true;
        loss_rate_.on_lost(1);
    }
    retransmit_locked(oldest, now);
    rto_.on_timeout();
    cwnd_.on_loss(next_sequence_);
    rto_deadline_ns_ = now + rto_.rto_us() * kNsPerUs;
}

void ReliableStream::reset_locked(const std::string& message, AfterUnlock& after)
{
    if (!claim_close()) return;
    send_control_locked(ControlMessage{ControlKind::reset, 0, 0, 0});  // best effort: tell the peer
    metrics_.add(metrics_.resets);
    after.close = true;
    after.reason = NET_E_TIMEOUT;
    after.message = message;
}

void ReliableStream::set_sacked_locked(Packet& packet, bool sacked) noexcept
{
    if (packet.sacked == sacked) return;
    packet.sacked = sacked;
    if (sacked) {
        ++sacked_;
        sacked_bytes_ += packet.payload.size();
    } else {
        --sacked_;
        sacked_bytes_ -= packet.payload.size();
    }
}

void ReliableStream::mark_held_locked(const ControlMessage& nack, std::uint64_t highest) noexcept
{
    if (in_flight_.empty()) return;
    const std::uint64_t first = in_flight_.front().sequence;
    auto mark = [&](std::uint64_t sequence) {
        if (sequence < first || sequence - first >= in_flight_.size()) return;
        set_sacked_locked(in_flight_[static_cast<std::size_t>(sequence - first)], true);
    };
    for (unsigned bit = 0; bit < 64; ++bit) {  // held, per the bitmap
        const std::uint64_t sequence = nack.next_expected + 1 + bit;
        if (sequence > highest) break;
        if (((nack.missing >> bit) & 1u) == 0) mark(sequence);
    }
    // Past the bitmap and up to `highest`: arrived, or lost; either way no longer in the network.
    // (A lost one is resent, and counts in the pipe again, once a NACK's bitmap reaches it.)
    for (std::uint64_t sequence = std::max(nack.next_expected + 65, scanned_high_ + 1); sequence <= highest; ++sequence) {
        mark(sequence);
    }
    scanned_high_ = std::max(scanned_high_, highest);
}

void ReliableStream::on_control_locked(const ControlMessage& message, std::uint64_t highest, std::uint64_t now,
                                       AfterUnlock& after)
{
    if (message.kind == ControlKind::reset) {
        if (claim_close()) {
            after.close = true;
            after.reason = NET_E_CLOSED;
            after.message = "the peer reset the stream";
        }
        return;
    }
    credit_limit_ = std::max(credit_limit_, message.credit_limit);

    // Cumulative acknowledgement: free what the peer has. The RTT sample comes from the newest
    // newly acknowledged packet, and only when no packet the ack covers was retransmitted: Karn's
    // rule, extended to packets that waited at the receiver behind a retransmitted one (their
    // ack measures the recovery, not the path).
    std::uint64_t newly_acked = 0;
    std::uint64_t delivered_first_time = 0;  // freed packets no NACK ever named
    std::uint64_t sample_ns = 0;
    bool have_sample = false;
    bool covers_retransmission = false;
    while (!in_flight_.empty() && in_flight_.front().sequence < message.next_expected) {
        Packet& packet = in_flight_.front();
        covers_retransmission = covers_retransmission || packet.transmissions != 1;
        sample_ns = now - packet.first_sent_ns;
        have_sample = !covers_retransmission;
        stats_.bytes_in_flight -= packet.payload.size();
        set_sacked_locked(packet, false);
        if (!packet.reported_lost) ++delivered_first_time;
        in_flight_.pop_front();
        ++newly_acked;
    }
    loss_rate_.on_delivered(delivered_first_time);
    if (newly_acked > 0) {
        if (have_sample) {
            rto_.on_sample(sample_ns / kNsPerUs);
        } else {
            rto_.collapse_backoff();  // the path delivers again; keep the backoff for a dead one
        }
        cwnd_.on_acked(newly_acked);
        rto_deadline_ns_ = in_flight_.empty() ? 0 : now + rto_.rto_us() * kNsPerUs;
        repair_deadline_ns_ = 0;  // a new oldest packet: armed again if a NACK names it
        repair_probes_ = 0;
    }
    cwnd_.on_cumulative_ack(message.next_expected);

    if (message.kind == ControlKind::nack) {
        stats_.nacks_received += 1;
        if (!in_flight_.empty()) highest = std::min(highest, in_flight_.back().sequence);  // no more than was sent
        // The first NACK for a packet resends it at once. A packet already resent is resent
        // again only once a round trip has passed since (the repeated NACK may predate the
        // resend): the smoothed RTT when known, else half the base RTO.
        const std::uint64_t min_gap_ns =
            (rto_.has_sample() ? std::max<std::uint64_t>(rto_.srtt_us(), 1) : rto_.base_rto_us() / 2) * kNsPerUs;
        std::uint64_t newly_lost = 0;
        auto resend = [&](std::uint64_t sequence) {
            if (in_flight_.empty()) return;
            const std::uint64_t first = in_flight_.front().sequence;
            if (sequence < first || sequence - first >= in_flight_.size()) return;
            Packet& packet = in_flight_[static_cast<std::size_t>(sequence - first)];
            if (!packet.reported_lost) {
                packet.reported_lost = true;
                ++newly_lost;
            }
            set_sacked_locked(packet, false);  // missing after all: in the pipe again
            // Resent already: again once a round trip has passed, or at once when the peer has
            // received a packet sent after that resend (so the resend itself was lost).
            if (packet.transmissions > 1 && now - packet.last_sent_ns < min_gap_ns && highest < packet.next_new_sequence) {
                return;
            }
            retransmit_locked(packet, now);
        };
        resend(message.next_expected);
        for (unsigned bit = 0; bit < 64; ++bit) {
            if ((message.missing >> bit) & 1u) resend(message.next_expected + 1 + bit);
        }
        mark_held_locked(message, highest);
        if (!in_flight_.empty() && in_flight_.front().sequence == message.next_expected) arm_repair_locked(now);
        loss_rate_.on_lost(newly_lost);
        // A loss counts as congestion only while the recent loss rate is above the tolerance:
        // random loss below it (a lossy link, not a full queue) does not shrink the window.
        if (newly_lost > 0 && loss_rate_.rate() * 1000 > settings_.loss_tolerance_permille) cwnd_.on_loss(next_sequence_);
    }
    pump_locked(now);
}

std::uint64_t ReliableStream::probe_timeout_ns_locked() const noexcept
{
    const std::uint64_t us = rto_.has_sample() ? 2 * rto_.srtt_us() : rto_.base_rto_us();
    return std::max(us * kNsPerUs, kMinProbeNs);
}

void ReliableStream::arm_repair_locked(std::uint64_t now)
{
    if (in_flight_.empty()) {
        repair_deadline_ns_ = 0;
        return;
    }
    const std::uint64_t deadline = in_flight_.front().last_sent_ns + (probe_timeout_ns_locked() << repair_probes_);
    if (deadline == repair_deadline_ns_) return;
    repair_deadline_ns_ = deadline;
    repair_timer_.request(deadline, now);
}

std::uint64_t ReliableStream::repair(std::uint64_t now)
{
    std::lock_guard lock(mutex_);
    if (is_closed() || repair_deadline_ns_ == 0) return 0;
    if (in_flight_.empty() || repair_probes_ >= kMaxRepairProbes) {  // past that, the RTO takes over
        repair_deadline_ns_ = 0;
        return 0;
    }
    if (now < repair_deadline_ns_) return repair_deadline_ns_;
    retransmit_locked(in_flight_.front(), now);
    repair_probes_ += 1;
    repair_deadline_ns_ = now + (probe_timeout_ns_locked() << repair_probes_);
    return repair_deadline_ns_;
}

// ---------------------------------------------------------------- receive half

void ReliableStream::send_control_locked(const ControlMessage& message)
{
    std::array<std::uint8_t, kMaxControlBytes> bytes{};
    const std::size_t len = encode_control(message, bytes);
    net_stream_frame_t frame{};
    frame.sequence = highest_seen_;  // the sender counts what we hold below it out of its pipe
    frame.flags = NET_FRAME_NACK;
    frame.event_count = 0;
    frame.payload = net_bytes_t{bytes.data(), len};
    link_->send(link_->ctx, &frame);  // a lost control packet is repaired by the next one
}

void ReliableStream::send_ack_locked(std::uint64_t now)
{
    const std::uint64_t consumed = consumed_bytes_.load(std::memory_order_acquire);
    ControlMessage message;
    message.next_expected = reorder_.next_expected();
    message.credit_limit = consumed + settings_.credit_window_bytes;
    if (reorder_.has_gap()) {
        message.kind = ControlKind::nack;
        message.missing = reorder_.missing_bitmap();
        stats_.nacks_sent += 1;
        last_nack_ns_ = now;
    } else {
        message.kind = ControlKind::ack;
    }
    send_control_locked(message);
    granted_consumed_ = consumed;
    packets_since_ack_ = 0;
}

void ReliableStream::on_data_locked(const net_stream_frame_t& frame, std::uint64_t now, std::vector<net_bytes_t>& events,
                                    std::vector<ReorderBuffer::Early>& ready, bool& ack_due)
{
    if (!read_events(frame.payload, frame.event_count, events)) {
        events.clear();
        metrics_.add(metrics_.malformed);
        return;
    }
    const std::uint64_t sequence = frame.sequence;
    const bool opens_gap = sequence > (seen_any_ ? highest_seen_ + 1 : 0);
    switch (reorder_.admit(sequence, frame.payload, frame.event_count)) {
    case ReorderBuffer::Admit::duplicate:
        events.clear();
        stats_.duplicates += 1;
        send_ack_locked(now);  // our acknowledgement was probably lost
        return;
    case ReorderBuffer::Admit::beyond_window:
        events.clear();  // the sender went past its credit or window; it will resend
        return;
    case ReorderBuffer::Admit::buffered:
        events.clear();
        stats_.packets_received += 1;
        touch(now);
        highest_seen_ = std::max(highest_seen_, sequence);
        seen_any_ = true;
        packets_since_ack_ += 1;
        // A new hole is reported at once; while holes remain, every ack_every_packets arrivals
        // (as acks go), so that a lost NACK or a lost resend is noticed within a round trip.
        if (opens_gap || packets_since_ack_ >= settings_.ack_every_packets || now - last_nack_ns_ >= nack_interval_ns_) {
            send_ack_locked(now);
        }
        return;
    case ReorderBuffer::Admit::in_order:
        break;
    }

    // In order: this packet (read from the caller's bytes) and every early packet it unblocks.
    touch(now);
    reorder_.advance();
    highest_seen_ = std::max(highest_seen_, sequence);
    seen_any_ = true;
    stats_.packets_received += 1;
    std::uint64_t packets = 1;
    std::uint64_t bytes = frame.payload.len;
    while (auto early = reorder_.pop_ready()) {
        ready.push_back(std::move(*early));
    }
    thread_local std::vector<net_bytes_t> more;
    for (const ReorderBuffer::Early& early : ready) {
        // Validated when it arrived.
        read_events(net_bytes_t{early.payload.data(), early.payload.size()}, early.event_count, more);
        events.insert(events.end(), more.begin(), more.end());
        bytes += early.payload.size();
        packets += 1;
    }
    handed_bytes_ += bytes;
    stats_.events_delivered += events.size();
    packets_since_ack_ += packets;
    ack_due = packets_since_ack_ >= settings_.ack_every_packets ||
              handed_bytes_ - granted_consumed_ >= settings_.credit_window_bytes / 4 || reorder_.has_gap();
}

void ReliableStream::receive(const net_stream_frame_t& frame)
{
    const std::uint64_t now = now_ns();
    if ((frame.flags & NET_FRAME_NACK) != 0) {
        AfterUnlock after;
        {
            std::lock_guard lock(mutex_);
            if (is_closed()) return;
            const std::optional<ControlMessage> message = decode_control(frame.payload);
            if (!message || frame.event_count != 0) {
                metrics_.add(metrics_.malformed);
                return;
            }
            touch(now);
            on_control_locked(*message, frame.sequence, now, after);
        }
        finish(after);
        return;
    }

    thread_local std::vector<net_bytes_t> scratch;
    std::vector<net_bytes_t> events = std::move(scratch);  // a nested receive from deliver gets its own
    std::vector<ReorderBuffer::Early> ready;                // owns the bytes of early packets until delivered
    bool ack_due = false;
    CallbackGate::Pass pass;
    std::uint64_t handed = 0;
    {
        std::lock_guard lock(mutex_);
        if (is_closed()) return;
        if ((frame.flags & NET_FRAME_RELIABLE) == 0) {
            metrics_.add(metrics_.malformed);
            return;
        }
        on_data_locked(frame, now, events, ready, ack_due);
        if (!events.empty() || ack_due) pass = gate_.enter();
        handed = handed_bytes_;
    }
    if (pass) {
        if (!events.empty()) link_->deliver(link_->ctx, events.data(), events.size());
        consumed_bytes_.store(handed, std::memory_order_release);
        if (ack_due) {
            std::lock_guard lock(mutex_);
            if (!is_closed()) send_ack_locked(now_ns());
        }
    }
    events.clear();
    scratch = std::move(events);
}

// ---------------------------------------------------------------- timers, stats, teardown

void ReliableStream::tick(std::uint64_t now)
{
    AfterUnlock after;
    {
        std::lock_guard lock(mutex_);
        if (is_closed()) return;
        if (idle_for_longer_than(now, settings_.common.idle_timeout_ms * kNsPerMs)) {
            if (claim_close()) {
                metrics_.add(metrics_.idle_closes);
                after.close = true;
                after.reason = NET_E_TIMEOUT;
                after.message = "idle for more than " + std::to_string(settings_.common.idle_timeout_ms) + " ms";
            }
        } else {
            if (rto_deadline_ns_ != 0 && now >= rto_deadline_ns_) on_retransmission_timeout_locked(now, after);
            if (!after.close) {
                pump_locked(now);
                const std::uint64_t consumed = consumed_bytes_.load(std::memory_order_acquire);
                if (consumed > granted_consumed_ || (reorder_.has_gap() && now - last_nack_ns_ >= nack_interval_ns_)) {
                    send_ack_locked(now);
                }
            }
        }
    }
    finish(after);
}

void ReliableStream::finish(AfterUnlock& after)
{
    if (after.close) finish_close(after.reason, after.message);
}

void ReliableStream::stats(net_stream_stats_t& out)
{
    net_stream_stats_t snapshot;
    {
        std::lock_guard lock(mutex_);
        snapshot = stats_;
        snapshot.congestion_window = cwnd_.packets();
        snapshot.rtt_us = static_cast<std::uint32_t>(std::min<std::uint64_t>(rto_.srtt_us(), UINT32_MAX));
        snapshot.rto_us = static_cast<std::uint32_t>(std::min<std::uint64_t>(rto_.rto_us(), UINT32_MAX));
        const std::uint64_t credit = credit_limit_ > bytes_accepted_ ? credit_limit_ - bytes_accepted_ : 0;
        snapshot.credit_bytes = static_cast<std::uint32_t>(std::min<std::uint64_t>(credit, UINT32_MAX));
    }
    copy_stats(snapshot, out);
}

void ReliableStream::release_state_locked() noexcept
{
    queue_.clear();
    in_flight_.clear();
    sacked_ = 0;
    sacked_bytes_ = 0;
    reorder_.clear();
    rto_deadline_ns_ = 0;
    stats_.bytes_in_flight = 0;
}

}  // namespace net::reliability
