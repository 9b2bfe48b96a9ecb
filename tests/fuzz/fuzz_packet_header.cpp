// Fuzzes the 64-byte packet header decoders (bytes from the network). Any input must decode or
// fail with a WireError, never crash; a header that decodes must re-encode to the same 64 bytes,
// and the relay rewrite must keep it decodable.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "net/kernel/wire/packet_header.hpp"

namespace wire = net::kernel::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::span<const std::uint8_t> bytes(data, size);
    const auto header = wire::decode(bytes);
    (void)wire::decode_packet(bytes);
    if (size >= wire::kPacketHeaderSize) {
        wire::PacketHeader fields;
        wire::detail::decode_fields(data, fields);
        const bool ok = wire::check(fields).ok();
        if (header.ok() != ok || (wire::detail::passes_common_case(data) && !ok)) __builtin_trap();
    }
    if (!header) {
        if (header.error() == wire::WireError::none) __builtin_trap();
        return 0;
    }
    if (!wire::check(*header)) __builtin_trap();

    std::array<std::uint8_t, wire::kPacketHeaderSize> again{};
    wire::encode(*header, again);
    if (std::memcmp(again.data(), data, again.size()) != 0) __builtin_trap();

    std::array<std::uint8_t, wire::kAssociatedDataSize> ad{};
    wire::build_associated_data(std::span<const std::uint8_t, 64>(data, 64), ad);
    std::array<std::uint8_t, wire::kAssociatedDataSize> ad2{};
    wire::build_associated_data(*header, ad2);
    if (ad != ad2) __builtin_trap();

    if (wire::relay_increment_hop(again)) {
        const auto relayed = wire::decode(again);
        if (!relayed || relayed->hop_count != header->hop_count + 1) __builtin_trap();
    } else if (again[wire::packet_offset::hop_count] != header->hop_count) {
        __builtin_trap();
    }
    return 0;
}
