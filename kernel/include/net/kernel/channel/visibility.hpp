// net/kernel/channel/visibility.hpp — subnets and channel visibility (docs/channels.md,
// "Subnets and visibility").
//
// A subnet id is a path of up to 4 levels, each 1..255, packed in a u32 with level 1 in the top
// byte: "10.3" is 0x0A030000. The root ("0", all zero) is the whole mesh. A level is zero only
// after the last used one, so 0x0A000300 is not a subnet id. A node's subnet comes from its
// configuration (ChannelsConfig::subnet, default root) and travels in membership messages.
//
// Visibility says which subscriber nodes (subnet S) get the events of a publisher in subnet P:
//   subnet_local    S == P
//   parent_visible  S == P, or S == parent(P)          (the publisher's subnet and the one above)
//   exported        S is parent(P) or inside it         (the parent's whole subtree: siblings too)
//   global          every node of the mesh
// Each reaches at least as far as the one before. For a publisher at the root, parent(P) == P,
// so subnet_local and parent_visible mean "root nodes only" and exported means everyone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace net::kernel::channel {

enum class Visibility : std::uint8_t { subnet_local = 0, parent_visible = 1, exported = 2, global = 3 };

// "subnet-local", "parent-visible", "exported", "global".
std::string_view visibility_name(Visibility v) noexcept;
std::optional<Visibility> parse_visibility(std::string_view text) noexcept;  // the names above, '_' for '-' too
std::optional<Visibility> visibility_from_byte(std::uint8_t b) noexcept;

class SubnetId {
public:
    static constexpr unsigned kMaxLevels = 4;

    constexpr SubnetId() = default;
    static constexpr SubnetId root() noexcept { return SubnetId(); }
    // A packed value; std::nullopt when a zero level is followed by a used one.
    static std::optional<SubnetId> from_u32(std::uint32_t packed) noexcept;
    // "0" (root), "10", "10.3.7"; each level 1..255; at most 4 levels.
    static std::optional<SubnetId> parse(std::string_view text) noexcept;

    constexpr std::uint32_t packed() const noexcept { return value_; }
    unsigned depth() const noexcept;       // 0 for the root
    SubnetId parent() const noexcept;      // the root's parent is the root
    bool contains(SubnetId other) const noexcept;  // other is this subnet or inside it
    std::string str() const;               // "10.3.7", "0" for the root

    friend constexpr bool operator==(SubnetId a, SubnetId b) noexcept { return a.value_ == b.value_; }

private:
    constexpr explicit SubnetId(std::uint32_t v) noexcept : value_(v) {}
    std::uint32_t value_ = 0;
};

// Whether a subscriber in `subscriber` may receive events of a publisher in `publisher` on a
// channel of visibility `v` (the table above).
bool visible(Visibility v, SubnetId publisher, SubnetId subscriber) noexcept;

}  // namespace net::kernel::channel
