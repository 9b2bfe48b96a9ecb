#include "fire_stream.hpp"

#include <span>

#include "stream_stats.hpp"

namespace net::reliability {

void FireStream::bump(net_metric_t* metric) const noexcept
{
    if (metric != nullptr) metrics_.host->metric_add(metrics_.host, metric, 1);
}

net_status_t FireStream::send(const net_bytes_t* events, std::size_t count)
{
    if (count > 0 && events == nullptr) return NET_E_INVALID_ARGUMENT;
    const std::span<const net_bytes_t> batch(events, count);
    std::lock_guard lock(mutex_);
    if (is_closed()) return NET_E_CLOSED;
    if (!plan_packets(batch, link_->max_payload, plans_)) return NET_E_INVALID_ARGUMENT;
    touch(now_ns());
    for (std::size_t i = 0; i < plans_.size(); ++i) {
        const PacketPlan& plan = plans_[i];
        packet_.resize(plan.payload_bytes);
        write_packet(batch, plan, packet_.data());
        net_stream_frame_t frame{};
        frame.sequence = next_sequence_;
        frame.flags = 0;
        frame.event_count = static_cast<std::uint16_t>(plan.event_count);
        frame.payload = net_bytes_t{packet_.data(), packet_.size()};
        const net_status_t s = link_->send(link_->ctx, &frame);
        if (s != NET_OK && i == 0) {
            // Nothing went out: the call is refused as a whole.
            if (s == NET_E_WOULD_BLOCK) stats_.backpressure += 1;
            return s;
        }
        if (s != NET_OK) {
            // Fire-and-forget: what the socket refuses after the first packet is lost, like any
            // packet the network drops; the events were accepted.
            for (std::size_t j = i; j < plans_.size(); ++j) bump(metrics_.send_dropped);
            break;
        }
        next_sequence_ += 1;
        stats_.packets_sent += 1;
    }
    stats_.events_sent += count;
    return NET_OK;
}

void FireStream::receive(const net_stream_frame_t& frame)
{
    thread_local std::vector<net_bytes_t> scratch;
    std::vector<net_bytes_t> events = std::move(scratch);  // a nested receive from deliver gets its own
    CallbackGate::Pass pass;
    {
        std::lock_guard lock(mutex_);
        if (is_closed()) return;
        if (frame.flags != 0 || !read_events(frame.payload, frame.event_count, events)) {
            bump(metrics_.malformed);
            return;
        }
        touch(now_ns());
        stats_.packets_received += 1;
        stats_.events_delivered += events.size();
        if (events.empty()) return;
        pass = gate_.enter();
    }
    if (pass) link_->deliver(link_->ctx, events.data(), events.size());
    scratch = std::move(events);
}

void FireStream::stats(net_stream_stats_t& out)
{
    net_stream_stats_t snapshot;
    {
        std::lock_guard lock(mutex_);
        snapshot = stats_;
    }
    copy_stats(snapshot, out);
}

}  // namespace net::reliability
