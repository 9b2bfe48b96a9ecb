// identifiers.cpp — hand-written matchers (std::regex would do, at the cost of its compile time and
// of GCC 12's -Wmaybe-uninitialized false positives in <regex> under the sanitizers).
#include "identifiers.hpp"

#include <algorithm>

namespace net::conformance {

namespace {

bool is_lower_alnum(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}
bool is_ident_char(char c) noexcept
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// 0 or a run of digits without a leading zero.
bool is_number(std::string_view s) noexcept
{
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit) && (s.size() == 1 || s[0] != '0');
}

// Splits `s` at `sep` and applies `part` to each piece; false when any piece fails.
template <class Part>
bool each_part(std::string_view s, char sep, Part&& part)
{
    for (;;) {
        const std::size_t at = s.find(sep);
        if (!part(s.substr(0, at))) return false;
        if (at == std::string_view::npos) return true;
        s.remove_prefix(at + 1);
    }
}

// A dot-separated pre-release or build identifier list.
bool is_identifiers(std::string_view s, bool numeric_without_leading_zero) noexcept
{
    return each_part(s, '.', [&](std::string_view id) {
        if (id.empty() || !std::all_of(id.begin(), id.end(), is_ident_char)) return false;
        const bool numeric = std::all_of(id.begin(), id.end(), is_digit);
        return !(numeric_without_leading_zero && numeric && !is_number(id));
    });
}

}  // namespace

bool is_reverse_dns(std::string_view id) noexcept
{
    bool first = true;
    std::size_t labels = 0;
    const bool ok = each_part(id, '.', [&](std::string_view label) {
        ++labels;
        const bool label_ok = !label.empty() && std::all_of(label.begin(), label.end(), [&](char c) {
            return is_lower_alnum(c) || (!first && (c == '_' || c == '-'));
        });
        first = false;
        return label_ok;
    });
    return ok && labels >= 2;
}

bool is_interface_id(std::string_view id) noexcept
{
    const std::size_t slash = id.rfind('/');
    return slash != std::string_view::npos && is_reverse_dns(id.substr(0, slash)) && is_number(id.substr(slash + 1));
}

bool is_semver(std::string_view version) noexcept
{
    std::string_view core = version;
    std::string_view pre;
    std::string_view build;
    if (const std::size_t plus = core.find('+'); plus != std::string_view::npos) {
        build = core.substr(plus + 1);
        core = core.substr(0, plus);
        if (!is_identifiers(build, false)) return false;
    }
    if (const std::size_t dash = core.find('-'); dash != std::string_view::npos) {
        pre = core.substr(dash + 1);
        core = core.substr(0, dash);
        if (!is_identifiers(pre, true)) return false;
    }
    std::size_t parts = 0;
    return each_part(core, '.', [&](std::string_view n) { return ++parts <= 3 && is_number(n); }) && parts == 3;
}

}  // namespace net::conformance
