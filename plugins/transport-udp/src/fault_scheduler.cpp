#include "fault_scheduler.hpp"

#include <algorithm>
#include <chrono>

namespace net::udp {

namespace {

// std::push_heap builds a max-heap, so "less" here means "due later".
bool due_later(const FaultScheduler::Delayed& a, const FaultScheduler::Delayed& b) noexcept
{
    return a.due_ns != b.due_ns ? a.due_ns > b.due_ns : a.sequence > b.sequence;
}

}  // namespace

std::uint64_t monotonic_ns() noexcept
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

FaultScheduler::FaultScheduler(const net_host_t* host) : host_(host) { queue_.reserve(1024); }

FaultScheduler::~FaultScheduler() { stop(); }

void FaultScheduler::start(std::function<void(std::uint64_t)> on_wake)
{
    on_wake_ = std::move(on_wake);
    running_ = true;
    thread_ = std::thread([this] { run(); });
}

void FaultScheduler::stop() noexcept
{
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (Delayed& d : queue_) host_->buffer_release(host_, d.buffer);
    queue_.clear();
    hold_deadline_ns_ = 0;
}

void FaultScheduler::push(std::uint64_t due_ns, net_buffer_t* buffer, const net_endpoint_t& peer)
{
    bool earliest = false;
    {
        std::lock_guard lock(mutex_);
        push_locked(Delayed{due_ns, next_sequence_++, buffer, peer});
        earliest = queue_.front().buffer == buffer && queue_.front().due_ns == due_ns;
    }
    if (earliest) wake_.notify_one();
}

void FaultScheduler::set_hold_deadline(std::uint64_t deadline_ns) noexcept
{
    {
        std::lock_guard lock(mutex_);
        hold_deadline_ns_ = deadline_ns;
    }
    if (deadline_ns != 0) wake_.notify_one();
}

std::size_t FaultScheduler::queued() const
{
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void FaultScheduler::push_locked(const Delayed& d)
{
    queue_.push_back(d);
    std::push_heap(queue_.begin(), queue_.end(), due_later);
}

FaultScheduler::Delayed FaultScheduler::pop_front_locked()
{
    std::pop_heap(queue_.begin(), queue_.end(), due_later);
    Delayed d = queue_.back();
    queue_.pop_back();
    return d;
}

void FaultScheduler::run()
{
    std::unique_lock lock(mutex_);
    while (running_) {
        std::uint64_t wake_at = UINT64_MAX;
        if (!queue_.empty()) wake_at = queue_.front().due_ns;
        if (hold_deadline_ns_ != 0) wake_at = std::min(wake_at, hold_deadline_ns_);
        const std::uint64_t now = monotonic_ns();
        if (wake_at > now) {
            if (wake_at == UINT64_MAX) {
                wake_.wait(lock);
            } else {
                wake_.wait_for(lock, std::chrono::nanoseconds(wake_at - now));
            }
            continue;
        }
        lock.unlock();
        on_wake_(now);
        lock.lock();
        // The callback clears the hold deadline when it flushed the held datagram; if it could not
        // (the transport is stopping), do not spin on it.
        if (hold_deadline_ns_ != 0 && hold_deadline_ns_ <= now) hold_deadline_ns_ = 0;
    }
}

}  // namespace net::udp
