// net/kernel/crypto/replay_window.hpp — the receive-side anti-replay window of one session
// direction (RFC 6479 bitmap).
//
// The window remembers which of the last `window_size` counters (those in (highest - window_size,
// highest]) were admitted. try_admit accepts a counter once: it rejects duplicates, counters at
// or below highest - window_size ("too old"), and the reserved counter 2^64-1 ("invalid"). A
// counter above the highest slides the window forward, whatever the distance: the bitmap words
// it skips are cleared (RFC 6479 §3), so a jump larger than the window simply starts a fresh
// window at the new counter and every older counter becomes too old. There is no "too far ahead"
// rejection here: try_admit is only called after the AEAD verified the packet, so a far-ahead
// counter is authentic, and the sender's counter is monotonic.
//
// Call order: (optionally peek,) authenticate, then try_admit; only an admitted packet is delivered.
// Thread rule: [any-thread]; one std::mutex held for a few instructions per call. stats() is
// [any-thread] too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace net::kernel::crypto {

enum class ReplayVerdict : std::uint8_t {
    admitted,
    duplicate,
    too_old,
    invalid,  // the reserved counter 2^64-1
};

struct ReplayStats {
    std::uint64_t admitted = 0;
    std::uint64_t duplicate = 0;
    std::uint64_t too_old = 0;
    std::uint64_t invalid = 0;
};

class ReplayWindow {
public:
    static constexpr std::size_t default_window = 1024;

    // `window_size` counters are remembered; a power of two >= 64. Throws std::invalid_argument
    // otherwise.
    explicit ReplayWindow(std::size_t window_size = default_window);

    ReplayVerdict try_admit(std::uint64_t counter) noexcept;
    // What try_admit would answer now, changing nothing (no state, no stats): lets a receiver
    // refuse a replay before spending an AEAD on it. try_admit after authentication stays the
    // decision.
    ReplayVerdict peek(std::uint64_t counter) const noexcept;

    std::size_t window_size() const noexcept { return window_size_; }
    // The highest admitted counter (0 before any).
    std::uint64_t highest() const noexcept;
    ReplayStats stats() const noexcept;

private:
    std::size_t window_size_;
    std::size_t word_mask_;  // bitmap has 2 * window/64 words: the window plus a partial word
    mutable std::mutex mutex_;
    std::uint64_t highest_ = 0;
    std::vector<std::uint64_t> bitmap_;
    ReplayStats stats_;
};

}  // namespace net::kernel::crypto
