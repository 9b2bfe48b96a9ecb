// net/kernel/session/session.hpp — an established session: seal and open data packets, rekey each
// direction on its own (counter threshold or age), keep the previous receive epoch for a grace
// period so packets in flight across a rekey still open.
//
// Keys: each direction keeps the Noise CipherState it got from split() as a key chain. The packet
// key of epoch 0 is the first 32 bytes of ENCRYPT(k, 0, "net/session packet key", zeros(32)) under
// that chain's key k; epoch n+1 first applies Noise REKEY to the chain (NoiseTransport::rekey_send /
// rekey_receive), then derives the same way. (Provisional: the Noise API does not expose the split
// keys themselves.) Nonce prefixes: BLAKE2b("net/session nonce i2r" or "... r2i" || h)[0..4).
// Session id: the first 8 bytes of the handshake hash h, little-endian. Epochs count mod 256.
//
// The receiver accepts the current epoch, the previous one within its grace period, and the next
// one (the sender's next REKEY); a next-epoch packet commits the new epoch only once its AEAD
// verified. Senders must not rekey twice before the peer saw a packet of the first rekey.
//
// Thread rule: [single-thread] — one thread drives a session at a time. Every call is noexcept.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "net/kernel/crypto/noise_protocol.hpp"
#include "net/kernel/crypto/noise_transport.hpp"
#include "net/kernel/crypto/packet_cipher.hpp"
#include "net/kernel/crypto/replay_window.hpp"
#include "net/kernel/session/session_config.hpp"
#include "net/kernel/session/session_counters.hpp"
#include "net/kernel/session/session_result.hpp"
#include "net/kernel/wire/packet_header.hpp"

namespace net::kernel::session {

class Session {
public:
    // Takes the transport from NoiseHandshake::split. Fails (internal) only if the crypto library does.
    static SessionResult create(crypto::NoiseTransport transport, crypto::NoiseRole role, crypto::NoiseCipher suite,
                                const Clock& clock, const SessionLimits& limits,
                                std::unique_ptr<Session>& out) noexcept;

    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    std::uint64_t id() const noexcept { return id_; }
    crypto::NoiseCipher suite() const noexcept { return suite_; }
    crypto::NoiseRole role() const noexcept { return role_; }
    std::uint8_t send_epoch() const noexcept { return send_.epoch; }
    std::uint8_t receive_epoch() const noexcept { return receive_current_.epoch; }
    const SessionCounters& counters() const noexcept { return counters_; }

    // Seals a packet in place (session_frame.hpp has the layout). `packet` holds the 64 header
    // bytes (written here), `payload_len` plaintext bytes after them, and room for the 16-byte tag.
    // The caller fills `header`'s own fields (flags, subprotocol, stream, sequence, hops, ...);
    // this sets session_id, nonce and payload_length, encodes it, and seals. Rekeys first when the
    // epoch is due. No allocation.
    SessionResult seal_in_place(wire::PacketHeader& header, std::span<std::uint8_t> packet,
                                std::size_t payload_len) noexcept;
    // Opens a whole datagram in place: `header` was decoded from packet[0, 64) and names this
    // session. On success the plaintext is packet[64, 64 + plaintext_len). AEAD first, then replay
    // admission; a rejected packet changes no state except the counters, and its bytes are
    // unchanged. No allocation.
    SessionResult open_in_place(const wire::PacketHeader& header, std::span<std::uint8_t> packet,
                                std::size_t& plaintext_len) noexcept;

    // Copying forms of the two above (tests, tools): `packet` / `payload` are replaced, and
    // cleared on failure. seal uses a default header (no flags, stream 0).
    SessionResult seal(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& packet) noexcept;
    SessionResult open(std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& payload) noexcept;
    // Moves the send direction to a new epoch now.
    SessionResult rekey_send() noexcept;

private:
    struct SendState {
        std::uint8_t epoch = 0;
        std::uint64_t counter = 0;
        std::chrono::steady_clock::time_point started{};
        std::optional<crypto::PacketCipher> cipher;
    };
    struct ReceiveEpoch {
        std::uint8_t epoch = 0;
        std::optional<crypto::PacketCipher> cipher;
        std::unique_ptr<crypto::ReplayWindow> window;
    };

    Session(crypto::NoiseTransport transport, crypto::NoiseRole role, crypto::NoiseCipher suite, const Clock& clock,
            const SessionLimits& limits);
    SessionResult init() noexcept;
    SessionResult next_cipher(crypto::NoiseCipherState& chain, bool advance, bool send,
                              std::optional<crypto::PacketCipher>& out) noexcept;
    bool previous_usable(std::chrono::steady_clock::time_point now) noexcept;
    SessionResult reject(SessionError error, const char* reason) noexcept;
    SessionResult reject_replay(crypto::ReplayVerdict verdict) noexcept;  // any verdict but admitted

    crypto::NoiseTransport transport_;
    crypto::NoiseRole role_;
    crypto::NoiseCipher suite_;
    Clock clock_;
    SessionLimits limits_;
    std::uint64_t id_ = 0;
    std::array<std::uint8_t, 4> send_prefix_{};
    std::array<std::uint8_t, 4> receive_prefix_{};

    SendState send_;
    ReceiveEpoch receive_current_;
    ReceiveEpoch receive_previous_;  // cipher empty when there is none (or its grace ended)
    std::chrono::steady_clock::time_point previous_retired_at_{};
    std::uint64_t packets_since_retire_ = 0;
    std::optional<crypto::PacketCipher> receive_next_;  // derived ahead, committed on first valid packet
    SessionCounters counters_;
};

}  // namespace net::kernel::session
