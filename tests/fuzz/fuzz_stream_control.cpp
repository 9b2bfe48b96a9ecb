// Fuzzes the byte readers of the reliable stream (plugins/reliability-stream) and of the shared
// event framing (plugins/reliability-common): payloads a peer controls. Input byte 0 picks the
// reader (mod 3); the rest is its input:
//
// 0 control codec: [payload]. decode_control accepts exactly ack (0x01, 17 bytes), nack (0x02,
//   25 bytes) and reset (0x03, 1 byte); the codec is canonical (every byte is a field), so what
//   decodes re-encodes to the same bytes. The 16-byte selective NACK round-trips on its own.
// 1 event framing: [max_payload u8][event_count u16 LE][payload]. read_events succeeds exactly when
//   a reference walk finds event_count well-formed events filling the payload; its events then lie
//   inside the payload, back to back, in order, and their count matches. They re-frame (one
//   packet, then packets of at most max_payload bytes via plan_packets/write_packet) to the same
//   bytes, and each planned packet reads back to its own events.
// 2 reorder buffer: [max_bytes u8][max_ahead u8] then operations [op u8][len u8][len bytes]
//   (op 0xFF: an explicit u64 LE sequence follows; 0xFE: clear()). Each packet is admitted as the
//   stream does it (in order: advance, then drain pop_ready), against a model: the verdict, the
//   buffered bytes and packets, the packets popped (sequence, count, payload) and the missing
//   bitmap must all agree.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "control_codec.hpp"
#include "event_framing.hpp"
#include "reorder_buffer.hpp"

namespace {

namespace rel = net::reliability;
using Bytes = std::vector<std::uint8_t>;

void fuzz_control(std::span<const std::uint8_t> in)
{
    if (rel::decode_control(net_bytes_t{nullptr, 0}).has_value()) __builtin_trap();
    const auto m = rel::decode_control(net_bytes_t{in.data(), in.size()});
    const std::uint8_t kind = in.empty() ? 0 : in[0];
    const bool expected = (kind == 1 && in.size() == rel::kAckBytes) || (kind == 2 && in.size() == rel::kNackBytes) ||
                          (kind == 3 && in.size() == rel::kResetBytes);
    if (m.has_value() != expected) __builtin_trap();
    if (m) {
        if (static_cast<std::uint8_t>(m->kind) != kind) __builtin_trap();
        if (m->kind != rel::ControlKind::nack && m->missing != 0) __builtin_trap();
        if (m->kind == rel::ControlKind::reset && (m->next_expected != 0 || m->credit_limit != 0)) __builtin_trap();
        std::array<std::uint8_t, rel::kMaxControlBytes> out{};
        const std::size_t n = rel::encode_control(*m, out);
        if (n != in.size() || std::memcmp(out.data(), in.data(), n) != 0) __builtin_trap();
        if (m->kind == rel::ControlKind::nack) {
            std::uint64_t next = 0;
            std::uint64_t missing = 0;
            rel::decode_selective_nack(in.data() + 1, next, missing);
            if (next != m->next_expected || missing != m->missing) __builtin_trap();
        }
    }
    if (in.size() >= rel::kSelectiveNackBytes) {
        std::uint64_t next = 0;
        std::uint64_t missing = 0;
        rel::decode_selective_nack(in.data(), next, missing);
        std::array<std::uint8_t, rel::kSelectiveNackBytes> out{};
        rel::encode_selective_nack(next, missing, out.data());
        if (std::memcmp(out.data(), in.data(), out.size()) != 0) __builtin_trap();
    }
}

// The framing rule, walked independently: `count` events of [u32 LE len][len bytes], nothing after.
bool reference_valid(std::span<const std::uint8_t> payload, std::uint16_t count)
{
    std::uint64_t offset = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (offset + 4 > payload.size()) return false;
        std::uint32_t len = 0;
        for (int b = 3; b >= 0; --b) len = (len << 8) | payload[offset + static_cast<std::size_t>(b)];
        offset += 4 + std::uint64_t{len};
        if (offset > payload.size()) return false;
    }
    return offset == payload.size();
}

