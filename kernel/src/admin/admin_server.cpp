// The admin socket server: one accepting thread, one thread per connection, blocking POSIX
// socket calls. stop() wakes the acceptor through a pipe and every connection with shutdown().
#include "net/kernel/admin/admin_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <list>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include "net/kernel/admin/admin_client.hpp"

namespace net::kernel::admin {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kMaxRequestDepth = 64;

std::string system_text(int error_number) { return std::system_category().message(error_number); }

AdminError system_failure(const fs::path& path, const std::string& what, int error_number)
{
    return AdminError("admin socket " + path.string() + ": " + what + ": " + system_text(error_number), error_number);
}

json error_answer(std::string message) { return json{{"ok", false}, {"error", std::move(message)}}; }

// nlohmann's messages start with "[json.exception.parse_error.101] "; an operator needs the rest.
std::string without_exception_id(std::string_view what)
{
    if (!what.empty() && what.front() == '[') {
        if (auto end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
    }
    return std::string(what);
}

struct TooDeep : std::runtime_error {
    TooDeep() : std::runtime_error("request nests deeper than " + std::to_string(kMaxRequestDepth) + " levels") {}
};

json parse_request(std::string_view line)
{
    return json::parse(line, [](int depth, json::parse_event_t, json&) {
        if (depth > kMaxRequestDepth) throw TooDeep();
        return true;
    });
}

json answer(const AdminHandler& handler, std::string_view line)
{
    json request;
    try {
        request = parse_request(line);
    } catch (const json::exception& e) {
        return error_answer("request is not valid JSON: " + without_exception_id(e.what()));
    } catch (const TooDeep& e) {
        return error_answer(e.what());
    }
    if (!request.is_object()) return error_answer("request must be a JSON object with a \"cmd\" string");
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) return error_answer("request has no \"cmd\" string");
    const std::string name = cmd->get<std::string>();

    json result;
    try {
        result = handler(request);
    } catch (const std::exception& e) {
        return error_answer(e.what());
    } catch (...) {
        return error_answer("\"" + name + "\" failed with an unknown error");
    }
    if (result.is_null()) return error_answer("unknown command \"" + name + "\"");
    if (!result.is_object()) return error_answer("internal error: the answer to \"" + name + "\" is not a JSON object");
    if (!result.contains("ok")) result["ok"] = true;
    if (result["ok"] != true && !result.contains("error")) result["error"] = "\"" + name + "\" failed";
    return result;
}

bool send_all(int fd, std::string_view data, int flags = 0)
{
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), flags | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool send_answer(int fd, const json& a, int flags = 0)
{
    // Handlers may put raw bytes (peer names, error texts) in strings; never fail on bad UTF-8.
    return send_all(fd, a.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", flags);
}

std::string too_long_message()
{
    return "request line longer than " + std::to_string(kMaxAdminRequestBytes) + " bytes; closing the connection";
}

}  // namespace

struct AdminServer::State {
    struct Connection {
        explicit Connection(int socket_fd) : fd(socket_fd) {}
        const int fd;  // closed by whoever joins the thread, so stop() never shuts down a reused number
        std::thread thread;
        std::atomic<bool> finished{false};
    };

    fs::path path;
    AdminHandler handler;

    std::mutex lifecycle;  // serialises start() and stop()
    std::atomic<bool> running{false};
    int listen_fd = -1;
    std::array<int, 2> wake{-1, -1};  // the acceptor polls wake[0]; stop() writes to wake[1]
    dev_t socket_device = 0;          // identify the file this server bound, so stop() removes only that
    ino_t socket_inode = 0;
    std::thread acceptor;

    std::mutex connections_mutex;
    std::list<Connection> connections;

