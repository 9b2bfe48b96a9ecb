// session_frame.cpp — the handshake message layouts and the data packet nonce.
#include "net/kernel/session/session_frame.hpp"

#include <cstring>

#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::session {

namespace {
constexpr char kPrologueLabel[] = "net/session/v1";
constexpr char kHex[] = "0123456789abcdef";

// resize + memcpy rather than insert: GCC 12 reports a false stringop-overflow on the latter.
void append(std::vector<std::uint8_t>& out, const void* data, std::size_t size)
{
    const std::size_t at = out.size();
    out.resize(at + size);
    if (size != 0) std::memcpy(out.data() + at, data, size);
}

void append_id(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> id)
{
    const auto len = static_cast<std::uint8_t>(id.size());
    append(out, &len, 1);
    append(out, id.data(), id.size());
}
}  // namespace

std::array<std::uint8_t, wire::kNonceSize> data_nonce(std::span<const std::uint8_t, 4> prefix, std::uint8_t epoch,
                                                     std::uint64_t counter) noexcept
{
    std::array<std::uint8_t, wire::kNonceSize> nonce{};
    std::memcpy(nonce.data(), prefix.data(), prefix.size());
    wire::store_le(nonce.data() + 4, (std::uint64_t{epoch} << kEpochShift) | (counter & kCounterMask));
    return nonce;
}

std::uint8_t suite_code(crypto::NoiseCipher suite) noexcept
{
    return suite == crypto::NoiseCipher::chacha_poly ? 1 : 2;
}

void encode_initiation_header(crypto::NoiseCipher suite, std::span<const std::uint8_t> initiator_id,
                              std::span<const std::uint8_t> responder_id, std::vector<std::uint8_t>& out)
{
    out.clear();
    out.reserve(5 + initiator_id.size() + responder_id.size() + kNoiseMessageSize);
    out.push_back(kKindInitiation);
    out.push_back(kFrameVersion);
    out.push_back(suite_code(suite));
    append_id(out, initiator_id);
    append_id(out, responder_id);
}

void encode_response_header(crypto::NoiseCipher suite, std::vector<std::uint8_t>& out)
{
    out.clear();
    out.reserve(3 + kNoiseMessageSize);
    out.push_back(kKindResponse);
    out.push_back(kFrameVersion);
    out.push_back(suite_code(suite));
}

namespace {

SessionResult malformed(const char* reason) noexcept
{
    return SessionResult::failure(SessionError::malformed, reason);
}

// Checks kind and version, and that a fixed-size Noise message follows `at`.
SessionResult check_common(std::span<const std::uint8_t> bytes, std::uint8_t kind, const char* name) noexcept
{
    if (bytes.size() > kMaxHandshakeFrame) return malformed("handshake message oversized");
    if (bytes.size() < 3) return malformed("handshake message truncated");
    if (bytes[0] != kind) return malformed(name);
    if (bytes[1] != kFrameVersion) return malformed("handshake message has an unknown version");
    return SessionResult::success();
}

SessionResult take_noise(std::span<const std::uint8_t> rest, std::span<const std::uint8_t>& out) noexcept
{
    if (rest.size() < kNoiseMessageSize) return malformed("handshake message truncated");
    if (rest.size() > kNoiseMessageSize) return malformed("handshake message has trailing bytes");
    out = rest;
    return SessionResult::success();
}

}  // namespace

SessionResult decode_initiation(std::span<const std::uint8_t> bytes, Initiation& out) noexcept
{
    if (auto r = check_common(bytes, kKindInitiation, "not a handshake initiation"); !r) return r;
    out.suite = bytes[2];
    auto rest = bytes.subspan(3);
    for (auto* id : {&out.initiator_id, &out.responder_id}) {
        if (rest.empty() || rest.size() < 1u + rest[0]) return malformed("handshake message truncated");
        if (rest[0] == 0) return malformed("handshake message has an empty node id");
        *id = rest.subspan(1, rest[0]);
        rest = rest.subspan(1u + rest[0]);
    }
    return take_noise(rest, out.noise_message);
}

SessionResult decode_response(std::span<const std::uint8_t> bytes, Response& out) noexcept
{
    if (auto r = check_common(bytes, kKindResponse, "not a handshake response"); !r) return r;
    out.suite = bytes[2];
    return take_noise(bytes.subspan(3), out.noise_message);
}

std::string protocol_name(crypto::NoiseCipher suite)
{
    return std::string("Noise_NKpsk0_25519_") + crypto::noise_cipher_name(suite) + "_BLAKE2b";
}

std::vector<std::uint8_t> handshake_prologue(std::span<const std::uint8_t> initiator_id,
                                             std::span<const std::uint8_t> responder_id, crypto::NoiseCipher suite)
{
    const std::string name = protocol_name(suite);
    std::vector<std::uint8_t> p;
    p.reserve(sizeof(kPrologueLabel) + 2 + initiator_id.size() + responder_id.size() + name.size());
    append(p, kPrologueLabel, sizeof(kPrologueLabel) - 1);
    append_id(p, initiator_id);
    append_id(p, responder_id);
    append(p, name.data(), name.size());
    return p;
}

std::string describe_suite(std::uint8_t code)
{
    if (code == 1) return crypto::noise_cipher_name(crypto::NoiseCipher::chacha_poly);
    if (code == 2) return crypto::noise_cipher_name(crypto::NoiseCipher::aes_gcm);
    return "unknown suite " + std::to_string(code);
}

std::string describe_node_id(std::span<const std::uint8_t> id)
{
    std::string s = "0x";
    for (std::uint8_t b : id) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 0xF]);
    }
    return s;
}

}  // namespace net::kernel::session
