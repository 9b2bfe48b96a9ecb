// net/kernel/channel/channel_name.hpp — channel names: the canonical form, validation with a
// reason and an offset, and the two hashes (docs/channels.md, "Names and hashes").
//
// Canonical form: 1..255 bytes of ASCII; segments of [a-z0-9_-] separated by '/'. Input may use
// '.' as a separator as well and upper-case letters: "Sensors.Temp/Room-1" is canonicalised to
// "sensors/temp/room-1" (so both spellings name one channel). A segment is 1..64 characters;
// at most 16 segments; no empty segment (no leading, trailing or doubled separator).
//
// Hashes: hash64 = XXH3-64 (seed 0) of the canonical bytes — what tokens name; hash16 = hash64
// folded to 16 bits (the four 16-bit words XORed; 0 becomes 1, because 0 in a packet header's
// channel_hash means "no channel") — the packet header's u16. hash64 0 is the tokens' wildcard:
// a name that hashes to it (chance 2^-64) is refused as `reserved_hash`.
//
// [any-thread]; a ChannelName is an immutable value (copying it copies the string).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace net::kernel::channel {

inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxSegmentLength = 64;
inline constexpr std::size_t kMaxSegments = 16;

enum class NameError : std::uint8_t {
    none,
    empty,              // no characters at all
    too_long,           // more than 255 bytes
    bad_character,      // not a letter, digit, '_', '-', '/' or '.'
    empty_segment,      // a leading, trailing or doubled separator
    segment_too_long,   // a segment of more than 64 characters
    too_many_segments,  // more than 16 segments
    reserved_hash,      // the name hashes to the wildcard value 0
};

// "bad_character" etc.
std::string_view name_error_name(NameError error) noexcept;

struct NameCheck {
    NameError error = NameError::none;
    std::size_t offset = 0;  // byte offset in the input where the problem is
    bool ok() const noexcept { return error == NameError::none; }
    // "channel name \"a//b\": empty segment at offset 2 (segments are 1-64 of [a-z0-9_-], separated by '/' or '.')"
    std::string message(std::string_view input) const;
};

// XXH3-64 of `canonical` and its 16-bit fold (see above). The input must already be canonical.
std::uint64_t name_hash64(std::string_view canonical) noexcept;
std::uint16_t fold_hash16(std::uint64_t hash64) noexcept;

class ChannelName {
public:
    // Canonicalises and validates `text`. std::nullopt with `check` describing the problem.
    static std::optional<ChannelName> parse(std::string_view text, NameCheck* check = nullptr);
    // parse(), throwing std::invalid_argument with check.message() on a bad name.
    static ChannelName from(std::string_view text);

    const std::string& str() const noexcept { return canonical_; }
    std::uint64_t hash64() const noexcept { return hash64_; }
    std::uint16_t hash16() const noexcept { return hash16_; }

    friend bool operator==(const ChannelName& a, const ChannelName& b) noexcept
    {
        return a.hash64_ == b.hash64_ && a.canonical_ == b.canonical_;
    }

private:
    ChannelName() = default;
    std::string canonical_;
    std::uint64_t hash64_ = 0;
    std::uint16_t hash16_ = 0;
};

// Validation without building a name: the canonical form written to `out` (cleared first).
NameCheck canonicalize(std::string_view text, std::string& out);

}  // namespace net::kernel::channel
