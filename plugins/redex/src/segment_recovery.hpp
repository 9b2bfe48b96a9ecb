// Recovery of one segment from its file contents: which entries are intact, and how long each
// file must be cut to hold exactly those. Pure (bytes in, verdict out) so a fuzzer can drive it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace net::redex {

// Where one intact entry lives in its segment.
struct EntryLocation {
    std::uint64_t data_offset = 0;
    std::uint32_t length = 0;
    std::uint8_t flags = 0;
    std::int64_t timestamp_ns = 0;
};

enum class Damage {
    none,
    torn_tail,  // only trailing records are bad: an interrupted append, silently repaired
    corrupt,    // a bad record is followed by an intact one, or the header is bad: reported
};

struct SegmentRecovery {
    std::optional<std::uint64_t> base_sequence;  // empty when the header is missing or invalid
    std::vector<EntryLocation> entries;          // the intact prefix
    std::uint64_t index_bytes = 0;               // lengths to truncate the files to
    std::uint64_t data_bytes = 0;
    std::uint64_t timestamp_bytes = 0;
    std::uint64_t discarded_records = 0;         // whole or partial index records dropped
    Damage damage = Damage::none;
    std::string detail;                          // why, for the log; empty when undamaged
};

// Validates a segment: header, then each record in order (its own check, contiguous offsets,
// data within the data file, payload checksum, timestamp present). Stops at the first bad record.
// `expected_base`, when given, must equal the header's base sequence.
SegmentRecovery recover_segment(std::span<const std::uint8_t> index, std::span<const std::uint8_t> data,
                                std::span<const std::uint8_t> timestamps,
                                std::optional<std::uint64_t> expected_base = std::nullopt);

}  // namespace net::redex
