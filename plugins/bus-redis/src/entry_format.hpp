// The fields of one stream entry (docs/bus-redis.md, "Entry format"): what write_batch stores per
// event and what read decodes. Pure functions, no Redis and no SDK, so tests and the fuzz target
// drive them directly.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace net::bus_redis {

inline constexpr std::string_view kFieldDedupId = "dedup_id";                  // 16 lowercase hex digits
inline constexpr std::string_view kFieldProducerId = "producer_id";            // 16 lowercase hex digits
inline constexpr std::string_view kFieldProducerSequence = "producer_sequence"; // unsigned decimal
inline constexpr std::string_view kFieldChannelHash = "channel_hash";          // 16 lowercase hex digits
inline constexpr std::string_view kFieldTimestampNs = "timestamp_ns";          // signed decimal, ns since the epoch
inline constexpr std::string_view kFieldPayload = "payload";                   // the payload bytes, as they are

// The text of an event's five metadata values, formatted into one fixed array (no allocation).
struct EncodedMeta {
    std::array<char, 16 + 16 + 20 + 16 + 20> text{};
    std::string_view dedup_id, producer_id, producer_sequence, channel_hash, timestamp_ns;
};

void encode_meta(std::uint64_t dedup_id, std::uint64_t producer_id, std::uint64_t producer_sequence,
                 std::uint64_t channel_hash, std::int64_t timestamp_ns, EncodedMeta& out) noexcept;

// An entry read back. `payload` views the caller's field storage.
struct DecodedEntry {
    std::uint64_t dedup_id = 0;
    std::uint64_t producer_id = 0;
    std::uint64_t producer_sequence = 0;
    std::uint64_t channel_hash = 0;
    std::int64_t timestamp_ns = 0;
    std::string_view payload;
};

struct FieldValue {
    std::string_view field;
    std::string_view value;
};

// Decodes an entry's field/value pairs. Fields may come in any order; other field names are
// ignored. Returns the entry, or nullopt with *why set ("missing field payload", "field dedup_id:
// expected 16 hex digits, got \"xyz\"", "field timestamp_ns given twice").
std::optional<DecodedEntry> decode_entry(std::span<const FieldValue> fields, std::string* why);

// Stream entry ids "<ms>-<seq>" (both unsigned 64-bit decimal).
struct EntryId {
    std::uint64_t ms = 0;
    std::uint64_t seq = 0;
};
std::optional<EntryId> parse_entry_id(std::string_view text) noexcept;
std::string format_entry_id(EntryId id);
// The smallest id strictly after `id`; nullopt after the largest possible id.
std::optional<EntryId> next_entry_id(EntryId id) noexcept;

}  // namespace net::bus_redis
