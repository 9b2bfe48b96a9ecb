// redis_server.hpp — a real redis-server for tests and benchmarks: started on a free loopback port
// with its own temporary folder, ready once it answers PING with PONG (so an AOF being loaded is
// waited for), killed with SIGKILL and restarted on the same port and folder, stopped at
// destruction.
//
//     net::test::RedisServer redis({.appendonly = true, .appendfsync = "always"});
//     redis.port();                  // e.g. 40213
//     redis.cli("XLEN net:bus:0");   // runs the real redis-cli against it, returns its stdout
//     redis.kill9();                 // SIGKILL; the data that reached the AOF survives
//     redis.restart();               // same port, same folder; waits for PONG
//
// The child gets PR_SET_PDEATHSIG(SIGKILL): if the test process dies, the server dies with it. The
// kernel sends that signal when the *thread* that forked exits, so start servers from a thread
// that outlives them (the main thread of a test or benchmark). Only async-signal-safe calls run
// between fork and exec (the path and argv are prepared before fork).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net_test_support.hpp"

namespace net::test {

// Full path of `program` found on PATH, or empty.
inline std::string find_on_path(const std::string& program)
{
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        const std::filesystem::path candidate = std::filesystem::path(dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return {};
}

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
inline int free_loopback_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind to a free loopback port failed");
    }
    const int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

// Runs `command` through /bin/sh and returns its standard output; *exit_status gets its status.
inline std::string run_command(const std::string& command, int* exit_status = nullptr)
{
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
    std::array<char, 4096> chunk{};
    std::size_t n = 0;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0) out.append(chunk.data(), n);
    const int status = ::pclose(pipe);
    if (exit_status != nullptr) *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

// Quotes `word` for /bin/sh.
inline std::string shell_quote(const std::string& word)
{
    std::string q = "'";
    for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct RedisServerOptions {
    bool appendonly = false;
    std::string appendfsync = "everysec";  // with appendonly: "always", "everysec" or "no"
    bool unix_socket = false;              // also listen on <dir>/redis.sock
    int port = 0;                          // 0: pick a free loopback port
    std::vector<std::string> extra_args;   // more "--name value" words for redis-server
    std::chrono::milliseconds ready_timeout{10000};
};

class RedisServer {
public:
    // True when redis-server and redis-cli are both on PATH.
    static bool available() { return !find_on_path("redis-server").empty() && !find_on_path("redis-cli").empty(); }

    explicit RedisServer(RedisServerOptions options = {}) : options_(std::move(options))
    {
        server_path_ = find_on_path("redis-server");
        if (server_path_.empty()) throw std::runtime_error("redis-server is not on PATH");
        // A port picked here may be taken by someone else before the server binds it: try again.
        const bool pick = options_.port == 0;
        for (int attempt = 0;; ++attempt) {
            port_ = pick ? free_loopback_port() : options_.port;
            try {
                start();
                return;
            } catch (const std::exception&) {
                if (!pick || attempt >= 4) throw;
            }
        }
    }

    // A server that is not started yet: `port` is reserved by number only (nothing listens on it)
    // until start(). For "the server is down when the client starts" tests.
    struct NotStarted {};
    RedisServer(RedisServerOptions options, NotStarted) : options_(std::move(options))
    {
        server_path_ = find_on_path("redis-server");
        if (server_path_.empty()) throw std::runtime_error("redis-server is not on PATH");
        port_ = options_.port != 0 ? options_.port : free_loopback_port();
    }

    ~RedisServer() { stop(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    int port() const noexcept { return port_; }
    const std::filesystem::path& dir() const noexcept { return dir_.path(); }
    std::filesystem::path socket_path() const { return dir_.path() / "redis.sock"; }
    std::filesystem::path log_path() const { return dir_.path() / "redis.log"; }
    bool running() const noexcept { return pid_ > 0; }
    pid_t pid() const noexcept { return pid_; }

    // Starts the server (port and folder as before) and waits until it answers PONG.
    void start()
    {
        if (pid_ > 0) return;
        std::vector<std::string> words = {server_path_,
                                          "--port", std::to_string(port_),
                                          "--bind", "127.0.0.1",
                                          "--dir", dir_.path().string(),
                                          "--logfile", log_path().string(),
                                          "--daemonize", "no",
                                          "--save", "",
                                          "--appendonly", options_.appendonly ? "yes" : "no",
                                          "--appendfsync", options_.appendfsync,
                                          "--loglevel", "notice"};
        if (options_.unix_socket) {
            words.insert(words.end(), {"--unixsocket", socket_path().string(), "--unixsocketperm", "700"});
        }
        words.insert(words.end(), options_.extra_args.begin(), options_.extra_args.end());
        std::vector<char*> argv;
        for (std::string& w : words) argv.push_back(w.data());
        argv.push_back(nullptr);

        const pid_t parent = ::getpid();
        const pid_t child = ::fork();
        if (child < 0) throw std::runtime_error("fork failed");
        if (child == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) _exit(126);  // the parent died before prctl took effect
            const int devnull = ::open("/dev/null", O_RDWR);
            if (devnull >= 0) {
                ::dup2(devnull, STDIN_FILENO);
                ::dup2(devnull, STDOUT_FILENO);
                ::dup2(devnull, STDERR_FILENO);
            }
            ::execv(argv[0], argv.data());
            _exit(127);
        }
        pid_ = child;
        const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
        while (!answers_ping()) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("redis-server exited at start (port " + std::to_string(port_) + "): " + log_tail());
            }
            if (std::chrono::steady_clock::now() > deadline) {
                kill9();
                throw std::runtime_error("redis-server did not answer PING in time: " + log_tail());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    // SIGKILL, and reaps the process: what reached the AOF (and its fsync) is all that survives.
    void kill9()
    {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    // kill9() if running, then start() on the same port and folder.
    void restart()
    {
        kill9();
        start();
    }

    // SIGTERM (Redis flushes its AOF and exits), SIGKILL after 5 s. Idempotent.
    void stop() noexcept
    {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 500; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    // True when the server answers an inline PING with +PONG (or -NOAUTH: it is up, and wants a
    // password) within 500 ms. -LOADING (an AOF being read) is not an answer yet.
    bool answers_ping() const
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port_));
        bool pong = false;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
            std::string reply;
            pollfd p{fd, POLLIN, 0};
            while (reply.find("\r\n") == std::string::npos && ::poll(&p, 1, 500) == 1) {
                char buf[256];
                const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
                if (n <= 0) break;
                reply.append(buf, static_cast<std::size_t>(n));
            }
            pong = reply.rfind("+PONG", 0) == 0 || reply.rfind("-NOAUTH", 0) == 0;
        }
        ::close(fd);
        return pong;
    }

    // Runs `redis-cli -p <port> <args>` (args are passed through the shell as written) and returns
    // its standard output. Output to a pipe is redis-cli's raw format: one element per line.
    std::string cli(const std::string& args, int* exit_status = nullptr) const
    {
        return run_command("redis-cli -p " + std::to_string(port_) + " " + args + " 2>&1", exit_status);
    }

    // The same, each argument quoted for the shell.
    std::string cli_argv(const std::vector<std::string>& args, int* exit_status = nullptr) const
    {
        std::string line;
        for (const std::string& a : args) line += shell_quote(a) + " ";
        return cli(line, exit_status);
    }

    // The last lines of the server's log file, for error messages.
    std::string log_tail(std::size_t max_bytes = 2000) const
    {
        std::ifstream in(log_path(), std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
    }

private:
    RedisServerOptions options_;
    TempDir dir_;
    std::string server_path_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace net::test
