// EventLoop: timers are shared between the map (for cancel) and their pending wait handler. Each
// timer's state moves idle → running → idle by compare-exchange, and cancel swaps in "cancelled":
// so once cancel returns, fn cannot start again, and cancel never waits for a running fn (a timer
// may cancel itself, or another timer, from inside its callback).
#include "net/kernel/event_loop.hpp"

#include <csignal>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace net::kernel {

struct EventLoop::Timer {
    explicit Timer(boost::asio::io_context& ctx) : strand(boost::asio::make_strand(ctx)), timer(strand) {}
    // The steady_timer is not thread-safe: arm, wait handler and cancel all run on this strand.
    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    boost::asio::steady_timer timer;
    std::function<void()> fn;
    std::chrono::nanoseconds period{0};
    TimerId id = 0;
    enum State { state_idle, state_running, state_cancelled };
    std::atomic<State> state{state_idle};

    bool try_begin() noexcept
    {
        State expected = state_idle;
        return state.compare_exchange_strong(expected, state_running, std::memory_order_acq_rel);
    }
    // True when the timer is still live after its callback (not cancelled meanwhile).
    bool end() noexcept
    {
        State expected = state_running;
        return state.compare_exchange_strong(expected, state_idle, std::memory_order_acq_rel);
    }
    void cancel() noexcept { state.store(state_cancelled, std::memory_order_release); }
};

namespace {
thread_local const EventLoop* current_loop = nullptr;
}

EventLoop::EventLoop(unsigned threads)
    : work_(std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          context_.get_executor())),
      thread_count_(threads == 0 ? 1 : threads)
{
}

EventLoop::~EventLoop() { stop(); }

void EventLoop::start()
{
    if (started_.exchange(true)) return;
    threads_.reserve(thread_count_);
    for (unsigned i = 0; i < thread_count_; ++i) {
        threads_.emplace_back([this] {
            current_loop = this;
            context_.run();
            current_loop = nullptr;
        });
    }
}

bool EventLoop::on_loop_thread() const noexcept { return current_loop == this; }

void EventLoop::stop()
{
    accepting_.store(false, std::memory_order_release);
    std::unordered_map<TimerId, std::shared_ptr<Timer>> timers;
    {
        std::lock_guard lock(timers_mutex_);
        timers.swap(timers_);
    }
    for (auto& entry : timers) {
        std::shared_ptr<Timer> t = entry.second;
        t->cancel();
        boost::asio::post(t->strand, [t] { t->timer.cancel(); });
    }
    work_.reset();
    if (!started_.load()) {
        context_.run();  // drain what was posted before any thread ran
    }
    for (auto& th : threads_) {
        if (th.joinable()) th.join();
    }
    threads_.clear();
}

bool EventLoop::post(std::function<void()> task)
{
    if (!accepting_.load(std::memory_order_acquire)) return false;
    boost::asio::post(context_, std::move(task));
    return true;
}

TimerId EventLoop::start_timer(std::chrono::nanoseconds delay, std::chrono::nanoseconds period, std::function<void()> fn)
{
    if (!accepting_.load(std::memory_order_acquire)) return 0;
    auto t = std::make_shared<Timer>(context_);
    t->fn = std::move(fn);
    t->period = period;
    t->id = next_timer_id_.fetch_add(1, std::memory_order_relaxed);
    {
        std::lock_guard lock(timers_mutex_);
        timers_.emplace(t->id, t);
    }
    boost::asio::post(t->strand, [this, t, delay] { arm(t, delay); });
    return t->id;
}

void EventLoop::arm(const std::shared_ptr<Timer>& t, std::chrono::nanoseconds delay)
{
    if (t->state.load(std::memory_order_acquire) == Timer::state_cancelled) return;
    t->timer.expires_after(delay);
    t->timer.async_wait([this, t](const boost::system::error_code& ec) {
        if (ec || !t->try_begin()) return;
        t->fn();
        const bool live = t->end();
        if (live && t->period.count() > 0) {
            arm(t, t->period);
        } else {
            std::lock_guard lock(timers_mutex_);
            timers_.erase(t->id);
        }
    });
}

bool EventLoop::cancel_timer(TimerId id)
{
    std::shared_ptr<Timer> t;
    {
        std::lock_guard lock(timers_mutex_);
        auto it = timers_.find(id);
        if (it == timers_.end()) return false;
        t = it->second;
        timers_.erase(it);
    }
    t->cancel();
    boost::asio::post(t->strand, [t] { t->timer.cancel(); });
    return true;
}

std::size_t EventLoop::active_timers() const
{
    std::lock_guard lock(timers_mutex_);
    return timers_.size();
}

void EventLoop::request_shutdown() noexcept
{
    shutdown_requested_.store(true);
    shutdown_requested_.notify_all();
}

int EventLoop::wait_for_shutdown_signal()
{
    // A private io_context so signals are caught even if the main loop is busy.
    boost::asio::io_context signal_ctx;
    boost::asio::signal_set signals(signal_ctx, SIGINT, SIGTERM);
    int caught = 0;
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (!ec) caught = sig;
    });
    while (!shutdown_requested_.load() && caught == 0) {
        signal_ctx.run_for(std::chrono::milliseconds(50));
    }
    return caught;
}

}  // namespace net::kernel
