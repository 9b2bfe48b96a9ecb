// The receive side's order: which sequence comes next, and copies of packets that arrived early.
// Bounded by packets (no further than max_ahead past next_expected) and by bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "net/buffer.h"

namespace net::reliability {

class ReorderBuffer {
public:
    enum class Admit { in_order, buffered, duplicate, beyond_window };

    struct Early {
        std::uint64_t sequence;
        std::uint16_t event_count;
        std::vector<std::uint8_t> payload;
    };

    ReorderBuffer(std::size_t max_bytes, std::uint64_t max_ahead) noexcept : max_bytes_(max_bytes), max_ahead_(max_ahead) {}

    // Classifies a data packet. `in_order`: the caller consumes it from its own bytes and then
    // calls advance(). `buffered`: a copy is kept until its turn. Nothing is kept otherwise.
    Admit admit(std::uint64_t sequence, net_bytes_t payload, std::uint16_t event_count);

    void advance() noexcept { ++next_expected_; }

    // The early packet whose turn it now is, if any (advances next_expected).
    std::optional<Early> pop_ready();

    std::uint64_t next_expected() const noexcept { return next_expected_; }
    bool has_gap() const noexcept { return !early_.empty(); }
    std::size_t buffered_bytes() const noexcept { return buffered_bytes_; }
    std::size_t buffered_packets() const noexcept { return early_.size(); }

    // Bit i set <=> next_expected + 1 + i is missing, up to the highest sequence buffered.
    std::uint64_t missing_bitmap() const noexcept;

    void clear() noexcept;

private:
    std::size_t max_bytes_;
    std::uint64_t max_ahead_;
    std::uint64_t next_expected_ = 0;
    std::size_t buffered_bytes_ = 0;
    std::map<std::uint64_t, Early> early_;
};

}  // namespace net::reliability
