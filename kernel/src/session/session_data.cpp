// session_data.cpp — the data path: seal and open with epochs, AEAD first, then replay admission.
#include <cstring>
#include <utility>

#include "net/kernel/session/session.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::session {

SessionResult Session::seal_in_place(wire::PacketHeader& header, std::span<std::uint8_t> packet,
                                     std::size_t payload_len) noexcept
{
    if (payload_len > kMaxSealPayload || packet.size() < kMinDataPacket + payload_len) {
        return SessionResult::failure(SessionError::malformed, "payload too large for one packet");
    }
    const std::uint64_t limit = std::min(limits_.rekey_after_packets, kMaxPacketsPerEpoch);
    const bool due_by_count = send_.counter >= limit;
    if (due_by_count || clock_now(clock_) - send_.started >= limits_.rekey_after_age) {
        if (auto r = rekey_send(); !r) {
            return due_by_count ? SessionResult::failure(SessionError::counter_exhausted, r.reason) : r;
        }
    }
    header.session_id = id_;
    header.nonce = data_nonce(send_prefix_, send_.epoch, send_.counter);
    header.payload_length = static_cast<std::uint16_t>(payload_len + crypto::PacketCipher::tag_size);
    if (const auto checked = wire::check(header); !checked) {
        return SessionResult::failure(SessionError::malformed, "packet header is invalid");
    }
    const auto header_bytes = packet.first<wire::kPacketHeaderSize>();
    wire::encode(header, header_bytes);
    std::array<std::uint8_t, wire::kAssociatedDataSize> ad;
    wire::build_associated_data(std::span<const std::uint8_t, wire::kPacketHeaderSize>(header_bytes), ad);
    const auto body = packet.subspan(wire::kPacketHeaderSize, payload_len + crypto::PacketCipher::tag_size);
    const std::uint64_t nonce_counter = (std::uint64_t{send_.epoch} << kEpochShift) | send_.counter;
    if (send_.cipher->seal_in_place(ad, body, payload_len, nonce_counter) != NET_OK) {
        return SessionResult::failure(SessionError::internal, "packet seal failed");
    }
    ++send_.counter;
    ++counters_.packets_sealed;
    return SessionResult::success();
}

SessionResult Session::seal(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& packet) noexcept
{
    if (payload.size() > kMaxSealPayload) {
        return SessionResult::failure(SessionError::malformed, "payload too large for one packet");
    }
    packet.resize(kMinDataPacket + payload.size());
    if (!payload.empty()) std::memcpy(packet.data() + wire::kPacketHeaderSize, payload.data(), payload.size());
    wire::PacketHeader header{};
    auto r = seal_in_place(header, packet, payload.size());
    if (!r) packet.clear();
    return r;
}

SessionResult Session::reject(SessionError error, const char* reason) noexcept
{
    switch (error) {
        case SessionError::auth_failed:
            ++counters_.rejected_auth;
            break;
        case SessionError::replay_duplicate:
            ++counters_.rejected_replay_duplicate;
            break;
        case SessionError::replay_too_old:
            ++counters_.rejected_replay_too_old;
            break;
        case SessionError::bad_epoch:
            ++counters_.rejected_bad_epoch;
            break;
        default:
            ++counters_.rejected_malformed;
            break;
    }
    return SessionResult::failure(error, reason);
}

SessionResult Session::reject_replay(crypto::ReplayVerdict verdict) noexcept
{
    switch (verdict) {
        case crypto::ReplayVerdict::duplicate:
            return reject(SessionError::replay_duplicate, "duplicate packet");
        case crypto::ReplayVerdict::too_old:
            return reject(SessionError::replay_too_old, "packet older than the replay window");
        default:
            return reject(SessionError::malformed, "reserved counter");
    }
}

