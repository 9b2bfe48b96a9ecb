// net/kernel/admin/admin_client.hpp — talks to a node's admin socket (protocol in
// admin_server.hpp): connect, send a request line, read the answer line, each with a deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "net/kernel/admin/admin_server.hpp"

namespace net::kernel::admin {

inline constexpr std::chrono::milliseconds kDefaultAdminTimeout{5000};
inline constexpr std::size_t kMaxAdminAnswerBytes = 16 * 1024 * 1024;

// One connection to an admin socket. Errors are AdminError with messages an operator can act
// on, e.g. "no node is serving /run/user/1000/net-mesh-a.sock (connection refused)".
class AdminClient {
public:
    // Connects within `timeout`. Throws AdminError: "no node is serving P (not found)" when
    // nothing is at P, "(connection refused)" when a file is there but nobody listens, a
    // timeout while the server's queue stays full, or the system's reason otherwise.
    explicit AdminClient(std::filesystem::path socket_path, std::chrono::milliseconds timeout = kDefaultAdminTimeout);
    ~AdminClient();
    AdminClient(AdminClient&& other) noexcept;
    AdminClient& operator=(AdminClient&& other) noexcept;
    AdminClient(const AdminClient&) = delete;
    AdminClient& operator=(const AdminClient&) = delete;

    // Sends `request` as one line and returns the node's answer (an object, ok:true or
    // ok:false — an ok:false answer is returned, not thrown). Throws AdminError when the whole
    // exchange takes longer than `timeout`, the node closes the connection first, or the answer
    // is not a JSON object (or longer than kMaxAdminAnswerBytes).
    nlohmann::json request(const nlohmann::json& request, std::chrono::milliseconds timeout = kDefaultAdminTimeout);

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    void close() noexcept;

    std::filesystem::path path_;
    int fd_ = -1;
    std::string pending_;  // bytes received after the last answer line
};

// Connects, sends one request and returns the answer; `timeout` bounds each of the two steps.
nlohmann::json admin_request(const std::filesystem::path& socket_path, const nlohmann::json& request,
                             std::chrono::milliseconds timeout = kDefaultAdminTimeout);

}  // namespace net::kernel::admin
