// Fuzzes the channel layer's decoders: membership messages (subprotocol 0x0004) and event frames
// (0x0005), plus channel-name canonicalisation.
//
// Properties:
// - decode_membership accepts only messages that re-encode to the input bytes exactly.
// - decode_event_frame accepts only frames whose events walk to the end with the header's count;
//   the header re-encodes to the input's first 20 bytes.
// - canonicalize either refuses or yields a name that is its own canonical form and that the
//   membership decoder's name rule accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/channel/protocol.hpp"
#include "net/kernel/wire/event_framing.hpp"

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace net::kernel;
    using namespace net::kernel::channel;
    const std::span<const std::uint8_t> in(data, size);
    if (auto m = decode_membership(in)) {
        std::vector<std::uint8_t> out(membership_size(*m));
        check(encode_membership(*m, out) == size);
        check(std::equal(out.begin(), out.end(), data));
    }
    std::span<const std::uint8_t> events;
    if (auto h = decode_event_frame(in, events)) {
        std::uint8_t header[kEventFrameHeader];
        encode_event_frame_header(*h, header);
        check(std::equal(header, header + kEventFrameHeader, data));
        wire::EventReader reader(events, h->count);
        std::span<const std::uint8_t> e;
        std::size_t n = 0;
        while (reader.next(e)) ++n;
        check(reader.status().ok() && n == h->count);
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string canonical;
    if (canonicalize(text, canonical).ok()) {
        std::string again;
        check(canonicalize(canonical, again).ok() && again == canonical);
        Membership m;
        m.kind = MessageKind::unsubscribe;
        m.name = canonical;
        std::vector<std::uint8_t> out(membership_size(m));
        check(encode_membership(m, out) == out.size());
        const auto back = decode_membership(out);
        check(back.has_value() && back->name == canonical);
    }
    return 0;
}