void fuzz_events(std::span<const std::uint8_t> in)
{
    if (in.size() < 3) return;
    const std::size_t max_payload = in[0];
    const auto count = static_cast<std::uint16_t>(in[1] | (in[2] << 8));
    const std::span<const std::uint8_t> payload = in.subspan(3);
    const net_bytes_t view{payload.empty() ? nullptr : payload.data(), payload.size()};

    std::vector<net_bytes_t> events;
    const bool ok = rel::read_events(view, count, events);
    if (ok != reference_valid(payload, count)) __builtin_trap();
    if (payload.empty()) {  // the same answer for an empty payload behind a non-null pointer
        std::vector<net_bytes_t> again;
        const std::uint8_t dummy = 0;
        if (rel::read_events(net_bytes_t{&dummy, 0}, count, again) != ok || again.size() != events.size()) {
            __builtin_trap();
        }
    }
    if (!ok) return;
    if (events.size() != count) __builtin_trap();
    const std::uint8_t* cursor = payload.data();
    for (const net_bytes_t& e : events) {
        if (e.len > payload.size()) __builtin_trap();
        if (e.len > 0 && (e.ptr < payload.data() || e.ptr + e.len > payload.data() + payload.size())) __builtin_trap();
        if (e.ptr != cursor + rel::kEventHeaderBytes) __builtin_trap();
        cursor = e.ptr + e.len;
    }
    if (rel::framed_size(events) != payload.size()) __builtin_trap();

    // One packet that holds everything re-frames to the same bytes.
    std::vector<rel::PacketPlan> plans;
    const std::size_t whole = payload.size() > rel::kEventHeaderBytes ? payload.size() : rel::kEventHeaderBytes + 1;
    if (!rel::plan_packets(events, whole, plans)) __builtin_trap();
    if (plans.size() != (events.empty() ? 0u : 1u)) __builtin_trap();
    if (!plans.empty()) {
        if (plans[0].first_event != 0 || plans[0].event_count != count || plans[0].payload_bytes != payload.size()) {
            __builtin_trap();
        }
        Bytes out(plans[0].payload_bytes);
        rel::write_packet(events, plans[0], out.data());
        if (std::memcmp(out.data(), payload.data(), out.size()) != 0) __builtin_trap();
    }

    // Packets of at most max_payload bytes: possible exactly when every event fits one alone.
    bool fits = max_payload > rel::kEventHeaderBytes || events.empty();
    for (const net_bytes_t& e : events) fits = fits && e.len + rel::kEventHeaderBytes <= max_payload;
    if (rel::plan_packets(events, max_payload, plans) != fits) __builtin_trap();
    if (!fits) return;
    Bytes joined;
    std::size_t next_event = 0;
    for (const rel::PacketPlan& plan : plans) {
        if (plan.first_event != next_event || plan.event_count == 0 || plan.payload_bytes > max_payload ||
            plan.event_count > rel::kMaxEventsPerPacket) {
            __builtin_trap();
        }
        Bytes packet(plan.payload_bytes);
        rel::write_packet(events, plan, packet.data());
        std::vector<net_bytes_t> back;
        if (!rel::read_events(net_bytes_t{packet.data(), packet.size()}, static_cast<std::uint16_t>(plan.event_count),
                              back)) {
            __builtin_trap();
        }
        for (std::size_t i = 0; i < back.size(); ++i) {
            const net_bytes_t& e = events[plan.first_event + i];
            if (back[i].len != e.len || (e.len > 0 && std::memcmp(back[i].ptr, e.ptr, e.len) != 0)) __builtin_trap();
        }
        joined.insert(joined.end(), packet.begin(), packet.end());
        next_event += plan.event_count;
    }
    if (next_event != events.size() || joined.size() != payload.size() ||
        (!joined.empty() && std::memcmp(joined.data(), payload.data(), joined.size()) != 0)) {
        __builtin_trap();
    }
}

struct ModelPacket {
    std::uint16_t event_count;
    Bytes payload;
};

