// Membership and event-frame codecs.
#include <cstring>
#include <string>

#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/channel/protocol.hpp"
#include "net/kernel/wire/byte_order.hpp"
#include "net/kernel/wire/event_framing.hpp"

namespace net::kernel::channel {

using wire::load_le;
using wire::store_le;

std::optional<Answer> answer_from_byte(std::uint8_t b) noexcept
{
    if (token::reason_from_byte(b)) return static_cast<Answer>(b);
    if (b >= 64 && b <= 66) return static_cast<Answer>(b);
    return std::nullopt;
}

std::string_view answer_name(Answer a) noexcept
{
    switch (a) {
        case Answer::accepted: return "accepted";
        case Answer::not_visible: return "not_visible";
        case Answer::visibility_mismatch: return "visibility_mismatch";
        case Answer::limit: return "limit";
    }
    if (auto r = token::reason_from_byte(static_cast<std::uint8_t>(a))) return token::reason_name(*r);
    return "unknown";
}

std::string_view answer_message(Answer a) noexcept
{
    switch (a) {
        case Answer::accepted: return "accepted";
        case Answer::not_visible: return "the channel's visibility does not reach that subnet";
        case Answer::visibility_mismatch: return "the node uses this channel with another visibility";
        case Answer::limit: return "the node holds too many remote entries to take another";
    }
    if (auto r = token::reason_from_byte(static_cast<std::uint8_t>(a))) return token::reason_message(*r);
    return "unknown answer";
}

namespace {

bool canonical_name(std::string_view name) noexcept
{
    // Canonical names are [a-z0-9_-] segments separated by single '/', 1..64 per segment, <= 16 segments.
    if (name.empty() || name.size() > kMaxNameLength) return false;
    std::size_t seg = 0;
    std::size_t segments = 1;
    for (char c : name) {
        if (c == '/') {
            if (seg == 0 || ++segments > kMaxSegments) return false;
            seg = 0;
            continue;
        }
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!allowed || ++seg > kMaxSegmentLength) return false;
    }
    return seg != 0;
}

bool has_body_with_chain(MessageKind k) noexcept
{
    return k == MessageKind::subscribe || k == MessageKind::publisher;
}

}  // namespace

std::optional<Membership> decode_membership(std::span<const std::uint8_t> in) noexcept
{
    if (in.size() < kMembershipHeader || in[1] != kProtocolVersion) return std::nullopt;
    const std::uint8_t kind = in[0];
    if (kind < 1 || kind > 5) return std::nullopt;
    Membership m;
    m.kind = static_cast<MessageKind>(kind);
    m.incarnation = load_le<std::uint64_t>(in.data() + 2);
    std::size_t pos = kMembershipHeader;
    auto remaining = [&] { return in.size() - pos; };
    if (m.kind == MessageKind::answer) {
        if (remaining() != 11) return std::nullopt;
        const std::uint8_t about = in[pos];
        if (about != static_cast<std::uint8_t>(MessageKind::subscribe) &&
            about != static_cast<std::uint8_t>(MessageKind::publisher)) {
            return std::nullopt;
        }
        m.about = static_cast<MessageKind>(about);
        const auto answer = answer_from_byte(in[pos + 1]);
        if (!answer) return std::nullopt;
        m.answer = *answer;
        m.link = in[pos + 2];
        if (m.link != kNoLink && m.link >= 16) return std::nullopt;
        m.channel_hash = load_le<std::uint64_t>(in.data() + pos + 3);
        return m;
    }
    if (has_body_with_chain(m.kind)) {
        if (remaining() < 5) return std::nullopt;
        const auto vis = visibility_from_byte(in[pos]);
        const auto subnet = SubnetId::from_u32(load_le<std::uint32_t>(in.data() + pos + 1));
        if (!vis || !subnet) return std::nullopt;
        m.visibility = *vis;
        m.subnet = *subnet;
        pos += 5;
    }
    if (remaining() < 1) return std::nullopt;
    const std::size_t name_len = in[pos++];
    if (remaining() < name_len) return std::nullopt;
    m.name = std::string_view(reinterpret_cast<const char*>(in.data() + pos), name_len);
    if (!canonical_name(m.name)) return std::nullopt;
    pos += name_len;
    if (has_body_with_chain(m.kind)) {
        if (remaining() < 2) return std::nullopt;
        const std::size_t chain_len = load_le<std::uint16_t>(in.data() + pos);
        pos += 2;
        if (remaining() != chain_len) return std::nullopt;
        m.chain = in.subspan(pos, chain_len);
        pos += chain_len;
    }
    if (remaining() != 0) return std::nullopt;
    return m;
}

