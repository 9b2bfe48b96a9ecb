#include "reorder_buffer.hpp"

namespace net::reliability {

ReorderBuffer::Admit ReorderBuffer::admit(std::uint64_t sequence, net_bytes_t payload, std::uint16_t event_count)
{
    if (sequence == next_expected_) return Admit::in_order;
    if (sequence < next_expected_ || early_.count(sequence) != 0) return Admit::duplicate;
    if (sequence - next_expected_ > max_ahead_ || buffered_bytes_ + payload.len > max_bytes_) return Admit::beyond_window;
    Early e{sequence, event_count, std::vector<std::uint8_t>(payload.ptr, payload.ptr + payload.len)};
    buffered_bytes_ += payload.len;
    early_.emplace(sequence, std::move(e));
    return Admit::buffered;
}

std::optional<ReorderBuffer::Early> ReorderBuffer::pop_ready()
{
    auto it = early_.begin();
    if (it == early_.end() || it->first != next_expected_) return std::nullopt;
    Early e = std::move(it->second);
    early_.erase(it);
    buffered_bytes_ -= e.payload.size();
    ++next_expected_;
    return e;
}

std::uint64_t ReorderBuffer::missing_bitmap() const noexcept
{
    std::uint64_t bits = 0;
    if (early_.empty()) return bits;
    const std::uint64_t highest = early_.rbegin()->first;
    for (std::uint64_t i = 0; i < 64; ++i) {
        const std::uint64_t seq = next_expected_ + 1 + i;
        if (seq > highest) break;
        if (early_.count(seq) == 0) bits |= std::uint64_t{1} << i;
    }
    return bits;
}

void ReorderBuffer::clear() noexcept
{
    early_.clear();
    buffered_bytes_ = 0;
}

}  // namespace net::reliability
