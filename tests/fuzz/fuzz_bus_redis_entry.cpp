// The bus-redis entry decoder (plugins/bus-redis/src/entry_format.hpp) on arbitrary field lists:
// never crashes, and whatever it accepts re-encodes to the same values; entry ids likewise.
// Input: repeated [u8 length][bytes] tokens, read as field, value, field, value, ...
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "entry_format.hpp"

using namespace net::bus_redis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    std::vector<std::string_view> tokens;
    for (std::size_t at = 0; at < size;) {
        const std::size_t len = std::min<std::size_t>(bytes[at], size - at - 1);
        tokens.emplace_back(reinterpret_cast<const char*>(bytes + at + 1), len);
        at += 1 + len;
    }
    std::vector<FieldValue> fields;
    for (std::size_t i = 0; i + 1 < tokens.size(); i += 2) fields.push_back({tokens[i], tokens[i + 1]});

    std::string why;
    const auto e = decode_entry(fields, &why);
    if (!e) {
        if (why.empty()) std::abort();
    } else {
        const auto* begin = reinterpret_cast<const char*>(bytes);
        if (!e->payload.empty() && (e->payload.data() < begin || e->payload.data() + e->payload.size() > begin + size)) std::abort();
        EncodedMeta m;
        encode_meta(e->dedup_id, e->producer_id, e->producer_sequence, e->channel_hash, e->timestamp_ns, m);
        const std::vector<FieldValue> again = {{kFieldDedupId, m.dedup_id},           {kFieldProducerId, m.producer_id},
                                               {kFieldProducerSequence, m.producer_sequence}, {kFieldChannelHash, m.channel_hash},
                                               {kFieldTimestampNs, m.timestamp_ns},   {kFieldPayload, e->payload}};
        const auto round = decode_entry(again, nullptr);
        if (!round || round->dedup_id != e->dedup_id || round->producer_id != e->producer_id ||
            round->producer_sequence != e->producer_sequence || round->channel_hash != e->channel_hash ||
            round->timestamp_ns != e->timestamp_ns || round->payload != e->payload) {
            std::abort();
        }
    }
    if (!tokens.empty()) {
        if (const auto id = parse_entry_id(tokens[0])) {
            const auto back = parse_entry_id(format_entry_id(*id));
            if (!back || back->ms != id->ms || back->seq != id->seq) std::abort();
        }
    }
    return 0;
}
