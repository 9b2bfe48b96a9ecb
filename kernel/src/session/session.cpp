// session.cpp — session construction, key chains and rekeying.
#include "net/kernel/session/session.hpp"

#include <botan/mem_ops.h>

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "session_keys.hpp"

namespace net::kernel::session {

namespace {

crypto::CipherSuite packet_suite(crypto::NoiseCipher suite) noexcept
{
    return suite == crypto::NoiseCipher::chacha_poly ? crypto::CipherSuite::chacha20_poly1305
                                                     : crypto::CipherSuite::aes256_gcm;
}

}  // namespace

Session::Session(crypto::NoiseTransport transport, crypto::NoiseRole role, crypto::NoiseCipher suite,
                 const Clock& clock, const SessionLimits& limits)
    : transport_(std::move(transport)), role_(role), suite_(suite), clock_(clock), limits_(limits)
{
}

Session::~Session() = default;

SessionResult Session::create(crypto::NoiseTransport transport, crypto::NoiseRole role, crypto::NoiseCipher suite,
                              const Clock& clock, const SessionLimits& limits, std::unique_ptr<Session>& out) noexcept
{
    try {
        std::unique_ptr<Session> s(new Session(std::move(transport), role, suite, clock, limits));
        if (auto r = s->init(); !r) return r;
        out = std::move(s);
        return SessionResult::success();
    } catch (const std::exception& e) {
        return SessionResult::failure(SessionError::internal, std::string("session setup failed: ") + e.what());
    }
}

SessionResult Session::init() noexcept
{
    const auto hash = transport_.handshake_hash();
    id_ = detail::session_id_from_hash(hash);
    const bool initiator = role_ == crypto::NoiseRole::initiator;
    const char* i2r = "net/session nonce i2r";
    const char* r2i = "net/session nonce r2i";
    if (auto r = detail::derive_nonce_prefix(initiator ? i2r : r2i, hash, send_prefix_); !r) return r;
    if (auto r = detail::derive_nonce_prefix(initiator ? r2i : i2r, hash, receive_prefix_); !r) return r;
    if (limits_.replay_window < 64 || (limits_.replay_window & (limits_.replay_window - 1)) != 0) {
        return SessionResult::failure(SessionError::bad_state, "replay window must be a power of two >= 64");
    }
    if (auto r = next_cipher(transport_.send_cipher(), false, true, send_.cipher); !r) return r;
    if (auto r = next_cipher(transport_.receive_cipher(), false, false, receive_current_.cipher); !r) return r;
    try {
        receive_current_.window = std::make_unique<crypto::ReplayWindow>(limits_.replay_window);
    } catch (const std::exception& e) {
        return SessionResult::failure(SessionError::internal, std::string("replay window: ") + e.what());
    }
    send_.started = clock_now(clock_);
    return SessionResult::success();
}

SessionResult Session::next_cipher(crypto::NoiseCipherState& chain, bool advance, bool send,
                                   std::optional<crypto::PacketCipher>& out) noexcept
{
    if (advance) {
        const auto r = send ? transport_.rekey_send() : transport_.rekey_receive();
        if (!r) return SessionResult::failure(SessionError::internal, "rekey failed: " + r.message);
    }
    std::array<std::uint8_t, 32> key{};
    auto r = detail::derive_packet_key(chain, key);
    if (r) {
        try {
            out.emplace(packet_suite(suite_), key, send ? send_prefix_ : receive_prefix_);
        } catch (const std::exception& e) {
            r = SessionResult::failure(SessionError::internal, std::string("packet cipher: ") + e.what());
        }
    }
    Botan::secure_scrub_memory(key.data(), key.size());
    return r;
}

SessionResult Session::rekey_send() noexcept
{
    std::optional<crypto::PacketCipher> next;
    if (auto r = next_cipher(transport_.send_cipher(), true, true, next); !r) return r;
    send_.cipher = std::move(next);
    ++send_.epoch;
    send_.counter = 0;
    send_.started = clock_now(clock_);
    ++counters_.rekeys_send;
    return SessionResult::success();
}

bool Session::previous_usable(std::chrono::steady_clock::time_point now) noexcept
{
    if (!receive_previous_.cipher) return false;
    const bool expired_by_time = now - previous_retired_at_ >= limits_.old_epoch_grace;
    const bool expired_by_count =
        limits_.old_epoch_grace_packets != 0 && packets_since_retire_ >= limits_.old_epoch_grace_packets;
    if (expired_by_time || expired_by_count) {
        receive_previous_.cipher.reset();
        receive_previous_.window.reset();
        return false;
    }
    return true;
}

}  // namespace net::kernel::session
