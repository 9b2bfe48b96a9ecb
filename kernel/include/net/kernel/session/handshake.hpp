// net/kernel/session/handshake.hpp — the Noise NKpsk0 handshake as two state machines that
// produce and consume byte messages (session_frame.hpp has their layout); the caller moves them.
//
// Initiator: start() gives the first message; poll() resends the same bytes every
// handshake_timeout, handshake_retries times, then fails ("handshake timed out after N attempts");
// handle_response() completes the session. A response that is malformed or does not authenticate is
// rejected with a reason and counted, and the initiator keeps waiting.
//
// Responder: stateless until a first message authenticates; it answers a duplicate of a first
// message it already accepted with the same response bytes and no new session.
//
// Thread rule: [single-thread]. Every call is noexcept.
#pragma once

#include <botan/secmem.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "net/kernel/crypto/noise_handshake.hpp"
#include "net/kernel/session/session.hpp"
#include "net/kernel/session/session_config.hpp"
#include "net/kernel/session/session_counters.hpp"
#include "net/kernel/session/session_result.hpp"

namespace net::kernel::session {

enum class InitiatorState : std::uint8_t { idle, awaiting_response, established, failed };

class Initiator {
public:
    explicit Initiator(InitiatorConfig config) noexcept;
    ~Initiator();

    InitiatorState state() const noexcept { return state_; }
    const SessionCounters& counters() const noexcept { return counters_; }
    const SessionResult& failure() const noexcept { return failure_; }  // why state() is failed
    unsigned attempts() const noexcept { return attempts_; }            // first messages sent so far

    // Writes the first message into `message` (replaced). Once only.
    SessionResult start(std::vector<std::uint8_t>& message) noexcept;
    // When the timeout expired: the first message again in `message` (else `message` is emptied),
    // or, after the last attempt, failure timed_out.
    SessionResult poll(std::vector<std::uint8_t>& message) noexcept;
    std::chrono::steady_clock::time_point next_deadline() const noexcept { return deadline_; }
    // Reads the responder's message; on success `session` holds the new session.
    SessionResult handle_response(std::span<const std::uint8_t> message, std::unique_ptr<Session>& session) noexcept;

private:
    SessionResult write_first_message() noexcept;
    SessionResult fail(SessionResult result) noexcept;

    InitiatorConfig config_;
    InitiatorState state_ = InitiatorState::idle;
    SessionResult failure_;
    SessionCounters counters_;
    // The ephemeral key is chosen here so the Noise state can be rebuilt (same bytes) after a
    // response fails to authenticate: a failed NoiseHandshake cannot be used again.
    Botan::secure_vector<std::uint8_t> ephemeral_;
    crypto::NoiseHandshake noise_;
    std::vector<std::uint8_t> first_message_;
    unsigned attempts_ = 0;
    std::chrono::steady_clock::time_point deadline_{};
};

struct ResponderOutcome {
    SessionResult result;
    std::vector<std::uint8_t> response;  // send this back when result is ok
    std::unique_ptr<Session> session;    // new session; empty for an answered duplicate
    bool duplicate = false;
};

class Responder {
public:
    explicit Responder(ResponderConfig config) noexcept;
    ~Responder();

    const SessionCounters& counters() const noexcept { return counters_; }

    ResponderOutcome handle_initiation(std::span<const std::uint8_t> message) noexcept;
    // The caller no longer holds this session (dropped or evicted): a repeat of its initiation is
    // then answered afresh, with a new session, instead of with the cached answer for one that is
    // gone (the initiator would send on a session nobody can open). Same thread rule as
    // handle_initiation.
    void forget(std::uint64_t session_id) noexcept;

private:
    ResponderOutcome reject(SessionResult result) noexcept;

    struct Answered {
        std::vector<std::uint8_t> initiation;
        std::vector<std::uint8_t> response;
        std::uint64_t session_id = 0;
    };

    ResponderConfig config_;
    SessionCounters counters_;
    std::optional<crypto::NoiseKey> local_public_;
    std::deque<Answered> answered_;  // most recent last, at most duplicate_cache_size
};

}  // namespace net::kernel::session