std::size_t membership_size(const Membership& m) noexcept
{
    switch (m.kind) {
        case MessageKind::answer: return kMembershipHeader + 11;
        case MessageKind::subscribe:
        case MessageKind::publisher: return kMembershipHeader + 5 + 1 + m.name.size() + 2 + m.chain.size();
        case MessageKind::unsubscribe:
        case MessageKind::withdraw: return kMembershipHeader + 1 + m.name.size();
    }
    return 0;
}

std::size_t encode_membership(const Membership& m, std::span<std::uint8_t> out) noexcept
{
    const std::size_t size = membership_size(m);
    if (size == 0 || out.size() < size || m.name.size() > kMaxNameLength || m.chain.size() > 0xFFFF) return 0;
    std::uint8_t* p = out.data();
    p[0] = static_cast<std::uint8_t>(m.kind);
    p[1] = kProtocolVersion;
    store_le(p + 2, m.incarnation);
    std::size_t pos = kMembershipHeader;
    if (m.kind == MessageKind::answer) {
        p[pos] = static_cast<std::uint8_t>(m.about);
        p[pos + 1] = static_cast<std::uint8_t>(m.answer);
        p[pos + 2] = m.link;
        store_le(p + pos + 3, m.channel_hash);
        return size;
    }
    if (has_body_with_chain(m.kind)) {
        p[pos] = static_cast<std::uint8_t>(m.visibility);
        store_le(p + pos + 1, m.subnet.packed());
        pos += 5;
    }
    p[pos++] = static_cast<std::uint8_t>(m.name.size());
    if (!m.name.empty()) std::memcpy(p + pos, m.name.data(), m.name.size());
    pos += m.name.size();
    if (has_body_with_chain(m.kind)) {
        store_le(p + pos, static_cast<std::uint16_t>(m.chain.size()));
        pos += 2;
        if (!m.chain.empty()) std::memcpy(p + pos, m.chain.data(), m.chain.size());
        pos += m.chain.size();
    }
    return pos;
}

void encode_event_frame_header(const EventFrameHeader& h, std::uint8_t* out) noexcept
{
    out[0] = kProtocolVersion;
    out[1] = 0;
    store_le(out + 2, h.count);
    store_le(out + 4, h.channel_hash);
    store_le(out + 12, h.first_sequence);
}

std::optional<EventFrameHeader> decode_event_frame(std::span<const std::uint8_t> in,
                                                   std::span<const std::uint8_t>& events) noexcept
{
    if (in.size() < kEventFrameHeader || in[0] != kProtocolVersion || in[1] != 0) return std::nullopt;
    EventFrameHeader h;
    h.count = load_le<std::uint16_t>(in.data() + 2);
    h.channel_hash = load_le<std::uint64_t>(in.data() + 4);
    h.first_sequence = load_le<std::uint64_t>(in.data() + 12);
    if (h.count == 0) return std::nullopt;
    const auto body = in.subspan(kEventFrameHeader);
    if (!wire::validate_events(body, h.count).ok()) return std::nullopt;
    events = body;
    return h;
}

}  // namespace net::kernel::channel
