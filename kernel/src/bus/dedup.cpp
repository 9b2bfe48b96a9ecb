// bus/dedup.cpp — dedup ids and the reader-side DedupFilter.
#include "net/kernel/bus/dedup.hpp"

#include <bit>
#include <stdexcept>

#include "bus/bus_hash.hpp"

namespace net::kernel::bus {

std::uint64_t dedup_id(std::uint64_t producer_id, std::uint64_t producer_sequence) noexcept
{
    return detail::dedup_hash(producer_id, producer_sequence);
}

DedupFilter::DedupFilter(std::size_t window, std::size_t max_producers)
    : window_(std::bit_ceil(window < 64 ? std::size_t{64} : window)), max_producers_(max_producers)
{
    if (max_producers == 0) throw std::invalid_argument("DedupFilter: max_producers must be at least 1");
}

bool DedupFilter::test_bit(const State& s, std::uint64_t sequence) const noexcept
{
    const std::uint64_t i = sequence & (window_ - 1);
    return (s.bits[i >> 6] >> (i & 63)) & 1u;
}

void DedupFilter::set_bit(State& s, std::uint64_t sequence) noexcept
{
    const std::uint64_t i = sequence & (window_ - 1);
    s.bits[i >> 6] |= std::uint64_t{1} << (i & 63);
}

void DedupFilter::clear_bit(State& s, std::uint64_t sequence) noexcept
{
    const std::uint64_t i = sequence & (window_ - 1);
    s.bits[i >> 6] &= ~(std::uint64_t{1} << (i & 63));
}

DedupFilter::State& DedupFilter::state_for(std::uint64_t producer_id)
{
    auto it = producers_.find(producer_id);
    if (it == producers_.end()) {
        if (producers_.size() >= max_producers_) {
            auto oldest = producers_.begin();
            for (auto p = producers_.begin(); p != producers_.end(); ++p) {
                if (p->second.last_used < oldest->second.last_used) oldest = p;
            }
            producers_.erase(oldest);
            ++stats_.producers_evicted;
        }
        it = producers_.emplace(producer_id, State{}).first;
        it->second.bits.assign(window_ / 64, 0);
    }
    it->second.last_used = ++tick_;
    return it->second;
}

bool DedupFilter::accept(std::uint64_t producer_id, std::uint64_t sequence)
{
    State& s = state_for(producer_id);
    if (sequence < s.base) {
        ++stats_.duplicates;
        return false;
    }
    if (sequence - s.base >= window_) {
        // Slide so that `sequence` is the window's last position; what it passes was never seen.
        const std::uint64_t new_base = sequence - window_ + 1;
        if (new_base - s.base >= window_) {
            std::uint64_t seen = 0;
            for (std::uint64_t& w : s.bits) {
                seen += static_cast<std::uint64_t>(std::popcount(w));
                w = 0;
            }
            stats_.skipped += (new_base - s.base) - seen;
        } else {
            for (std::uint64_t q = s.base; q < new_base; ++q) {
                if (!test_bit(s, q)) ++stats_.skipped;
                clear_bit(s, q);
            }
        }
        s.base = new_base;
    }
    if (test_bit(s, sequence)) {
        ++stats_.duplicates;
        return false;
    }
    set_bit(s, sequence);
    // Advance the contiguous mark over what has arrived.
    while (test_bit(s, s.base)) {
        clear_bit(s, s.base);
        ++s.base;
    }
    ++stats_.accepted;
    return true;
}

bool DedupFilter::accept(const net_bus_event_t& event)
{
    if (event.dedup_id != dedup_id(event.producer_id, event.producer_sequence)) {
        ++stats_.mismatched;
        return false;
    }
    return accept(event.producer_id, event.producer_sequence);
}

std::uint64_t DedupFilter::next_expected(std::uint64_t producer_id) const noexcept
{
    const auto it = producers_.find(producer_id);
    return it == producers_.end() ? 0 : it->second.base;
}

}  // namespace net::kernel::bus
