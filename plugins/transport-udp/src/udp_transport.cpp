#include "udp_transport.hpp"

#include <algorithm>
#include <cstdio>

#include "endpoint.hpp"

namespace net::udp {

namespace {

// A datagram held for reordering goes out on its own after this long if nothing follows it.
constexpr std::uint64_t kReorderHoldNs = 5'000'000;

std::string fault_summary(const FaultConfig& f)
{
    char text[256];
    std::snprintf(text, sizeof text,
                  "fault injection on outgoing datagrams: seed %llu, loss %g, duplicate %g, reorder %g, delay %llu ms "
                  "+ jitter up to %llu ms",
                  static_cast<unsigned long long>(f.seed), f.loss, f.duplicate, f.reorder,
                  static_cast<unsigned long long>(f.delay_ms), static_cast<unsigned long long>(f.delay_jitter_ms));
    return text;
}

}  // namespace

UdpTransport::UdpTransport(const net_host_t* host, TransportConfig config)
    : host_(host),
      config_(std::move(config)),
      counters_(host),
      receive_(host, counters_),
      path_(host, counters_, [this](net_log_level_t level, const std::string& message) { log(level, message); })
{
    if (config_.fault.enabled()) injector_.emplace(config_.fault);
    if (config_.fault.keeps_datagrams()) scheduler_ = std::make_unique<FaultScheduler>(host);
}

UdpTransport::~UdpTransport() { stop(); }

void UdpTransport::log(net_log_level_t level, const std::string& message) const noexcept
{
    host_->log(host_, level, message.c_str());
}

void UdpTransport::start()
{
    socket_.open(config_, [this](net_log_level_t level, const std::string& message) { log(level, message); });
    {
        std::lock_guard lock(send_mutex_);
        path_.use_socket(socket_.fd(), socket_.family(), socket_.gso());
    }
    receive_.start(socket_.fd(), config_.batch, socket_.gro(), config_.busy_poll_us);
    if (scheduler_) scheduler_->start([this](std::uint64_t now) { on_scheduler_wake(now); });
    {
        std::lock_guard lock(send_mutex_);
        sending_open_ = true;
    }
    started_.store(true, std::memory_order_release);
    if (injector_) log(NET_LOG_INFO, fault_summary(config_.fault));
}

void UdpTransport::stop() noexcept
{
    started_.store(false, std::memory_order_release);
    receive_.stop();
    {
        std::lock_guard lock(send_mutex_);
        sending_open_ = false;
    }
    if (scheduler_) scheduler_->stop();  // joins its thread and releases what it queued
    {
        std::lock_guard lock(send_mutex_);
        path_.discard();
        host_->buffer_release(host_, held_.buffer);
        held_ = Held{};
    }
    socket_.close();
}

net_status_t UdpTransport::local_endpoint(net_endpoint_t* out) const noexcept
{
    if (out == nullptr) return NET_E_INVALID_ARGUMENT;
    if (!started_.load(std::memory_order_acquire)) return NET_E_BAD_STATE;
    *out = socket_.local();
    return NET_OK;
}

net_status_t UdpTransport::attach(net_transport_receive_fn fn, void* ctx) noexcept
{
    if (!started_.load(std::memory_order_acquire)) return NET_E_BAD_STATE;
    return receive_.attach(fn, ctx);
}

net_status_t UdpTransport::stats(net_transport_stats_t* out) const noexcept
{
    if (out == nullptr || out->struct_size < sizeof(std::uint32_t)) return NET_E_INVALID_ARGUMENT;
    counters_.copy_to(out);
    return NET_OK;
}

bool UdpTransport::flush(SendBudget& budget, std::size_t& consumed, net_status_t& status) noexcept
{
    const SendResult r = path_.flush(budget);
    consumed += r.counted;
    if (r.status != NET_OK) status = r.status;
    return r.status != NET_E_WOULD_BLOCK;
}

net_status_t UdpTransport::send_batch(const net_datagram_t* datagrams, std::size_t count, std::size_t* sent) noexcept
{
    if (sent != nullptr) *sent = 0;
    if (count == 0) return NET_OK;
    if (datagrams == nullptr) return NET_E_INVALID_ARGUMENT;
    const int family = config_.bind.family == NET_ENDPOINT_IPV6 ? AF_INET6 : AF_INET;
    for (std::size_t i = 0; i < count; ++i) {
        const net_datagram_t& d = datagrams[i];
        sockaddr_storage ignored;
        if (d.buffer == nullptr || d.buffer->len > kMaxDatagram || to_sockaddr(d.peer, family, ignored) == 0) {
            return NET_E_INVALID_ARGUMENT;
        }
    }

    std::lock_guard lock(send_mutex_);
    if (!sending_open_) return NET_E_BAD_STATE;
    SendBudget budget;
    std::size_t consumed = 0;
    net_status_t status = NET_OK;
    if (injector_) {
        send_with_faults(datagrams, count, consumed, status, budget);
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            if (path_.room() == 0 && !flush(budget, consumed, status)) break;
            path_.add(datagrams[i].buffer, datagrams[i].peer, false, true);
        }
        if (!path_.empty()) flush(budget, consumed, status);
    }
    if (sent != nullptr) *sent = consumed;
    return status;
}