    void remove_stale_socket() const;
    void open_listening_socket();
    void close_fds() noexcept;
    void accept_loop();
    void admit(int fd);
    void reap_finished();  // with connections_mutex held
    void serve(int fd) const;
    bool reply(int fd, std::string_view line) const;
};

void AdminServer::State::remove_stale_socket() const
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        throw system_failure(path, "cannot inspect the existing file", errno);
    }
    if (!S_ISSOCK(st.st_mode)) {
        throw AdminError("admin socket " + path.string() +
                             ": a file that is not a socket is in the way; remove it or choose another path",
                         EEXIST);
    }
    try {
        AdminClient probe(path, std::chrono::milliseconds(1000));
    } catch (const AdminError& e) {
        if (e.system_errno == ECONNREFUSED) {
            // Left behind by a process that died without removing it.
            if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
                throw system_failure(path, "cannot remove the stale socket file", errno);
            }
            return;
        }
        if (e.system_errno != EAGAIN) {  // EAGAIN: a live server with a full queue
            throw AdminError("admin socket " + path.string() + ": cannot tell whether a node is serving it: " + e.what(),
                             e.system_errno);
        }
    }
    throw AdminError("admin socket " + path.string() +
                         ": another node is already serving it; stop that node or choose another socket path",
                     EADDRINUSE);
}

void AdminServer::State::open_listening_socket()
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.native().copy(address.sun_path, sizeof(address.sun_path) - 1);

    listen_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd < 0) throw system_failure(path, "cannot create a socket", errno);
    if (::bind(listen_fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        const int e = errno;
        if (e == EADDRINUSE) {
            throw AdminError("admin socket " + path.string() + ": another process created it while this node was starting", e);
        }
        throw system_failure(path, "cannot create the socket file", e);
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw system_failure(path, "cannot inspect the new socket file", errno);
    socket_device = st.st_dev;
    socket_inode = st.st_ino;
    // Before listen() nobody can connect, so the mode is right by the time anyone can.
    if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) throw system_failure(path, "cannot set mode 0600", errno);
    if (::listen(listen_fd, static_cast<int>(kMaxAdminConnections)) != 0) throw system_failure(path, "cannot listen", errno);
    if (::pipe2(wake.data(), O_CLOEXEC) != 0) throw system_failure(path, "cannot create the wake-up pipe", errno);
}

void AdminServer::State::close_fds() noexcept
{
    for (int* fd : {&listen_fd, &wake[0], &wake[1]}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
    struct stat st {};
    if (socket_inode != 0 && ::lstat(path.c_str(), &st) == 0 && st.st_dev == socket_device && st.st_ino == socket_inode) {
        ::unlink(path.c_str());
    }
    socket_inode = 0;
}

void AdminServer::State::accept_loop()
{
    for (;;) {
        std::array<pollfd, 2> fds{pollfd{listen_fd, POLLIN, 0}, pollfd{wake[0], POLLIN, 0}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents != 0) return;
        if ((fds[0].revents & (POLLERR | POLLNVAL)) != 0) return;
        if ((fds[0].revents & POLLIN) == 0) continue;
        const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            admit(fd);
        } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // out of resources; don't spin
        }
    }
}

void AdminServer::State::admit(int fd)
{
    std::lock_guard lock(connections_mutex);
    reap_finished();
    if (connections.size() >= kMaxAdminConnections) {
        send_answer(fd, error_answer("the node is busy: " + std::to_string(kMaxAdminConnections) +
                                     " admin connections are open; try again later"),
                    MSG_DONTWAIT);
        ::close(fd);
        return;
    }
    Connection& c = connections.emplace_back(fd);
    try {
        c.thread = std::thread([this, &c] {
            serve(c.fd);
            c.finished = true;
        });
    } catch (const std::system_error&) {
        connections.pop_back();
        ::close(fd);
    }
}

void AdminServer::State::reap_finished()
{
    for (auto it = connections.begin(); it != connections.end();) {
        if (it->finished) {
            it->thread.join();
            ::close(it->fd);
            it = connections.erase(it);
        } else {
            ++it;
        }
    }
}

