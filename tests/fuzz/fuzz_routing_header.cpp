// Fuzzes the 18-byte routing header decoder and the forwarders' in-place rewrite (bytes from the
// network). A header that decodes must re-encode to the same bytes; a refused rewrite must leave
// the bytes unchanged; an accepted one moves exactly one unit from ttl to hop_count.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "net/kernel/wire/routing_header.hpp"

namespace wire = net::kernel::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto header = wire::decode_routing(std::span<const std::uint8_t>(data, size));
    std::vector<std::uint8_t> copy(data, data + size);
    const auto forwarded = wire::forward_in_place(copy);
    if (!header) {
        if (header.error() == wire::WireError::none || forwarded) __builtin_trap();
        if (std::memcmp(copy.data(), data, size) != 0) __builtin_trap();
        return 0;
    }
    std::array<std::uint8_t, wire::kRoutingHeaderSize> again{};
    if (!wire::encode(*header, again)) __builtin_trap();
    if (std::memcmp(again.data(), data, again.size()) != 0) __builtin_trap();

    if (forwarded) {
        if (forwarded->ttl + 1 != header->ttl || forwarded->hop_count != header->hop_count + 1) __builtin_trap();
        const auto reread = wire::decode_routing(copy);
        if (!reread || !(*reread == *forwarded)) __builtin_trap();
    } else if (std::memcmp(copy.data(), data, size) != 0) {
        __builtin_trap();
    }
    return 0;
}