void UdpTransport::send_with_faults(const net_datagram_t* datagrams, std::size_t count, std::size_t& consumed,
                                    net_status_t& status, SendBudget& budget) noexcept
{
    const std::uint64_t now = monotonic_ns();
    std::uint64_t drops = 0, duplicates = 0, reorders = 0, delays = 0;
    for (std::size_t i = 0; i < count; ++i) {
        // Room for a datagram, its duplicate and a held datagram released behind them.
        if (path_.room() < 3 && !flush(budget, consumed, status)) break;
        const net_datagram_t& d = datagrams[i];
        const FaultDecision decision = injector_->next();
        if (decision.drop) {
            ++drops;
            ++consumed;
            continue;
        }
        if (decision.reorder && held_.buffer == nullptr && scheduler_) {
            held_ = Held{host_->buffer_retain(host_, d.buffer), d.peer, decision.delay_ns, now + kReorderHoldNs};
            scheduler_->set_hold_deadline(held_.deadline_ns);
            ++reorders;
            ++consumed;
            continue;
        }
        const int copies = decision.duplicate ? 2 : 1;
        duplicates += decision.duplicate ? 1 : 0;
        std::uint64_t due = 0;
        if (decision.delay_ns > 0 && scheduler_) {
            due = now + decision.delay_ns;
            for (int c = 0; c < copies; ++c) scheduler_->push(due, host_->buffer_retain(host_, d.buffer), d.peer);
            ++delays;
            ++consumed;
        } else {
            path_.add(d.buffer, d.peer, false, true);
            if (copies == 2) path_.add(d.buffer, d.peer, false, false);
        }
        release_held(now, due);
    }
    if (!path_.empty()) flush(budget, consumed, status);
    counters_.injected(drops, duplicates, reorders, delays);
}

void UdpTransport::release_held(std::uint64_t now_ns, std::uint64_t after_due_ns) noexcept
{
    if (held_.buffer == nullptr) return;
    if (held_.delay_ns > 0 || after_due_ns > 0) {
        // Due no earlier than the datagram it follows; equal due times keep submission order.
        const std::uint64_t due = std::max(now_ns + held_.delay_ns, after_due_ns);
        scheduler_->push(due, held_.buffer, held_.peer);
        counters_.injected(0, 0, 0, held_.delay_ns > 0 ? 1 : 0);
    } else {
        path_.add(held_.buffer, held_.peer, true, false);
    }
    held_ = Held{};
    scheduler_->set_hold_deadline(0);
}

void UdpTransport::on_scheduler_wake(std::uint64_t now_ns) noexcept
{
    std::lock_guard lock(send_mutex_);
    if (!sending_open_) return;
    SendBudget budget;
    std::size_t ignored_count = 0;
    net_status_t ignored_status = NET_OK;
    if (held_.buffer != nullptr && held_.deadline_ns <= now_ns) release_held(now_ns, 0);
    bool more = true;
    while (more) {
        more = false;
        scheduler_->take_due(now_ns, [&](const FaultScheduler::Delayed& d) {
            if (path_.room() == 0) {
                more = true;
                return false;
            }
            path_.add(d.buffer, d.peer, true, false);
            return true;
        });
        if (!path_.empty()) flush(budget, ignored_count, ignored_status);
    }
}

}  // namespace net::udp
