// net/kernel/session/session_counters.hpp — plain counters a metrics exporter can read.
// Each Initiator, Responder and Session keeps its own copy; only the fields it drives move.
#pragma once

#include <cstdint>

namespace net::kernel::session {

struct SessionCounters {
    std::uint64_t handshakes_started = 0;
    std::uint64_t handshakes_completed = 0;
    std::uint64_t handshakes_failed = 0;
    std::uint64_t handshake_retransmits = 0;          // initiator: first message sent again
    std::uint64_t handshake_duplicates_answered = 0;  // responder: cached response sent again
    std::uint64_t handshake_messages_rejected = 0;    // malformed, mismatched or unauthentic

    std::uint64_t packets_sealed = 0;
    std::uint64_t packets_opened = 0;
    std::uint64_t rejected_auth = 0;
    std::uint64_t rejected_replay_duplicate = 0;
    std::uint64_t rejected_replay_too_old = 0;
    std::uint64_t rejected_bad_epoch = 0;
    std::uint64_t rejected_malformed = 0;

    std::uint64_t rekeys_send = 0;
    std::uint64_t rekeys_receive = 0;
};

}  // namespace net::kernel::session
