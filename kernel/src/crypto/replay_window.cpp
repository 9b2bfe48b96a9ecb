// replay_window.cpp — RFC 6479 sliding bitmap. The bitmap holds 2 * window/64 words (a power of
// two, so a counter's word is `(counter >> 6) & word_mask_`): any window of `window_size`
// counters spans at most window/64 + 1 words, so words are never shared by live counters.
#include "net/kernel/crypto/replay_window.hpp"

#include <stdexcept>

namespace net::kernel::crypto {

ReplayWindow::ReplayWindow(std::size_t window_size) : window_size_(window_size)
{
    if (window_size < 64 || (window_size & (window_size - 1)) != 0)
        throw std::invalid_argument("ReplayWindow: window size must be a power of two >= 64");
    const std::size_t words = 2 * (window_size / 64);
    word_mask_ = words - 1;
    bitmap_.assign(words, 0);
}

ReplayVerdict ReplayWindow::try_admit(std::uint64_t counter) noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (counter == ~std::uint64_t{0}) {
        ++stats_.invalid;
        return ReplayVerdict::invalid;
    }
    if (counter > highest_) {
        // Slide: clear the words between the old highest's word and the new one (at most all).
        const std::uint64_t old_word = highest_ >> 6;
        const std::uint64_t new_word = counter >> 6;
        std::uint64_t steps = new_word - old_word;
        if (steps > bitmap_.size()) steps = bitmap_.size();
        for (std::uint64_t i = 1; i <= steps; ++i) bitmap_[(old_word + i) & word_mask_] = 0;
        highest_ = counter;
    } else if (highest_ - counter >= window_size_) {
        ++stats_.too_old;
        return ReplayVerdict::too_old;
    }
    std::uint64_t& word = bitmap_[(counter >> 6) & word_mask_];
    const std::uint64_t bit = std::uint64_t{1} << (counter & 63);
    if (word & bit) {
        ++stats_.duplicate;
        return ReplayVerdict::duplicate;
    }
    word |= bit;
    ++stats_.admitted;
    return ReplayVerdict::admitted;
}

ReplayVerdict ReplayWindow::peek(std::uint64_t counter) const noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (counter == ~std::uint64_t{0}) return ReplayVerdict::invalid;
    if (counter > highest_) return ReplayVerdict::admitted;
    if (highest_ - counter >= window_size_) return ReplayVerdict::too_old;
    const std::uint64_t word = bitmap_[(counter >> 6) & word_mask_];
    return (word & (std::uint64_t{1} << (counter & 63))) != 0 ? ReplayVerdict::duplicate : ReplayVerdict::admitted;
}

std::uint64_t ReplayWindow::highest() const noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    return highest_;
}

ReplayStats ReplayWindow::stats() const noexcept
{
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

}  // namespace net::kernel::crypto
