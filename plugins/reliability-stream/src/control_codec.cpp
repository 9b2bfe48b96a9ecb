#include "control_codec.hpp"

namespace net::reliability {

namespace {

void put_u64_le(std::uint8_t* out, std::uint64_t v) noexcept
{
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint64_t get_u64_le(const std::uint8_t* in) noexcept
{
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(in[i]) << (8 * i);
    return v;
}

}  // namespace

void encode_selective_nack(std::uint64_t next_expected, std::uint64_t missing, std::uint8_t* out16) noexcept
{
    put_u64_le(out16, next_expected);
    put_u64_le(out16 + 8, missing);
}

void decode_selective_nack(const std::uint8_t* in16, std::uint64_t& next_expected, std::uint64_t& missing) noexcept
{
    next_expected = get_u64_le(in16);
    missing = get_u64_le(in16 + 8);
}

std::size_t encode_control(const ControlMessage& message, std::array<std::uint8_t, kMaxControlBytes>& out) noexcept
{
    out[0] = static_cast<std::uint8_t>(message.kind);
    switch (message.kind) {
    case ControlKind::ack:
        put_u64_le(&out[1], message.next_expected);
        put_u64_le(&out[9], message.credit_limit);
        return kAckBytes;
    case ControlKind::nack:
        encode_selective_nack(message.next_expected, message.missing, &out[1]);
        put_u64_le(&out[1 + kSelectiveNackBytes], message.credit_limit);
        return kNackBytes;
    case ControlKind::reset:
        return kResetBytes;
    }
    return 0;
}

std::optional<ControlMessage> decode_control(net_bytes_t payload) noexcept
{
    if (payload.ptr == nullptr || payload.len == 0) return std::nullopt;
    const std::uint8_t* p = payload.ptr;
    ControlMessage m;
    switch (p[0]) {
    case static_cast<std::uint8_t>(ControlKind::ack):
        if (payload.len != kAckBytes) return std::nullopt;
        m.kind = ControlKind::ack;
        m.next_expected = get_u64_le(p + 1);
        m.credit_limit = get_u64_le(p + 9);
        return m;
    case static_cast<std::uint8_t>(ControlKind::nack):
        if (payload.len != kNackBytes) return std::nullopt;
        m.kind = ControlKind::nack;
        decode_selective_nack(p + 1, m.next_expected, m.missing);
        m.credit_limit = get_u64_le(p + 1 + kSelectiveNackBytes);
        return m;
    case static_cast<std::uint8_t>(ControlKind::reset):
        if (payload.len != kResetBytes) return std::nullopt;
        m.kind = ControlKind::reset;
        return m;
    default:
        return std::nullopt;
    }
}

}  // namespace net::reliability
