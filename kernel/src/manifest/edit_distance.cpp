// Levenshtein distance (two-row dynamic programme) and typo suggestions.
#include "manifest/edit_distance.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "manifest/json_text.hpp"

namespace net::kernel {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
    if (a.size() < b.size()) std::swap(a, b);
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    std::iota(prev.begin(), prev.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> closest_match(std::string_view typed, std::span<const std::string> candidates)
{
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& candidate : candidates) {
        const std::size_t limit = std::max<std::size_t>(2, candidate.size() / 3);
        // The length difference is a lower bound; it keeps hostile multi-megabyte keys cheap.
        const std::size_t gap =
            typed.size() > candidate.size() ? typed.size() - candidate.size() : candidate.size() - typed.size();
        if (gap > limit || candidate == typed) continue;
        const std::size_t d = edit_distance(typed, candidate);
        if (d <= limit && (!best || d < best_distance)) {
            best = candidate;
            best_distance = d;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view typed, std::span<const std::string> candidates)
{
    auto match = closest_match(typed, candidates);
    if (!match) return {};
    return " (did you mean " + quote_for_message(*match) + "?)";
}

}  // namespace net::kernel
