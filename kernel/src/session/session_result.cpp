// session_result.cpp — error names and the default clock.
#include "net/kernel/session/session_result.hpp"
#include "net/kernel/session/session_config.hpp"

namespace net::kernel::session {

const char* session_error_name(SessionError error) noexcept
{
    switch (error) {
        case SessionError::none:
            return "none";
        case SessionError::malformed:
            return "malformed";
        case SessionError::suite_mismatch:
            return "suite_mismatch";
        case SessionError::node_id_mismatch:
            return "node_id_mismatch";
        case SessionError::auth_failed:
            return "auth_failed";
        case SessionError::replay_duplicate:
            return "replay_duplicate";
        case SessionError::replay_too_old:
            return "replay_too_old";
        case SessionError::bad_epoch:
            return "bad_epoch";
        case SessionError::timed_out:
            return "timed_out";
        case SessionError::bad_state:
            return "bad_state";
        case SessionError::counter_exhausted:
            return "counter_exhausted";
        case SessionError::internal:
            return "internal";
    }
    return "unknown";
}

std::chrono::steady_clock::time_point clock_now(const Clock& clock) noexcept
{
    return clock ? clock() : std::chrono::steady_clock::now();
}

}  // namespace net::kernel::session
