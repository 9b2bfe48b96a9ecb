// net/kernel/session/session_result.hpp — what every session call returns instead of throwing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace net::kernel::session {

enum class SessionError : std::uint8_t {
    none,
    malformed,          // truncated, oversized or badly framed bytes
    suite_mismatch,     // the peer uses the other cipher suite
    node_id_mismatch,   // the peer addressed another node id
    auth_failed,        // AEAD or Noise authentication failed (wrong key, PSK, prologue, tampering)
    replay_duplicate,   // an authentic packet that was already delivered
    replay_too_old,     // an authentic packet below the replay window
    bad_epoch,          // a packet for keys this session does not (or no longer) hold
    timed_out,          // the handshake got no valid answer after every attempt
    bad_state,          // call out of order (e.g. a response before start, after failure)
    counter_exhausted,  // the send counter reached its limit and rekeying failed
    internal,           // the crypto library failed unexpectedly
};

const char* session_error_name(SessionError error) noexcept;

struct SessionResult {
    SessionError error = SessionError::none;
    std::string reason;  // empty on success

    bool ok() const noexcept { return error == SessionError::none; }
    explicit operator bool() const noexcept { return ok(); }

    static SessionResult success() noexcept { return {}; }
    static SessionResult failure(SessionError error, std::string reason) noexcept
    {
        return SessionResult{error, std::move(reason)};
    }
};

}  // namespace net::kernel::session