void AdminServer::State::serve(int fd) const
{
    std::string buffer;
    std::size_t search_from = 0;  // bytes before this hold no newline
    std::array<char, 4096> chunk{};
    for (;;) {
        const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk.data(), static_cast<std::size_t>(n));

        std::size_t line_start = 0;
        bool keep_going = true;
        for (std::size_t newline; keep_going && (newline = buffer.find('\n', search_from)) != std::string::npos;) {
            const std::string_view line(buffer.data() + line_start, newline - line_start);
            if (line.size() > kMaxAdminRequestBytes) {
                send_answer(fd, error_answer(too_long_message()));
                keep_going = false;
            } else {
                keep_going = reply(fd, line);
            }
            line_start = search_from = newline + 1;
        }
        if (!keep_going) break;
        buffer.erase(0, line_start);
        search_from = buffer.size();
        if (buffer.size() > kMaxAdminRequestBytes) {
            send_answer(fd, error_answer(too_long_message()));
            break;
        }
    }
    // The client sees the end of the conversation now; the descriptor is closed when reaped.
    ::shutdown(fd, SHUT_RDWR);
}

bool AdminServer::State::reply(int fd, std::string_view line) const
{
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
    return send_answer(fd, answer(handler, line));
}

AdminServer::AdminServer(fs::path socket_path, AdminHandler handler) : state_(std::make_unique<State>())
{
    if (!handler) throw std::invalid_argument("AdminServer: the handler is empty");
    state_->path = std::move(socket_path);
    state_->handler = std::move(handler);
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::start()
{
    State& s = *state_;
    std::lock_guard lock(s.lifecycle);
    if (s.running) throw AdminError("admin socket " + s.path.string() + ": this server is already running");

    const std::size_t limit = sizeof(sockaddr_un::sun_path) - 1;
    if (s.path.empty() || s.path.native().size() > limit) {
        throw AdminError("admin socket " + s.path.string() + ": the path is " + std::to_string(s.path.native().size()) +
                             " bytes long; a Unix socket path must be 1 to " + std::to_string(limit) + " bytes",
                         ENAMETOOLONG);
    }
    const fs::path folder = s.path.has_parent_path() ? s.path.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw AdminError("admin socket " + s.path.string() + ": the folder " + folder.string() +
                             (fs::exists(folder, ec) ? " is not a folder" : " does not exist"),
                         ENOENT);
    }
    try {
        s.remove_stale_socket();
        s.open_listening_socket();
        s.acceptor = std::thread([&s] { s.accept_loop(); });
    } catch (...) {
        s.close_fds();
        throw;
    }
    s.running = true;
}

void AdminServer::stop() noexcept
{
    State& s = *state_;
    std::lock_guard lock(s.lifecycle);
    if (!s.running) return;
    s.running = false;

    const char byte = 1;
    while (::write(s.wake[1], &byte, 1) < 0 && errno == EINTR) {
    }
    s.acceptor.join();

    // The acceptor is gone, so the list only shrinks from here.
    std::list<State::Connection> closing;
    {
        std::lock_guard connections_lock(s.connections_mutex);
        for (auto& c : s.connections) ::shutdown(c.fd, SHUT_RDWR);
        closing.splice(closing.end(), s.connections);
    }
    for (auto& c : closing) {
        c.thread.join();  // waits for a handler still answering
        ::close(c.fd);
    }
    s.close_fds();
}

const fs::path& AdminServer::path() const noexcept { return state_->path; }

bool AdminServer::running() const noexcept { return state_->running; }

std::filesystem::path default_admin_socket(const std::string& node_name)
{
    const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    const fs::path folder = runtime_dir != nullptr && runtime_dir[0] != '\0' ? fs::path(runtime_dir) : fs::path("/tmp");
    std::string safe = node_name;
    for (char& ch : safe) {
        const bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                           ch == '_' || ch == '-';
        if (!plain) ch = '_';
    }
    return folder / ("net-mesh-" + safe + ".sock");
}

fs::path admin_socket_for(const Manifest& manifest)
{
    const auto mesh = manifest.merged.find("mesh");
    if (mesh != manifest.merged.end() && mesh->is_object()) {
        const auto configured = mesh->find("admin_socket");
        if (configured != mesh->end() && configured->is_string()) {
            const fs::path path = configured->get<std::string>();
            return path.is_absolute() ? path : manifest.file.parent_path() / path;
        }
    }
    return default_admin_socket(manifest.node.name);
}

}  // namespace net::kernel::admin
