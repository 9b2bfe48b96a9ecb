#include "net/kernel/admin/payload_json.hpp"

#include <string>

#include "net/kernel/wire/hex.hpp"

namespace net::kernel::admin {

bool is_valid_utf8(std::span<const std::uint8_t> bytes) noexcept
{
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::uint8_t b = bytes[i];
        std::size_t extra = 0;
        std::uint32_t code = 0;
        if (b < 0x80) {
            ++i;
            continue;
        }
        if ((b & 0xE0) == 0xC0) {
            extra = 1;
            code = b & 0x1Fu;
        } else if ((b & 0xF0) == 0xE0) {
            extra = 2;
            code = b & 0x0Fu;
        } else if ((b & 0xF8) == 0xF0) {
            extra = 3;
            code = b & 0x07u;
        } else {
            return false;
        }
        if (i + extra >= bytes.size()) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            if ((bytes[i + k] & 0xC0) != 0x80) return false;
            code = (code << 6) | (bytes[i + k] & 0x3Fu);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000) ||
            (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

void put_payload(nlohmann::json& into, std::span<const std::uint8_t> bytes)
{
    if (is_valid_utf8(bytes)) {
        into["payload"] = std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        return;
    }
    into["payload_hex"] = wire::hex_string(bytes);
}

}  // namespace net::kernel::admin
