// net/kernel/session/session_frame.hpp — PROVISIONAL byte layouts of handshake and data messages,
// used until the sessions move onto the 64-byte wire packet header (wire/packet_header.hpp).
//
// Data packet:  [epoch u8][counter u64 LE][ciphertext + 16-byte tag]
//   AEAD associated data: [session id u64 LE][epoch u8][counter u64 LE]
//   AEAD nonce: the direction's 4-byte prefix + counter (PacketCipher)
// Initiation:   [kind=1][version=1][suite u8][len u8][initiator id][len u8][responder id]
//               [Noise NKpsk0 message 1: e (32) + encrypted empty payload (16)]
// Response:     [kind=2][version=1][suite u8][Noise message 2: e (32) + tag (16)]
//
// The cleartext suite and ids only let a node give a clear reason for a mismatch; they are bound
// by the prologue, so changing them on the way fails authentication. Suite: 1 ChaChaPoly, 2 AESGCM.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/crypto/packet_cipher.hpp"
#include "net/kernel/session/session_config.hpp"
#include "net/kernel/session/session_result.hpp"
#include "net/kernel/wire/packet_header.hpp"

namespace net::kernel::session {

inline constexpr std::size_t kDataHeaderSize = 9;
inline constexpr std::size_t kDataAdSize = 17;
inline constexpr std::size_t kMinDataPacket = kDataHeaderSize + crypto::PacketCipher::tag_size;
inline constexpr std::size_t kMaxDataPacket = wire::kMaxPacketSize;
inline constexpr std::size_t kMaxSealPayload = kMaxDataPacket - kMinDataPacket;

inline constexpr std::uint8_t kFrameVersion = 1;
inline constexpr std::uint8_t kKindInitiation = 1;
inline constexpr std::uint8_t kKindResponse = 2;
inline constexpr std::size_t kNoiseMessageSize = 48;  // both NKpsk0 messages with an empty payload
inline constexpr std::size_t kMaxHandshakeFrame = 1024;

struct DataHeader {
    std::uint8_t epoch = 0;
    std::uint64_t counter = 0;
};

void encode_data_header(const DataHeader& h, std::uint8_t* out) noexcept;
DataHeader decode_data_header(const std::uint8_t* in) noexcept;
std::array<std::uint8_t, kDataAdSize> data_associated_data(std::uint64_t session_id, const DataHeader& h) noexcept;

std::uint8_t suite_code(crypto::NoiseCipher suite) noexcept;

struct Initiation {
    std::uint8_t suite = 0;  // as on the wire; may name no suite we know
    std::span<const std::uint8_t> initiator_id;
    std::span<const std::uint8_t> responder_id;
    std::span<const std::uint8_t> noise_message;
};

struct Response {
    std::uint8_t suite = 0;
    std::span<const std::uint8_t> noise_message;
};

// Appends the frame header; the caller appends the Noise message.
void encode_initiation_header(crypto::NoiseCipher suite, std::span<const std::uint8_t> initiator_id,
                              std::span<const std::uint8_t> responder_id, std::vector<std::uint8_t>& out);
void encode_response_header(crypto::NoiseCipher suite, std::vector<std::uint8_t>& out);

// Shape checks only (sizes, kind, version); spans view `bytes`.
SessionResult decode_initiation(std::span<const std::uint8_t> bytes, Initiation& out) noexcept;
SessionResult decode_response(std::span<const std::uint8_t> bytes, Response& out) noexcept;

// "net/session/v1" + [len][initiator id] + [len][responder id] + protocol name.
std::vector<std::uint8_t> handshake_prologue(std::span<const std::uint8_t> initiator_id,
                                             std::span<const std::uint8_t> responder_id, crypto::NoiseCipher suite);
std::string protocol_name(crypto::NoiseCipher suite);
std::string describe_suite(std::uint8_t code);
std::string describe_node_id(std::span<const std::uint8_t> id);

}  // namespace net::kernel::session
