// Event framing: [u32 len LE][len bytes], written and read with bounds checks.
#include "net/kernel/wire/event_framing.hpp"

#include <cstring>

#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::wire {

namespace {

constexpr std::size_t kMaxEventSize = std::numeric_limits<std::uint32_t>::max();

Fault fault_at(WireError e, std::size_t offset) noexcept
{
    return Fault{e, static_cast<std::uint32_t>(offset)};
}

}  // namespace

Result<std::size_t> measure_events(std::span<const std::size_t> sizes) noexcept
{
    if (sizes.size() > kMaxEventsPerPayload) return fault_at(WireError::too_many_events, kMaxEventsPerPayload);
    // At most 65535 * (4 + 2^32 - 1) bytes: no overflow in 64 bits.
    std::size_t total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] > kMaxEventSize) return fault_at(WireError::event_too_large, i);
        total += framed_size(sizes[i]);
    }
    return total;
}

Result<std::span<std::uint8_t>> EventWriter::claim(std::size_t size) noexcept
{
    if (count_ == kMaxEventsPerPayload) return fault_at(WireError::too_many_events, used_);
    if (size > kMaxEventSize) return fault_at(WireError::event_too_large, used_);
    // remaining() >= prefix is checked first so the subtraction cannot wrap.
    if (remaining() < kEventLengthPrefix || size > remaining() - kEventLengthPrefix) {
        return fault_at(WireError::buffer_too_small, used_);
    }
    store_le(out_.data() + used_, static_cast<std::uint32_t>(size));
    const std::span<std::uint8_t> body = out_.subspan(used_ + kEventLengthPrefix, size);
    used_ += kEventLengthPrefix + size;
    ++count_;
    return body;
}

Status EventWriter::append(std::span<const std::uint8_t> event) noexcept
{
    const Result<std::span<std::uint8_t>> body = claim(event.size());
    if (!body) return body.fault();
    if (!event.empty()) std::memcpy(body->data(), event.data(), event.size());
    return {};
}

bool EventReader::fail(WireError error) noexcept
{
    status_ = fault_at(error, pos_);
    done_ = true;
    return false;
}

bool EventReader::next(std::span<const std::uint8_t>& event) noexcept
{
    if (done_) return false;
    const std::size_t left = payload_.size() - pos_;
    if (read_ == expected_) {
        if (left != 0) return fail(WireError::event_count_mismatch);
        done_ = true;
        return false;
    }
    if (left == 0) {
        if (expected_ != kAnyCount) return fail(WireError::event_count_mismatch);
        done_ = true;
        return false;
    }
    if (left < kEventLengthPrefix) return fail(WireError::truncated_length);
    const std::uint32_t size = load_le<std::uint32_t>(payload_.data() + pos_);
    if (size > left - kEventLengthPrefix) return fail(WireError::event_overrun);
    event = payload_.subspan(pos_ + kEventLengthPrefix, size);
    pos_ += kEventLengthPrefix + size;
    ++read_;
    return true;
}

Status validate_events(std::span<const std::uint8_t> payload, std::uint16_t expected_count) noexcept
{
    EventReader reader(payload, expected_count);
    std::span<const std::uint8_t> event;
    while (reader.next(event)) {
    }
    return reader.status();
}

}  // namespace net::kernel::wire
