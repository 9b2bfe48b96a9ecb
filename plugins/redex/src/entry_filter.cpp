#include "entry_filter.hpp"

#include <algorithm>

namespace net::redex {

EntryFilter::EntryFilter(FilterSpec spec) : spec_(std::move(spec))
{
    everything_ = !spec_.min_timestamp_ns && !spec_.max_timestamp_ns && spec_.prefix.empty() && spec_.contains.empty();
    if (!spec_.contains.empty()) searcher_.emplace(spec_.contains.cbegin(), spec_.contains.cend());
}

bool EntryFilter::passes_timestamp(std::int64_t timestamp_ns) const noexcept
{
    if (spec_.min_timestamp_ns && timestamp_ns < *spec_.min_timestamp_ns) return false;
    if (spec_.max_timestamp_ns && timestamp_ns > *spec_.max_timestamp_ns) return false;
    return true;
}

bool EntryFilter::passes_payload(std::span<const std::uint8_t> payload) const
{
    if (!spec_.prefix.empty() &&
        (payload.size() < spec_.prefix.size() || !std::equal(spec_.prefix.begin(), spec_.prefix.end(), payload.begin()))) {
        return false;
    }
    if (searcher_) return std::search(payload.begin(), payload.end(), *searcher_) != payload.end();
    return true;
}

}  // namespace net::redex
