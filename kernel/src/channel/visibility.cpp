// Subnet ids and the visibility rule.
#include "net/kernel/channel/visibility.hpp"

namespace net::kernel::channel {

std::string_view visibility_name(Visibility v) noexcept
{
    switch (v) {
        case Visibility::subnet_local: return "subnet-local";
        case Visibility::parent_visible: return "parent-visible";
        case Visibility::exported: return "exported";
        case Visibility::global: return "global";
    }
    return "unknown";
}

std::optional<Visibility> parse_visibility(std::string_view text) noexcept
{
    for (std::uint8_t b = 0; b <= 3; ++b) {
        const auto v = static_cast<Visibility>(b);
        const std::string_view name = visibility_name(v);
        if (text.size() != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i) {
            same = text[i] == name[i] || (name[i] == '-' && text[i] == '_');
        }
        if (same) return v;
    }
    return std::nullopt;
}

std::optional<Visibility> visibility_from_byte(std::uint8_t b) noexcept
{
    if (b > 3) return std::nullopt;
    return static_cast<Visibility>(b);
}

std::optional<SubnetId> SubnetId::from_u32(std::uint32_t packed) noexcept
{
    bool ended = false;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const auto level = (packed >> shift) & 0xFFu;
        if (level == 0) {
            ended = true;
        } else if (ended) {
            return std::nullopt;
        }
    }
    return SubnetId(packed);
}

std::optional<SubnetId> SubnetId::parse(std::string_view text) noexcept
{
    if (text == "0") return root();
    if (text.empty()) return std::nullopt;
    std::uint32_t packed = 0;
    unsigned levels = 0;
    std::size_t i = 0;
    while (true) {
        unsigned value = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            if (++digits > 3) return std::nullopt;
            ++i;
        }
        if (digits == 0 || value == 0 || value > 255 || levels == kMaxLevels) return std::nullopt;
        packed |= value << (24 - 8 * levels);
        ++levels;
        if (i == text.size()) break;
        if (text[i] != '.') return std::nullopt;
        ++i;
    }
    return SubnetId(packed);
}

unsigned SubnetId::depth() const noexcept
{
    unsigned d = 0;
    for (int shift = 24; shift >= 0 && ((value_ >> shift) & 0xFFu) != 0; shift -= 8) ++d;
    return d;
}

SubnetId SubnetId::parent() const noexcept
{
    const unsigned d = depth();
    if (d == 0) return *this;
    return SubnetId(value_ & ~(0xFFu << (24 - 8 * (d - 1))));
}

bool SubnetId::contains(SubnetId other) const noexcept
{
    const unsigned d = depth();
    if (d == 0) return true;
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - 8 * d);
    return (other.value_ & mask) == value_;
}

std::string SubnetId::str() const
{
    if (value_ == 0) return "0";
    std::string out;
    for (int shift = 24; shift >= 0; shift -= 8) {
        const auto level = (value_ >> shift) & 0xFFu;
        if (level == 0) break;
        if (!out.empty()) out.push_back('.');
        out += std::to_string(level);
    }
    return out;
}

bool visible(Visibility v, SubnetId publisher, SubnetId subscriber) noexcept
{
    switch (v) {
        case Visibility::subnet_local: return subscriber == publisher;
        case Visibility::parent_visible: return subscriber == publisher || subscriber == publisher.parent();
        case Visibility::exported: return publisher.parent().contains(subscriber);
        case Visibility::global: return true;
    }
    return false;
}

}  // namespace net::kernel::channel
