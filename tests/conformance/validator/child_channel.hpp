// child_channel.hpp — the check's side of the pipe to the validator: step notes, so that a crash or
// a hang can be attributed to the step that was running, and the final verdict. One JSON line each.
#pragma once

#include <string_view>

#include "check.hpp"

namespace net::conformance {

// Makes `fd` the channel for this (child) process.
void open_child_channel(int fd) noexcept;
// Says which step the check is about to run ("create→start→stop→destroy: start"). No-op without
// a channel, so checks can run in-process too.
void note_step(std::string_view step) noexcept;
void send_outcome(const CheckOutcome& outcome) noexcept;

}  // namespace net::conformance
