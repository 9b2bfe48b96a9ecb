// The payloads of "stream" control packets (flag NACK), docs/reliability.md "Control packets".
// All integers little-endian. Byte 0 is the kind:
//
//   ack   (17 bytes): [0x01][next_expected u64][credit_limit u64]
//   nack  (25 bytes): [0x02][next_expected u64][missing u64][credit_limit u64]
//                     bytes 1..16 are the 16-byte selective NACK
//   reset ( 1 byte ): [0x03]
//
// next_expected: every data sequence below it has been delivered (a cumulative ack).
// missing: bit i (i = 0 is the least significant) set <=> sequence next_expected + 1 + i has not
//   arrived; next_expected itself is always missing in a nack. Bits above the highest sequence
//   received are 0.
// credit_limit: the sender may have accepted payload bytes up to this cumulative count (bytes
//   delivered by the receiver + its credit window). Only ever grows; a smaller value is ignored.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/buffer.h"

namespace net::reliability {

enum class ControlKind : std::uint8_t { ack = 1, nack = 2, reset = 3 };

struct ControlMessage {
    ControlKind kind = ControlKind::ack;
    std::uint64_t next_expected = 0;
    std::uint64_t missing = 0;  // nack only
    std::uint64_t credit_limit = 0;
};

constexpr std::size_t kAckBytes = 17;
constexpr std::size_t kNackBytes = 25;
constexpr std::size_t kResetBytes = 1;
constexpr std::size_t kSelectiveNackBytes = 16;
constexpr std::size_t kMaxControlBytes = kNackBytes;

// Writes `message` into `out`; returns the number of bytes used.
std::size_t encode_control(const ControlMessage& message, std::array<std::uint8_t, kMaxControlBytes>& out) noexcept;

// Reads a control payload; nullopt for an unknown kind or a size that does not match the kind.
std::optional<ControlMessage> decode_control(net_bytes_t payload) noexcept;

// The 16-byte selective NACK on its own: next_expected then the missing bitmap.
void encode_selective_nack(std::uint64_t next_expected, std::uint64_t missing, std::uint8_t* out16) noexcept;
void decode_selective_nack(const std::uint8_t* in16, std::uint64_t& next_expected, std::uint64_t& missing) noexcept;

}  // namespace net::reliability
