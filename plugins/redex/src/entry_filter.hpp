// A reader's filter, compiled once (pattern copied, searcher built) and then applied per entry.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace net::redex {

struct FilterSpec {
    std::optional<std::int64_t> min_timestamp_ns;
    std::optional<std::int64_t> max_timestamp_ns;
    std::vector<std::uint8_t> prefix;    // empty: no prefix condition
    std::vector<std::uint8_t> contains;  // empty: no substring condition
};

class EntryFilter {
public:
    EntryFilter() = default;  // passes everything
    explicit EntryFilter(FilterSpec spec);

    bool passes_everything() const noexcept { return everything_; }
    bool wants_payload() const noexcept { return !spec_.prefix.empty() || !spec_.contains.empty(); }
    bool passes_timestamp(std::int64_t timestamp_ns) const noexcept;
    bool passes_payload(std::span<const std::uint8_t> payload) const;

private:
    using Searcher = std::boyer_moore_horspool_searcher<std::vector<std::uint8_t>::const_iterator>;

    FilterSpec spec_;
    std::optional<Searcher> searcher_;
    bool everything_ = true;
};

}  // namespace net::redex
