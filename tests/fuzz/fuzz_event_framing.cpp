// Fuzzes the event framing reader and the event meta decoder (payload bytes from the network or
// disk). Input: a u16 LE expected event count, then the payload. Every event must lie inside the
// payload; a payload that validates must re-frame, through measure_events and EventWriter, to
// the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "net/kernel/wire/event_framing.hpp"
#include "net/kernel/wire/event_meta.hpp"

namespace wire = net::kernel::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2) return 0;
    const auto expected = static_cast<std::uint16_t>(data[0] | (data[1] << 8));
    const std::span<const std::uint8_t> payload(data + 2, size - 2);

    std::vector<std::span<const std::uint8_t>> events;
    wire::EventReader any(payload);
    std::span<const std::uint8_t> event;
    std::size_t framed = 0;
    while (any.next(event)) {
        if (event.data() < payload.data() || event.data() + event.size() > payload.data() + payload.size()) {
            __builtin_trap();
        }
        framed += wire::framed_size(event.size());
        events.push_back(event);
        (void)wire::decode_event_meta(event);
    }
    if (!any.done() || framed != any.offset()) __builtin_trap();

    const wire::Status counted = wire::validate_events(payload, expected);
    if (counted && (!any.status() || events.size() != expected)) __builtin_trap();
    if (!any.status()) return 0;

    std::vector<std::size_t> sizes;
    for (const auto& e : events) sizes.push_back(e.size());
    const auto measured = wire::measure_events(sizes);
    if (!measured) return 0;  // more than 65535 events
    if (*measured != payload.size()) __builtin_trap();
    std::vector<std::uint8_t> out(*measured);
    wire::EventWriter writer(out);
    for (const auto& e : events) {
        if (!writer.append(e)) __builtin_trap();
    }
    if (writer.remaining() != 0 || (!out.empty() && std::memcmp(out.data(), payload.data(), out.size()) != 0)) {
        __builtin_trap();
    }
    return 0;
}
