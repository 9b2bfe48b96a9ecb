// net/kernel/admin/admin_server.hpp — the node's local admin socket: a Unix domain stream socket
// on which `net-mesh status`, `net-mesh ping` and scripts ask a running node questions.
//
// Protocol: newline-delimited JSON. Each request is one line holding a JSON object with a "cmd"
// string and the command's arguments; each answer is one line holding a JSON object, either
// {"ok":true, ...result} or {"ok":false,"error":"message"}. A client may send several requests
// on one connection; answers come in request order. Bad JSON, a missing "cmd" or an unknown
// command get an ok:false answer and the connection stays usable; a request line longer than
// kMaxAdminRequestBytes gets an ok:false answer and the connection is closed. Blank lines are
// ignored. The commands and their answers are listed in status_format.hpp.
//
// Access control is the file mode: the socket is created 0600, so only the node's user can talk
// to it. Put it in a folder only that user can write to (XDG_RUNTIME_DIR is one).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "net/kernel/manifest.hpp"

namespace net::kernel::admin {

inline constexpr std::size_t kMaxAdminRequestBytes = 64 * 1024;  // one request line, newline excluded
inline constexpr std::size_t kMaxAdminConnections = 16;          // more are answered "busy" and closed

// Every admin socket problem, on the server and the client side. what() names the socket path
// and says what went wrong, with the system's errno text where there is one.
struct AdminError : std::runtime_error {
    explicit AdminError(const std::string& message, int error_number = 0)
        : std::runtime_error(message), system_errno(error_number)
    {
    }
    int system_errno;  // the errno behind the failure, 0 when none (timeout, protocol)
};

// Answers one request (a JSON object with a "cmd" string). Returns the result object: the server
// adds "ok":true unless the object has "ok" itself, so a handler may also return
// {"ok":false,"error":...}. Returns null (a default json) for a command it does not know; the
// server then answers "unknown command". Throwing fails the request with the exception's message.
// Called on the server's connection threads, possibly several at once, and may block (e.g. ping
// waiting for replies): a slow request delays only its own connection.
using AdminHandler = std::function<nlohmann::json(const nlohmann::json& request)>;

// The socket path a node named `node_name` uses when its manifest names none:
// ${XDG_RUNTIME_DIR:-/tmp}/net-mesh-<node_name>.sock, with characters other than letters,
// digits, '.', '_' and '-' in the name replaced by '_'.
std::filesystem::path default_admin_socket(const std::string& node_name);

// The socket the node `manifest` describes serves: its mesh.admin_socket (relative to the
// manifest's folder), else default_admin_socket(node.name). The node and `net-mesh status` both
// use this, so they agree.
std::filesystem::path admin_socket_for(const Manifest& manifest);

// Serves the admin protocol on a Unix socket, one thread per connection (at most
// kMaxAdminConnections), plus one accepting thread.
class AdminServer {
public:
    // `handler` must not be empty (std::invalid_argument).
    AdminServer(std::filesystem::path socket_path, AdminHandler handler);
    ~AdminServer();  // stop()
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    // Creates the socket (mode 0600) and starts accepting. The socket's folder must exist. A
    // socket file left behind by a dead process is replaced; a path on which a live server
    // answers, or that is not a socket, is refused. Throws AdminError naming the path and the
    // reason (errno text included); nothing is left behind on failure. Throws AdminError if
    // already started.
    void start();

    // Closes the listening socket and every connection, waits for handlers still running to
    // return, joins all threads and removes the socket file (if it is still the one this server
    // created). Idempotent; the server can be started again afterwards. Must not be called from
    // the handler (it would wait for itself).
    void stop() noexcept;

    const std::filesystem::path& path() const noexcept;
    bool running() const noexcept;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace net::kernel::admin
