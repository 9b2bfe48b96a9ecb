// net/kernel/event_loop.hpp — the kernel's event loop: an io_context run by N threads, tasks,
// steady timers with ids, and a wait for SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

namespace net::kernel {

using TimerId = std::uint64_t;

class EventLoop {
public:
    explicit EventLoop(unsigned threads = 2);
    ~EventLoop();  // stops and joins
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    boost::asio::io_context& context() noexcept { return context_; }
    unsigned thread_count() const noexcept { return thread_count_; }

    // Starts the loop threads. Idempotent. [any-thread]
    void start();
    // Stops accepting work, cancels timers, lets queued tasks finish, joins the threads. Idempotent.
    // Must not be called from a loop thread.
    void stop();
    bool running() const noexcept { return accepting_.load(std::memory_order_acquire); }
    bool on_loop_thread() const noexcept;

    // Queues a task. Returns false once stop() has begun. [any-thread]
    bool post(std::function<void()> task);

    // Calls `fn` after `delay`, then every `period` if non-zero. Returns 0 once stop() has begun.
    // [any-thread]
    TimerId start_timer(std::chrono::nanoseconds delay, std::chrono::nanoseconds period, std::function<void()> fn);
    // After it returns, `fn` is not started again. Returns false for an unknown or finished timer.
    bool cancel_timer(TimerId id);
    std::size_t active_timers() const;

    // Blocks until SIGINT or SIGTERM arrives, or request_shutdown() is called. Returns the signal
    // number (0 for a request). [control thread]
    int wait_for_shutdown_signal();
    void request_shutdown() noexcept;

private:
    struct Timer;
    void arm(const std::shared_ptr<Timer>& timer, std::chrono::nanoseconds delay);

    boost::asio::io_context context_;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    unsigned thread_count_;
    std::vector<std::thread> threads_;
    std::atomic<bool> accepting_{true};
    std::atomic<bool> started_{false};
    std::atomic<bool> shutdown_requested_{false};
    std::atomic<TimerId> next_timer_id_{1};
    mutable std::mutex timers_mutex_;
    std::unordered_map<TimerId, std::shared_ptr<Timer>> timers_;
};

}  // namespace net::kernel
