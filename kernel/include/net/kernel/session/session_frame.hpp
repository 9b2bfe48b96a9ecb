// net/kernel/session/session_frame.hpp — byte layouts of session data packets and handshake messages.
//
// Data packet:  [64-byte wire header (wire/packet_header.hpp)][ciphertext + 16-byte tag]
//   header.session_id = the session id; header.payload_length = ciphertext + tag.
//   header.nonce = [4-byte direction prefix][u64 LE: epoch << 56 | counter] — exactly the AEAD
//   nonce, so the receiver reads the epoch from its top byte and the replay counter from the rest.
//   AEAD associated data: the 64 header bytes with the nonce and hop count zeroed (relays change
//   the hop count; the nonce is authenticated as the nonce).
// Handshake messages travel as the payload of a packet whose header has the handshake flag and
// session id 0 (the mesh core builds it); their own layout:
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

inline constexpr std::size_t kMinDataPacket = wire::kPacketHeaderSize + crypto::PacketCipher::tag_size;
inline constexpr std::size_t kMaxDataPacket = wire::kMaxPacketSize;
inline constexpr std::size_t kMaxSealPayload = kMaxDataPacket - kMinDataPacket;
// The nonce's 64-bit counter field: the epoch in the top byte, the packet counter below it.
inline constexpr unsigned kEpochShift = 56;
inline constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << kEpochShift) - 1;
// Packets per epoch: a direction rekeys before its counter reaches this.
inline constexpr std::uint64_t kMaxPacketsPerEpoch = kCounterMask;

inline constexpr std::uint8_t kFrameVersion = 1;
inline constexpr std::uint8_t kKindInitiation = 1;
inline constexpr std::uint8_t kKindResponse = 2;
inline constexpr std::size_t kNoiseMessageSize = 48;  // both NKpsk0 messages with an empty payload
inline constexpr std::size_t kMaxHandshakeFrame = 1024;

// The header nonce of packet `counter` of `epoch` in a direction with nonce prefix `prefix`.
std::array<std::uint8_t, wire::kNonceSize> data_nonce(std::span<const std::uint8_t, 4> prefix, std::uint8_t epoch,
                                                     std::uint64_t counter) noexcept;

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
