// The admin socket client: a non-blocking Unix socket, every wait bounded by poll() and the
// caller's deadline.
#include "net/kernel/admin/admin_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

namespace net::kernel::admin {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string system_text(int error_number) { return std::system_category().message(error_number); }

int milliseconds_left(Clock::time_point deadline)
{
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(left)>(left, 0, 24 * 3600 * 1000));
}

// Waits until `fd` is ready for `events`; false when the deadline passed first.
bool wait_for(int fd, short events, Clock::time_point deadline)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const int n = ::poll(&p, 1, milliseconds_left(deadline));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return true;  // let the following call report the error
    }
}

}  // namespace

AdminClient::AdminClient(fs::path socket_path, std::chrono::milliseconds timeout) : path_(std::move(socket_path))
{
    const auto deadline = Clock::now() + timeout;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.empty() || path_.native().size() >= sizeof(address.sun_path)) {
        throw AdminError("cannot connect to " + path_.string() + ": the path is too long for a Unix socket", ENAMETOOLONG);
    }
    path_.native().copy(address.sun_path, sizeof(address.sun_path) - 1);

    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw AdminError("cannot create a socket: " + system_text(errno), errno);
    for (;;) {
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0) return;
        const int e = errno;
        if (e == EINTR) continue;
        if (e == EISCONN) return;
        if (e == EAGAIN && Clock::now() < deadline) {  // the server's accept queue is full
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        close();
        switch (e) {
        case ENOENT:
        case ENOTDIR:
            throw AdminError("no node is serving " + path_.string() + " (not found)", e);
        case ECONNREFUSED:
            throw AdminError("no node is serving " + path_.string() + " (connection refused)", e);
        case EAGAIN:
            throw AdminError("the node at " + path_.string() + " did not accept the connection within " +
                                 std::to_string(timeout.count()) + " ms (its queue is full)",
                             e);
        default:
            throw AdminError("cannot connect to " + path_.string() + ": " + system_text(e), e);
        }
    }
}

AdminClient::~AdminClient() { close(); }

AdminClient::AdminClient(AdminClient&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_))
{
}

AdminClient& AdminClient::operator=(AdminClient&& other) noexcept
{
    if (this != &other) {
        close();
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        pending_ = std::move(other.pending_);
    }
    return *this;
}

void AdminClient::close() noexcept
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

json AdminClient::request(const json& request, std::chrono::milliseconds timeout)
{
    if (fd_ < 0) throw AdminError(path_.string() + ": the connection to the node is closed");
    const auto deadline = Clock::now() + timeout;
    auto fail = [&](const std::string& what, int e = 0) {
        close();
        return AdminError(path_.string() + ": " + what, e);
    };
    auto timed_out = [&] {
        return fail("timed out after " + std::to_string(timeout.count()) + " ms waiting for the node's answer", ETIMEDOUT);
    };

    // If the node hangs up while we write (e.g. it is busy), the answer it sent first may
    // still be waiting to be read, so a failed send goes on to read.
    const std::string line = request.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    std::string_view unsent = line;
    while (!unsent.empty()) {
        const ssize_t n = ::send(fd_, unsent.data(), unsent.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            unsent.remove_prefix(static_cast<std::size_t>(n));
        } else if (errno == EAGAIN) {
            if (!wait_for(fd_, POLLOUT, deadline)) throw timed_out();
        } else if (errno != EINTR) {
            break;
        }
    }

    std::size_t newline;
    std::size_t searched = 0;
    std::array<char, 8192> chunk{};
    while ((newline = pending_.find('\n', searched)) == std::string::npos) {
        searched = pending_.size();
        if (pending_.size() > kMaxAdminAnswerBytes) {
            throw fail("the node's answer is longer than " + std::to_string(kMaxAdminAnswerBytes) + " bytes");
        }
        const ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), 0);
        if (n > 0) {
            pending_.append(chunk.data(), static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            throw fail("the node closed the connection without answering", n == 0 ? 0 : errno);
        } else if (errno == EAGAIN && !wait_for(fd_, POLLIN, deadline)) {
            throw timed_out();
        }
    }
    const std::string answer_line = pending_.substr(0, newline);
    pending_.erase(0, newline + 1);
    if (!unsent.empty()) close();  // the node hung up; this answer is the last one

    json answer = json::parse(answer_line, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
        throw fail("the node's answer is not a JSON object: " + answer_line.substr(0, 200));
    }
    return answer;
}

json admin_request(const fs::path& socket_path, const json& request, std::chrono::milliseconds timeout)
{
    AdminClient client(socket_path, timeout);
    return client.request(request, timeout);
}

}  // namespace net::kernel::admin
