// Channel names: canonical form, validation, hashes.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <stdexcept>

#include "net/kernel/channel/channel_name.hpp"

namespace net::kernel::channel {

std::string_view name_error_name(NameError error) noexcept
{
    switch (error) {
        case NameError::none: return "none";
        case NameError::empty: return "empty";
        case NameError::too_long: return "too_long";
        case NameError::bad_character: return "bad_character";
        case NameError::empty_segment: return "empty_segment";
        case NameError::segment_too_long: return "segment_too_long";
        case NameError::too_many_segments: return "too_many_segments";
        case NameError::reserved_hash: return "reserved_hash";
    }
    return "unknown";
}

std::string NameCheck::message(std::string_view input) const
{
    std::string what;
    switch (error) {
        case NameError::none: return "ok";
        case NameError::empty: what = "is empty"; break;
        case NameError::too_long: what = "is longer than 255 bytes"; break;
        case NameError::bad_character: what = "has a character other than a-z, 0-9, '_', '-', '/', '.'"; break;
        case NameError::empty_segment: what = "has an empty segment (leading, trailing or doubled separator)"; break;
        case NameError::segment_too_long: what = "has a segment longer than 64 characters"; break;
        case NameError::too_many_segments: what = "has more than 16 segments"; break;
        case NameError::reserved_hash: what = "hashes to the reserved wildcard value 0"; break;
    }
    std::string shown(input.substr(0, 80));
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    return "channel name \"" + shown + (input.size() > 80 ? "...\"" : "\"") + " " + what + " at offset " +
           std::to_string(offset) + " (segments of 1-64 of [a-z0-9_-], separated by '/' or '.')";
}

std::uint64_t name_hash64(std::string_view canonical) noexcept
{
    return XXH3_64bits(canonical.data(), canonical.size());
}

std::uint16_t fold_hash16(std::uint64_t h) noexcept
{
    const auto folded = static_cast<std::uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
    return folded == 0 ? 1 : folded;
}

NameCheck canonicalize(std::string_view text, std::string& out)
{
    out.clear();
    if (text.empty()) return {NameError::empty, 0};
    if (text.size() > kMaxNameLength) return {NameError::too_long, kMaxNameLength};
    out.reserve(text.size());
    std::size_t segment_start = 0;
    std::size_t segments = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '/' || c == '.') {
            if (i == segment_start) return {NameError::empty_segment, i};
            if (++segments > kMaxSegments) return {NameError::too_many_segments, i};
            out.push_back('/');
            segment_start = i + 1;
            continue;
        }
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!allowed) return {NameError::bad_character, i};
        if (i - segment_start >= kMaxSegmentLength) return {NameError::segment_too_long, i};
        out.push_back(c);
    }
    if (segment_start == text.size()) return {NameError::empty_segment, text.size()};
    if (name_hash64(out) == 0) return {NameError::reserved_hash, 0};
    return {};
}

std::optional<ChannelName> ChannelName::parse(std::string_view text, NameCheck* check)
{
    ChannelName name;
    const NameCheck result = canonicalize(text, name.canonical_);
    if (check != nullptr) *check = result;
    if (!result.ok()) return std::nullopt;
    name.hash64_ = name_hash64(name.canonical_);
    name.hash16_ = fold_hash16(name.hash64_);
    return name;
}

ChannelName ChannelName::from(std::string_view text)
{
    NameCheck check;
    auto name = parse(text, &check);
    if (!name) throw std::invalid_argument(check.message(text));
    return std::move(*name);
}

}  // namespace net::kernel::channel
