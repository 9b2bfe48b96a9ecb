// The 24-byte event meta prefix.
#include "net/kernel/wire/event_meta.hpp"

#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::wire {

void encode(const EventMeta& meta, std::span<std::uint8_t, kEventMetaSize> out) noexcept
{
    store_le(out.data(), meta.timestamp_ns);
    store_le(out.data() + 8, meta.producer_id);
    store_le(out.data() + 16, meta.sequence);
}

Result<EventMeta> decode_event_meta(std::span<const std::uint8_t> bytes) noexcept
{
    if (bytes.size() < kEventMetaSize) {
        return Fault{WireError::too_short, static_cast<std::uint32_t>(bytes.size())};
    }
    return EventMeta{load_le<std::uint64_t>(bytes.data()), load_le<std::uint64_t>(bytes.data() + 8),
                     load_le<std::uint64_t>(bytes.data() + 16)};
}

}  // namespace net::kernel::wire
