#include "event_framing.hpp"

#include <cstring>

namespace net::reliability {

namespace {

void put_u32_le(std::uint8_t* out, std::uint32_t v) noexcept
{
    out[0] = static_cast<std::uint8_t>(v);
    out[1] = static_cast<std::uint8_t>(v >> 8);
    out[2] = static_cast<std::uint8_t>(v >> 16);
    out[3] = static_cast<std::uint8_t>(v >> 24);
}

std::uint32_t get_u32_le(const std::uint8_t* in) noexcept
{
    return static_cast<std::uint32_t>(in[0]) | (static_cast<std::uint32_t>(in[1]) << 8) |
           (static_cast<std::uint32_t>(in[2]) << 16) | (static_cast<std::uint32_t>(in[3]) << 24);
}

}  // namespace

bool plan_packets(std::span<const net_bytes_t> events, std::size_t max_payload, std::vector<PacketPlan>& out)
{
    out.clear();
    if (max_payload <= kEventHeaderBytes) return events.empty();
    PacketPlan current{0, 0, 0};
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].len > max_payload - kEventHeaderBytes) return false;
        const std::size_t framed = kEventHeaderBytes + events[i].len;
        if (current.event_count > 0 &&
            (current.payload_bytes + framed > max_payload || current.event_count == kMaxEventsPerPacket)) {
            out.push_back(current);
            current = PacketPlan{i, 0, 0};
        }
        current.event_count += 1;
        current.payload_bytes += framed;
    }
    if (current.event_count > 0) out.push_back(current);
    return true;
}

std::size_t framed_size(std::span<const net_bytes_t> events) noexcept
{
    std::size_t total = 0;
    for (const net_bytes_t& e : events) total += kEventHeaderBytes + e.len;
    return total;
}

void write_packet(std::span<const net_bytes_t> events, const PacketPlan& plan, std::uint8_t* out) noexcept
{
    for (std::size_t i = plan.first_event; i < plan.first_event + plan.event_count; ++i) {
        put_u32_le(out, static_cast<std::uint32_t>(events[i].len));
        out += kEventHeaderBytes;
        if (events[i].len > 0) std::memcpy(out, events[i].ptr, events[i].len);
        out += events[i].len;
    }
}

bool read_events(net_bytes_t payload, std::uint16_t event_count, std::vector<net_bytes_t>& out)
{
    out.clear();
    if (payload.ptr == nullptr && payload.len > 0) return false;
    std::size_t offset = 0;
    for (std::uint16_t i = 0; i < event_count; ++i) {
        if (payload.len - offset < kEventHeaderBytes) return false;
        const std::size_t len = get_u32_le(payload.ptr + offset);
        offset += kEventHeaderBytes;
        if (len > payload.len - offset) return false;
        out.push_back(net_bytes_t{payload.ptr + offset, len});
        offset += len;
    }
    return offset == payload.len;
}

}  // namespace net::reliability
