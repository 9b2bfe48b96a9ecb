// child_runner.cpp — fork, two pipes (verdict channel, captured stdout/stderr), a poll loop with a
// deadline, and a post-mortem that turns the wait status into a verdict.
#include "child_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>
#include <thread>

#include "child_channel.hpp"

namespace net::conformance {

namespace {

constexpr std::size_t kMaxOutput = 16 * 1024;

using Clock = std::chrono::steady_clock;

std::string signal_name(int sig)
{
    const char* abbrev = ::sigabbrev_np(sig);
    std::string name = abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig);
    if (const char* text = ::strsignal(sig)) name += " (" + std::string(text) + ")";
    return name;
}

// Sanitizer runtimes catch SIGSEGV and friends and exit(1) instead; the default action lets the
// parent see the signal itself.
void restore_default_crash_signals() noexcept
{
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) ::sigaction(sig, &action, nullptr);
}

[[noreturn]] void run_child(const std::function<CheckOutcome()>& body, int channel_fd, int output_fd)
{
    ::setpgid(0, 0);
    ::dup2(output_fd, STDOUT_FILENO);
    ::dup2(output_fd, STDERR_FILENO);
    ::close(output_fd);
    restore_default_crash_signals();
    open_child_channel(channel_fd);
    CheckOutcome outcome;
    try {
        outcome = body();
    } catch (const std::exception& e) {
        outcome = fail(std::string("the check stopped on an unexpected exception: ") + e.what());
    } catch (...) {
        outcome = fail("the check stopped on an unexpected exception");
    }
    send_outcome(outcome);
    std::fflush(nullptr);
    // No exit handlers: the plugin's static destructors and the sanitizers' leak report belong to
    // what the checks measured, not to the verdict.
    ::_exit(0);
}

// Reads what is available on `fd` into `sink` (up to `limit`). Returns false at end of file.
bool drain(int fd, std::string& sink, std::size_t limit)
{
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            const std::size_t room = sink.size() < limit ? limit - sink.size() : 0;
            sink.append(chunk, std::min(room, static_cast<std::size_t>(n)));
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

struct ChannelLines {
    std::string last_step;
    std::optional<CheckOutcome> outcome;
};

ChannelLines parse_channel(const std::string& text)
{
    ChannelLines out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) continue;
        if (auto step = j.find("step"); step != j.end() && step->is_string()) out.last_step = *step;
        if (auto v = j.find("verdict"); v != j.end() && v->is_string()) {
            CheckOutcome o;
            o.verdict = parse_verdict(v->get<std::string>()).value_or(Verdict::fail);
            o.message = j.value("message", std::string());
            o.plugin_id = j.value("plugin_id", std::string());
            out.outcome = std::move(o);
        }
    }
    return out;
}

// The first line of a sanitizer report in the child's output, if any.
std::string sanitizer_line(const std::string& output)
{
    for (const char* marker :
         {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "ThreadSanitizer:"}) {
        const auto at = output.find(marker);
        if (at == std::string::npos) continue;
        const auto begin = output.rfind('\n', at);
        const auto end = output.find('\n', at);
        return output.substr(
            begin == std::string::npos ? 0 : begin + 1,
            end == std::string::npos ? std::string::npos : end - (begin == std::string::npos ? 0 : begin + 1));
    }
    return {};
}

std::string during(const std::string& step)
{
    return step.empty() ? std::string() : " during \"" + step + "\"";
}

void set_nonblocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

ChildRun run_in_child(const std::function<CheckOutcome()>& body, std::chrono::milliseconds timeout)
{
    ChildRun run;
    int channel[2];
    int output[2];
    if (::pipe2(channel, O_CLOEXEC) != 0) {
        run.message = std::string("validator error: pipe failed: ") + std::strerror(errno);
        return run;
    }
    if (::pipe2(output, O_CLOEXEC) != 0) {
        run.message = std::string("validator error: pipe failed: ") + std::strerror(errno);
        ::close(channel[0]);
        ::close(channel[1]);
        return run;
    }
    std::fflush(nullptr);
    const Clock::time_point started = Clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(channel[0]);
        ::close(output[0]);
        run_child(body, channel[1], output[1]);
    }
    ::close(channel[1]);
    ::close(output[1]);
    if (pid < 0) {
        run.message = std::string("validator error: fork failed: ") + std::strerror(errno);
        ::close(channel[0]);
        ::close(output[0]);
        return run;
    }
    ::setpgid(pid, pid);  // also done by the child; whichever runs first wins, both are fine
    set_nonblocking(channel[0]);
    set_nonblocking(output[0]);

    const Clock::time_point deadline = started + timeout;
    std::string channel_text;
    bool channel_open = true;
    bool output_open = true;
    bool reaped = false;
    bool timed_out = false;
    int status = 0;
    while (!reaped) {
        const Clock::time_point now = Clock::now();
        if (now >= deadline) {
            timed_out = true;
            break;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        const int wait_ms = static_cast<int>(std::min<long long>(left, 50));
        pollfd fds[2];
        nfds_t count = 0;
        if (channel_open) fds[count++] = {channel[0], POLLIN, 0};
        if (output_open) fds[count++] = {output[0], POLLIN, 0};
        if (count > 0) {
            ::poll(fds, count, wait_ms);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait_ms, 5)));
        }
        if (channel_open) channel_open = drain(channel[0], channel_text, 1u << 20);
        if (output_open) output_open = drain(output[0], run.output, kMaxOutput);
        // WNOWAIT: the child stays a zombie, so its process group id cannot be reused before the
        // group is killed below.
        siginfo_t info{};
        reaped = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
    }
    if (reaped) {
        // Take what it wrote last.
        if (channel_open) drain(channel[0], channel_text, 1u << 20);
        if (output_open) drain(output[0], run.output, kMaxOutput);
    }
    ::kill(-pid, SIGKILL);  // on timeout the child; in any case whatever the plugin forked and left
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    ::close(channel[0]);
    ::close(output[0]);
    run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (run.output.size() >= kMaxOutput) run.output += "\n[output truncated]";

    ChannelLines lines = parse_channel(channel_text);
    if (lines.outcome) run.plugin_id = lines.outcome->plugin_id;
    if (timed_out) {
        std::ostringstream m;
        m << "timed out after " << std::chrono::duration<double>(timeout).count() << " s"
          << during(lines.outcome ? "teardown after the check reported" : lines.last_step) << " (killed)";
        run.verdict = Verdict::timed_out;
        run.message = m.str();
        return run;
    }
    if (WIFSIGNALED(status)) {
        run.verdict = Verdict::crashed;
        run.message = "crashed with " + signal_name(WTERMSIG(status)) + during(lines.last_step);
        return run;
    }
    if (!lines.outcome || WEXITSTATUS(status) != 0) {
        run.verdict = Verdict::crashed;
        run.message = "the check's process exited with code " + std::to_string(WEXITSTATUS(status)) +
                      " without a verdict" + during(lines.last_step);
        if (const std::string s = sanitizer_line(run.output); !s.empty()) run.message += ": " + s;
        return run;
    }
    run.verdict = lines.outcome->verdict;
    run.message = std::move(lines.outcome->message);
    return run;
}

}  // namespace net::conformance
