// session_data.cpp — the data path: seal and open with epochs, AEAD first, then replay admission.
#include <cstring>
#include <utility>

#include "net/kernel/session/session.hpp"
#include "net/kernel/session/session_frame.hpp"

namespace net::kernel::session {

SessionResult Session::seal(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& packet) noexcept
{
    if (payload.size() > kMaxSealPayload) {
        return SessionResult::failure(SessionError::malformed, "payload too large for one packet");
    }
    const bool due_by_count = send_.counter >= limits_.rekey_after_packets;
    if (due_by_count || clock_now(clock_) - send_.started >= limits_.rekey_after_age) {
        if (auto r = rekey_send(); !r) {
            return due_by_count ? SessionResult::failure(SessionError::counter_exhausted, r.reason) : r;
        }
    }
    const DataHeader header{send_.epoch, send_.counter};
    const auto ad = data_associated_data(id_, header);
    packet.resize(kMinDataPacket + payload.size());
    encode_data_header(header, packet.data());
    if (!payload.empty()) std::memcpy(packet.data() + kDataHeaderSize, payload.data(), payload.size());
    const auto body = std::span(packet).subspan(kDataHeaderSize);
    if (send_.cipher->seal_in_place(ad, body, payload.size(), send_.counter) != NET_OK) {
        packet.clear();
        return SessionResult::failure(SessionError::internal, "packet seal failed");
    }
    ++send_.counter;
    ++counters_.packets_sealed;
    return SessionResult::success();
}

SessionResult Session::reject(SessionError error, const char* reason, std::vector<std::uint8_t>& payload) noexcept
{
    payload.clear();
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

SessionResult Session::open(std::span<const std::uint8_t> packet, std::vector<std::uint8_t>& payload) noexcept
{
    if (packet.size() < kMinDataPacket) return reject(SessionError::malformed, "packet truncated", payload);
    if (packet.size() > kMaxDataPacket) return reject(SessionError::malformed, "packet oversized", payload);
    const DataHeader header = decode_data_header(packet.data());

    const auto now = clock_now(clock_);
    const std::uint8_t current = receive_current_.epoch;
    const auto previous = static_cast<std::uint8_t>(current - 1);
    const auto next = static_cast<std::uint8_t>(current + 1);
    crypto::PacketCipher* cipher = nullptr;
    crypto::ReplayWindow* window = nullptr;
    const bool is_next = header.epoch == next;
    if (header.epoch == current) {
        cipher = &*receive_current_.cipher;
        window = receive_current_.window.get();
    } else if (header.epoch == previous && counters_.rekeys_receive > 0) {
        if (!previous_usable(now)) {
            return reject(SessionError::bad_epoch, "packet from the previous epoch after its grace period", payload);
        }
        cipher = &*receive_previous_.cipher;
        window = receive_previous_.window.get();
    } else if (is_next) {
        if (!receive_next_) {
            if (auto r = next_cipher(transport_.receive_cipher(), true, false, receive_next_); !r) {
                payload.clear();
                return r;
            }
        }
        cipher = &*receive_next_;
    } else {
        return reject(SessionError::bad_epoch, "packet from an unknown epoch", payload);
    }

    const auto ad = data_associated_data(id_, header);
    payload.assign(packet.begin() + kDataHeaderSize, packet.end());
    const auto opened = cipher->open_in_place(ad, payload, header.counter);
    if (!opened.ok()) return reject(SessionError::auth_failed, "packet failed authentication", payload);

    std::unique_ptr<crypto::ReplayWindow> fresh;
    if (is_next) {
        try {
            fresh = std::make_unique<crypto::ReplayWindow>(limits_.replay_window);
        } catch (...) {
            payload.clear();
            return SessionResult::failure(SessionError::internal, "replay window allocation failed");
        }
        window = fresh.get();
    }
    switch (window->try_admit(header.counter)) {
        case crypto::ReplayVerdict::admitted:
            break;
        case crypto::ReplayVerdict::duplicate:
            return reject(SessionError::replay_duplicate, "duplicate packet", payload);
        case crypto::ReplayVerdict::too_old:
            return reject(SessionError::replay_too_old, "packet older than the replay window", payload);
        case crypto::ReplayVerdict::invalid:
            return reject(SessionError::malformed, "reserved counter", payload);
    }
    payload.resize(opened.plaintext_len);

    if (is_next) {
        receive_previous_ = std::move(receive_current_);
        receive_current_.epoch = next;
        receive_current_.cipher = std::move(receive_next_);
        receive_current_.window = std::move(fresh);
        receive_next_.reset();
        previous_retired_at_ = now;
        packets_since_retire_ = 0;
        ++counters_.rekeys_receive;
    } else if (header.epoch == current) {
        ++packets_since_retire_;
    }
    ++counters_.packets_opened;
    return SessionResult::success();
}

}  // namespace net::kernel::session
