// child_channel.cpp — JSON lines written straight to the pipe (unbuffered: the process may die
// right after a note, and the note must already be with the parent).
#include "child_channel.hpp"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace net::conformance {

namespace {

int channel_fd = -1;

void write_line(const nlohmann::json& line) noexcept
{
    if (channel_fd < 0) return;
    try {
        const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(channel_fd, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    } catch (...) {
        // Out of memory while reporting: the parent reports "exited without a verdict".
    }
}

}  // namespace

void open_child_channel(int fd) noexcept
{
    channel_fd = fd;
}

void note_step(std::string_view step) noexcept
{
    try {
        write_line({{"step", step}});
    } catch (...) {
    }
}

void send_outcome(const CheckOutcome& outcome) noexcept
{
    try {
        write_line({{"verdict", verdict_name(outcome.verdict)},
                    {"message", outcome.message},
                    {"plugin_id", outcome.plugin_id}});
    } catch (...) {
    }
}

}  // namespace net::conformance
