// net/kernel/admin/payload_json.hpp — event bytes in admin answers: {"payload": text} when the
// bytes are valid UTF-8, else {"payload_hex": "..."}, so every answer stays valid JSON.
#pragma once

#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

namespace net::kernel::admin {

bool is_valid_utf8(std::span<const std::uint8_t> bytes) noexcept;

// Sets "payload" or "payload_hex" in `into` (an object).
void put_payload(nlohmann::json& into, std::span<const std::uint8_t> bytes);

}  // namespace net::kernel::admin
