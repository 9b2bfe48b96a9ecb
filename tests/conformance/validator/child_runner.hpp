// child_runner.hpp — runs one check in a forked child process, so that a plugin that crashes or
// hangs costs one verdict ("crashed", "timed out"), not the validator.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "check.hpp"

namespace net::conformance {

struct ChildRun {
    Verdict verdict = Verdict::crashed;
    std::string message;
    std::string plugin_id;
    std::string output;  // the child's stdout and stderr, truncated
    double duration_ms = 0;
};

// Forks; the child runs `body` and reports its outcome through a pipe, then _exits. The parent
// waits up to `timeout`, then kills the child's process group. A child killed by a signal is
// "crashed" (the message names the signal and the last step the check noted). Call it only while
// the calling process is single-threaded.
ChildRun run_in_child(const std::function<CheckOutcome()>& body, std::chrono::milliseconds timeout);

}  // namespace net::conformance
