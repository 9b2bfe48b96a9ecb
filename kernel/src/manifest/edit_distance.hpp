// Levenshtein distance and "did you mean" suggestions for misspelt keys and names.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace net::kernel {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `typed`, if it is close enough to be a plausible typo:
// distance <= max(2, candidate.size() / 3). Ties go to the earlier candidate.
std::optional<std::string> closest_match(std::string_view typed, std::span<const std::string> candidates);

// " (did you mean \"x\"?)" or "" when nothing is close.
std::string did_you_mean(std::string_view typed, std::span<const std::string> candidates);

}  // namespace net::kernel