SessionResult Session::open_in_place(const wire::PacketHeader& header, std::span<std::uint8_t> packet,
                                     std::size_t& plaintext_len) noexcept
{
    plaintext_len = 0;
    if (packet.size() != wire::kPacketHeaderSize + header.payload_length || packet.size() < kMinDataPacket) {
        return reject(SessionError::malformed, "packet truncated or padded");
    }
    if (header.session_id != id_) return reject(SessionError::malformed, "packet for another session");
    if (std::memcmp(header.nonce.data(), receive_prefix_.data(), receive_prefix_.size()) != 0) {
        return reject(SessionError::auth_failed, "packet failed authentication");
    }
    const std::uint64_t nonce_counter = wire::load_le<std::uint64_t>(header.nonce.data() + 4);
    const auto epoch = static_cast<std::uint8_t>(nonce_counter >> kEpochShift);
    const std::uint64_t counter = nonce_counter & kCounterMask;

    const auto now = clock_now(clock_);
    const std::uint8_t current = receive_current_.epoch;
    const auto previous = static_cast<std::uint8_t>(current - 1);
    const auto next = static_cast<std::uint8_t>(current + 1);
    crypto::PacketCipher* cipher = nullptr;
    crypto::ReplayWindow* window = nullptr;
    const bool is_next = epoch == next;
    if (epoch == current) {
        cipher = &*receive_current_.cipher;
        window = receive_current_.window.get();
    } else if (epoch == previous && counters_.rekeys_receive > 0) {
        if (!previous_usable(now)) {
            return reject(SessionError::bad_epoch, "packet from the previous epoch after its grace period");
        }
        cipher = &*receive_previous_.cipher;
        window = receive_previous_.window.get();
    } else if (is_next) {
        if (!receive_next_) {
            if (auto r = next_cipher(transport_.receive_cipher(), true, false, receive_next_); !r) return r;
        }
        cipher = &*receive_next_;
    } else {
        return reject(SessionError::bad_epoch, "packet from an unknown epoch");
    }

    // A replay is refused before the AEAD, so a rejected packet is never left decrypted (and a
    // replay flood costs no decryption). try_admit below still decides, after authentication.
    if (window != nullptr) {
        if (const auto verdict = window->peek(counter); verdict != crypto::ReplayVerdict::admitted) {
            return reject_replay(verdict);
        }
    }

    std::array<std::uint8_t, wire::kAssociatedDataSize> ad;
    wire::build_associated_data(packet.first<wire::kPacketHeaderSize>(), ad);
    const auto body = packet.subspan(wire::kPacketHeaderSize);
    // Verified before anything is decrypted; on failure the bytes are unchanged.
    const auto opened = cipher->open_in_place(ad, body, nonce_counter);
    if (!opened.ok()) return reject(SessionError::auth_failed, "packet failed authentication");

    std::unique_ptr<crypto::ReplayWindow> fresh;
    if (is_next) {
        try {
            fresh = std::make_unique<crypto::ReplayWindow>(limits_.replay_window);
        } catch (...) {
            return SessionResult::failure(SessionError::internal, "replay window allocation failed");
        }
        window = fresh.get();
    }
    if (const auto verdict = window->try_admit(counter); verdict != crypto::ReplayVerdict::admitted) {
        return reject_replay(verdict);
    }

    if (is_next) {
        receive_previous_ = std::move(receive_current_);
        receive_current_.epoch = next;
        receive_current_.cipher = std::move(receive_next_);
        receive_current_.window = std::move(fresh);
        receive_next_.reset();
        previous_retired_at_ = now;
        packets_since_retire_ = 0;
        ++counters_.rekeys_receive;
    } else if (epoch == current) {
        ++packets_since_retire_;
    }
    plaintext_len = opened.plaintext_len;
    ++counters_.packets_opened;
    return SessionResult::success();
}

SessionResult Session::open(std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& payload) noexcept
{
    payload.clear();
    if (packet.size() > kMaxDataPacket) return reject(SessionError::malformed, "packet oversized");
    const auto decoded = wire::decode_packet(packet);
    if (!decoded) return reject(SessionError::malformed, "packet header is invalid");
    std::vector<std::uint8_t> copy;
    try {
        copy.assign(packet.begin(), packet.end());
    } catch (...) {
        return SessionResult::failure(SessionError::internal, "out of memory");
    }
    std::size_t len = 0;
    auto r = open_in_place(decoded->header, copy, len);
    if (!r) return r;
    payload.assign(copy.begin() + wire::kPacketHeaderSize, copy.begin() + static_cast<std::ptrdiff_t>(wire::kPacketHeaderSize + len));
    return r;
}

}  // namespace net::kernel::session
