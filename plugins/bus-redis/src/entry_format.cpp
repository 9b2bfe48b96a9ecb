#include "entry_format.hpp"

#include <charconv>

namespace net::bus_redis {
namespace {

std::string_view put_hex(char* at, std::uint64_t v) noexcept
{
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        at[i] = kDigits[v & 0xf];
        v >>= 4;
    }
    return {at, 16};
}

template <class Int>
std::string_view put_decimal(char* at, char* end, Int v) noexcept
{
    const auto r = std::to_chars(at, end, v);
    return {at, static_cast<std::size_t>(r.ptr - at)};
}

std::optional<std::uint64_t> hex64(std::string_view s) noexcept
{
    if (s.size() != 16) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        unsigned d = 0;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return std::nullopt;
        v = (v << 4) | d;
    }
    return v;
}

// Whole-string decimal (std::from_chars: no sign for unsigned, no '+', no spaces).
template <class Int>
std::optional<Int> decimal(std::string_view s) noexcept
{
    if (s.empty() || s.size() > 20) return std::nullopt;
    Int v{};
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string shown(std::string_view value)
{
    std::string out = "\"";
    for (char c : value.substr(0, 40)) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') {
            out += c;
        } else {
            static constexpr char kDigits[] = "0123456789abcdef";
            out += "\\x";
            out += kDigits[u >> 4];
            out += kDigits[u & 0xf];
        }
    }
    return out + (value.size() > 40 ? "\"..." : "\"");
}

}  // namespace

void encode_meta(std::uint64_t dedup_id, std::uint64_t producer_id, std::uint64_t producer_sequence,
                 std::uint64_t channel_hash, std::int64_t timestamp_ns, EncodedMeta& out) noexcept
{
    char* p = out.text.data();
    char* const end = p + out.text.size();
    out.dedup_id = put_hex(p, dedup_id);
    p += 16;
    out.producer_id = put_hex(p, producer_id);
    p += 16;
    out.producer_sequence = put_decimal(p, end, producer_sequence);
    p += out.producer_sequence.size();
    out.channel_hash = put_hex(p, channel_hash);
    p += 16;
    out.timestamp_ns = put_decimal(p, end, timestamp_ns);
}

std::optional<DecodedEntry> decode_entry(std::span<const FieldValue> fields, std::string* why)
{
    auto fail = [why](std::string message) -> std::optional<DecodedEntry> {
        if (why != nullptr) *why = std::move(message);
        return std::nullopt;
    };
    DecodedEntry e;
    enum : unsigned { kDedup = 1, kProducer = 2, kSequence = 4, kChannel = 8, kTimestamp = 16, kPayload = 32 };
    unsigned seen = 0;
    auto mark = [&](unsigned bit) {
        const bool again = (seen & bit) != 0;
        seen |= bit;
        return !again;
    };
    for (const FieldValue& f : fields) {
        if (f.field == kFieldDedupId || f.field == kFieldProducerId || f.field == kFieldChannelHash) {
            const unsigned bit = f.field == kFieldDedupId ? kDedup : f.field == kFieldProducerId ? kProducer : kChannel;
            if (!mark(bit)) return fail("field " + std::string(f.field) + " given twice");
            const auto v = hex64(f.value);
            if (!v) return fail("field " + std::string(f.field) + ": expected 16 hex digits, got " + shown(f.value));
            (bit == kDedup ? e.dedup_id : bit == kProducer ? e.producer_id : e.channel_hash) = *v;
        } else if (f.field == kFieldProducerSequence) {
            if (!mark(kSequence)) return fail("field producer_sequence given twice");
            const auto v = decimal<std::uint64_t>(f.value);
            if (!v) return fail("field producer_sequence: expected an unsigned decimal, got " + shown(f.value));
            e.producer_sequence = *v;
        } else if (f.field == kFieldTimestampNs) {
            if (!mark(kTimestamp)) return fail("field timestamp_ns given twice");
            const auto v = decimal<std::int64_t>(f.value);
            if (!v) return fail("field timestamp_ns: expected a signed decimal, got " + shown(f.value));
            e.timestamp_ns = *v;
        } else if (f.field == kFieldPayload) {
            if (!mark(kPayload)) return fail("field payload given twice");
            e.payload = f.value;
        }
    }
    static constexpr std::pair<unsigned, std::string_view> kRequired[] = {
        {kDedup, kFieldDedupId},         {kProducer, kFieldProducerId},   {kSequence, kFieldProducerSequence},
        {kChannel, kFieldChannelHash},   {kTimestamp, kFieldTimestampNs}, {kPayload, kFieldPayload}};
    for (const auto& [bit, name] : kRequired) {
        if ((seen & bit) == 0) return fail("missing field " + std::string(name));
    }
    return e;
}

std::optional<EntryId> parse_entry_id(std::string_view text) noexcept
{
    const std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto ms = decimal<std::uint64_t>(text.substr(0, dash));
    const auto seq = decimal<std::uint64_t>(text.substr(dash + 1));
    if (!ms || !seq) return std::nullopt;
    return EntryId{*ms, *seq};
}

std::string format_entry_id(EntryId id) { return std::to_string(id.ms) + "-" + std::to_string(id.seq); }

std::optional<EntryId> next_entry_id(EntryId id) noexcept
{
    if (id.seq != UINT64_MAX) return EntryId{id.ms, id.seq + 1};
    if (id.ms != UINT64_MAX) return EntryId{id.ms + 1, 0};
    return std::nullopt;
}

}  // namespace net::bus_redis
