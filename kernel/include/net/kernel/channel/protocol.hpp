// net/kernel/channel/protocol.hpp — the channel layer's two subprotocols (docs/channels.md has
// the byte tables). Little-endian; decoders never read outside their input, never allocate, and
// return views into it.
//
// channel_membership (0x0004): [kind u8][version u8 = 1][incarnation u64] then by kind:
//   1 subscribe, 4 publisher: [visibility u8][subnet u32][name_len u8][name][chain_len u16][chain]
//   2 unsubscribe, 5 withdraw: [name_len u8][name]
//   3 answer:                 [about u8 (1 or 4)][answer u8][link u8, 0xFF = none][channel hash64 u64]
// channel_events (0x0005): [version u8 = 1][flags u8 = 0][count u16 >= 1][channel hash64 u64]
//   [first sequence u64] then `count` events framed [u32 len][bytes] (wire/event_framing.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "net/kernel/channel/visibility.hpp"
#include "net/kernel/token/verify.hpp"

namespace net::kernel::channel {

inline constexpr std::uint8_t kProtocolVersion = 1;

enum class MessageKind : std::uint8_t { subscribe = 1, unsubscribe = 2, answer = 3, publisher = 4, withdraw = 5 };

// What a node answers to a subscribe or publisher message: accepted, a token reason (the values
// of token::Reason), or a channel-layer refusal.
enum class Answer : std::uint8_t {
    accepted = 0,
    // 1..12: token::Reason (absent, malformed, bad_signature, expired, not_yet_valid, wrong_channel,
    // missing_scope, chain_too_deep, broken_chain, untrusted_root, scope_widened, wrong_subject)
    not_visible = 64,          // the visibility rule excludes the subscriber's (or this node's) subnet
    visibility_mismatch = 65,  // the node uses this channel with another visibility
    limit = 66,                // the node holds too many remote entries to take another
};

inline Answer answer_of(token::Reason r) noexcept { return static_cast<Answer>(static_cast<std::uint8_t>(r)); }
std::optional<Answer> answer_from_byte(std::uint8_t b) noexcept;
std::string_view answer_name(Answer a) noexcept;     // "accepted", "expired", "not_visible", ...
std::string_view answer_message(Answer a) noexcept;  // one sentence

inline constexpr std::size_t kMembershipHeader = 10;
inline constexpr std::uint8_t kNoLink = 0xFF;

struct Membership {
    MessageKind kind = MessageKind::subscribe;
    std::uint64_t incarnation = 0;
    // subscribe, publisher
    Visibility visibility = Visibility::global;
    SubnetId subnet;
    std::string_view name;              // canonical (checked)
    std::span<const std::uint8_t> chain;  // token chain bytes, unchecked (empty: none presented)
    // answer
    MessageKind about = MessageKind::subscribe;
    Answer answer = Answer::accepted;
    std::uint8_t link = kNoLink;
    std::uint64_t channel_hash = 0;
};

// Decodes and checks one membership message: kind, version, lengths (nothing after the end),
// visibility, subnet, the name canonical. std::nullopt for anything else.
std::optional<Membership> decode_membership(std::span<const std::uint8_t> in) noexcept;
// The encoded size of `m` and the encoding into `out` (at least that size); returns bytes written,
// 0 when `out` is too small or a field does not fit (name > 255, chain > 65535).
std::size_t membership_size(const Membership& m) noexcept;
std::size_t encode_membership(const Membership& m, std::span<std::uint8_t> out) noexcept;

inline constexpr std::size_t kEventFrameHeader = 20;

struct EventFrameHeader {
    std::uint16_t count = 0;
    std::uint64_t channel_hash = 0;
    std::uint64_t first_sequence = 0;
};

void encode_event_frame_header(const EventFrameHeader& h, std::uint8_t* out) noexcept;
// Checks the header and that exactly `count` well-framed events follow; returns the header and
// (in `events`) the framed events to read with wire::EventReader.
std::optional<EventFrameHeader> decode_event_frame(std::span<const std::uint8_t> in,
                                                   std::span<const std::uint8_t>& events) noexcept;

}  // namespace net::kernel::channel
