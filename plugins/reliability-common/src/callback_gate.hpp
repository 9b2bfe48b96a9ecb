// Lets stream_destroy keep its promise ("calls no link callback after it returns") although
// deliver and closed are called without the stream lock held.
//
// A caller enters the gate while holding the stream lock (enter() fails once the gate is shut),
// drops the lock, makes the callback, then leaves. stream_destroy shuts the gate under the lock
// and then waits, without the lock, until every callback in progress has left - except one made
// by its own thread (the application may destroy a stream from inside deliver).
#pragma once

#include <atomic>

namespace net::reliability {

class CallbackGate {
public:
    // RAII pass through the gate; empty when the gate was shut.
    class Pass {
    public:
        Pass() noexcept = default;
        Pass(Pass&& other) noexcept : gate_(other.gate_), previous_(other.previous_) { other.gate_ = nullptr; }
        Pass& operator=(Pass&& other) noexcept
        {
            if (this != &other) {
                leave();
                gate_ = other.gate_;
                previous_ = other.previous_;
                other.gate_ = nullptr;
            }
            return *this;
        }
        Pass(const Pass&) = delete;
        Pass& operator=(const Pass&) = delete;
        ~Pass() { leave(); }
        explicit operator bool() const noexcept { return gate_ != nullptr; }

    private:
        void leave() noexcept
        {
            if (gate_ == nullptr) return;
            current_ = previous_;
            gate_->inside_.fetch_sub(1, std::memory_order_release);
            gate_->inside_.notify_all();
            gate_ = nullptr;
        }

        friend class CallbackGate;
        explicit Pass(CallbackGate* gate) noexcept : gate_(gate), previous_(current_) { current_ = gate; }
        CallbackGate* gate_ = nullptr;
        const CallbackGate* previous_ = nullptr;
    };

    // Call with the stream lock held.
    Pass enter() noexcept
    {
        if (shut_) return Pass();
        inside_.fetch_add(1, std::memory_order_acquire);
        return Pass(this);
    }

    // Call with the stream lock held; no enter() succeeds afterwards.
    void shut() noexcept { shut_ = true; }
    bool is_shut() const noexcept { return shut_; }

    // Call without the stream lock, after shut(): returns when no other thread is inside.
    void wait_until_empty() const noexcept
    {
        const int own = current_ == this ? 1 : 0;
        for (int n = inside_.load(std::memory_order_acquire); n > own; n = inside_.load(std::memory_order_acquire)) {
            inside_.wait(n, std::memory_order_acquire);
        }
    }

private:
    static inline thread_local const CallbackGate* current_ = nullptr;
    std::atomic<int> inside_{0};
    bool shut_ = false;  // guarded by the stream lock
};

}  // namespace net::reliability