void fuzz_reorder(std::span<const std::uint8_t> in)
{
    if (in.size() < 2) return;
    const std::size_t max_bytes = std::size_t{in[0]} * 4;
    const std::uint64_t max_ahead = in[1] % 80;  // sometimes beyond the 64-bit bitmap
    rel::ReorderBuffer buffer(max_bytes, max_ahead);
    std::uint64_t next = 0;
    std::size_t bytes = 0;
    std::map<std::uint64_t, ModelPacket> early;

    std::size_t at = 2;
    std::uint16_t op_index = 0;
    // At most 128 operations: the model's checks after each one are what costs time.
    for (int ops = 0; ops < 128 && at + 2 <= in.size(); ++ops) {
        const std::uint8_t op = in[at];
        std::size_t len = in[at + 1] % 48;
        at += 2;
        if (op == 0xFE) {
            buffer.clear();
            early.clear();
            bytes = 0;
        } else {
            std::uint64_t sequence = 0;
            if (op == 0xFF) {
                for (std::size_t b = 0; b < 8 && at < in.size(); ++b, ++at) sequence |= std::uint64_t{in[at]} << (8 * b);
            } else {
                // Around the next expected sequence: op - 8 relative to it (below it: duplicates).
                sequence = next + op >= 8 ? next + op - 8 : op;
            }
            if (len > in.size() - at) len = in.size() - at;
            const std::span<const std::uint8_t> payload = in.subspan(at, len);
            at += len;
            const auto event_count = op_index++;

            rel::ReorderBuffer::Admit expected;
            if (sequence == next) {
                expected = rel::ReorderBuffer::Admit::in_order;
            } else if (sequence < next || early.count(sequence) != 0) {
                expected = rel::ReorderBuffer::Admit::duplicate;
            } else if (sequence - next > max_ahead || bytes + len > max_bytes) {
                expected = rel::ReorderBuffer::Admit::beyond_window;
            } else {
                expected = rel::ReorderBuffer::Admit::buffered;
            }
            const auto verdict =
                buffer.admit(sequence, net_bytes_t{len == 0 ? nullptr : payload.data(), len}, event_count);
            if (verdict != expected) __builtin_trap();
            // Duplicates and packets beyond the window leave the state alone: check it less often.
            if ((verdict == rel::ReorderBuffer::Admit::duplicate ||
                 verdict == rel::ReorderBuffer::Admit::beyond_window) &&
                ops % 8 != 0) {
                continue;
            }
            if (verdict == rel::ReorderBuffer::Admit::buffered) {
                early.emplace(sequence, ModelPacket{event_count, Bytes(payload.begin(), payload.end())});
                bytes += len;
            }
            if (verdict == rel::ReorderBuffer::Admit::in_order) {
                buffer.advance();
                ++next;
                while (auto ready = buffer.pop_ready()) {
                    const auto it = early.begin();
                    if (it == early.end() || it->first != next || ready->sequence != next ||
                        ready->event_count != it->second.event_count || ready->payload != it->second.payload) {
                        __builtin_trap();
                    }
                    bytes -= it->second.payload.size();
                    early.erase(it);
                    ++next;
                }
                if (!early.empty() && early.begin()->first == next) __builtin_trap();  // left one behind
            }
        }
        // Bit i <=> next + 1 + i is missing, for next + 1 + i <= the highest buffered: all those
        // bits, minus the buffered ones (every buffered sequence is above next).
        std::uint64_t missing = 0;
        if (!early.empty()) {
            const std::uint64_t span = early.rbegin()->first - next;  // >= 1
            missing = span > 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << (span - 1) << 1) - 1;
            for (auto it = early.begin(); it != early.end() && it->first - next - 1 < 64; ++it) {
                missing &= ~(std::uint64_t{1} << (it->first - next - 1));
            }
        }
        if (buffer.next_expected() != next || buffer.has_gap() != !early.empty() || buffer.buffered_bytes() != bytes ||
            buffer.buffered_packets() != early.size() || buffer.missing_bitmap() != missing) {
            __builtin_trap();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            fuzz_control(rest);
            break;
        case 1:
            fuzz_events(rest);
            break;
        default:
            fuzz_reorder(rest);
            break;
    }
    return 0;
}
