// The bus-redex record decoder on arbitrary entry bytes: never crashes, accepts only records with
// the current version and zero reserved bytes, and what it accepts re-encodes to the same header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bus_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    using namespace net::bus_redex;
    RecordHeader h;
    std::string why;
    const net_status_t s = decode_record_header({bytes, size}, h, why);
    if (s != NET_OK) {
        if (s != NET_E_MALFORMED || why.empty()) std::abort();
        return 0;
    }
    if (size < kRecordHeaderSize) std::abort();
    const net_bus_event_t event{h.dedup_id, h.producer_id, h.producer_sequence, h.channel_hash, 0, nullptr};
    std::uint8_t again[kRecordHeaderSize];
    encode_record_header(event, std::span<std::uint8_t, kRecordHeaderSize>(again));
    if (std::memcmp(again, bytes, kRecordHeaderSize) != 0) std::abort();
    return 0;
}
