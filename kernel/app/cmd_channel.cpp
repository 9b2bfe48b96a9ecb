// `net-mesh publish <channel>` and `net-mesh subscribe <channel>`: channel traffic through a
// running node's admin socket. publish sends each line of stdin (or --message) as one event;
// subscribe prints one JSON line per event it receives (commands in admin/status_format.hpp).
#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/admin/admin_client.hpp"

namespace net::cli {

namespace {

namespace admin = kernel::admin;

constexpr std::size_t kPublishBatch = 256;  // events per admin request
constexpr std::size_t kMaxLineBytes = 60 * 1024;

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

std::string answer_error(const nlohmann::json& answer)
{
    const auto error = answer.find("error");
    return error != answer.end() && error->is_string() ? error->get<std::string>() : answer.dump();
}

bool answered_ok(const nlohmann::json& answer) { return answer.contains("ok") && answer["ok"] == true; }

// The token text of --token FILE (first non-empty line), "" without the option; nullopt after
// printing why the file cannot be used.
std::optional<std::string> token_text(const Args& args, const std::string& command)
{
    const auto file = args.value("--token");
    if (!file) return std::string();
    std::ifstream in(*file);
    if (!in) {
        std::cerr << "net-mesh " << command << ": cannot read the token file " << *file << "\n";
        return std::nullopt;
    }
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) return line;
    }
    std::cerr << "net-mesh " << command << ": the token file " << *file << " is empty\n";
    return std::nullopt;
}

}  // namespace

int publish_command(const Args& args)
{
    if (args.positional.empty() || args.positional.size() > 2) {
        std::cerr << "usage: net-mesh publish <channel> (<manifest> | --socket PATH) [--message TEXT] [--token FILE]\n";
        return exit_usage;
    }
    const std::string channel = args.positional[0];
    const auto manifest = args.positional.size() == 2 ? std::optional(args.positional[1]) : std::nullopt;
    const AdminSocketChoice socket = admin_socket_path(args, manifest, "publish");
    if (socket.error != exit_ok) return socket.error;
    const auto token = token_text(args, "publish");
    if (!token) return exit_usage;

    std::uint64_t published = 0;
    try {
        admin::AdminClient client(socket.path);
        auto send = [&](std::vector<std::string>& events) -> bool {
            if (events.empty()) return true;
            nlohmann::json request{{"cmd", "publish"}, {"channel", channel}, {"events", events}};
            if (!token->empty()) request["token"] = *token;
            const nlohmann::json answer = client.request(request);
            events.clear();
            if (!answered_ok(answer)) {
                std::cerr << "net-mesh publish: the node refused: " << answer_error(answer) << "\n";
                return false;
            }
            published += answer.value("published", std::uint64_t{0});
            return true;
        };
        std::vector<std::string> events;
        if (const auto message = args.value("--message")) {
            events.push_back(*message);
            if (!send(events)) return exit_failure;
        } else {
            std::string line;
            std::uint64_t line_number = 0;
            while (std::getline(std::cin, line)) {
                ++line_number;
                if (line.size() > kMaxLineBytes) {
                    std::cerr << "net-mesh publish: stdin line " << line_number << " has " << line.size()
                              << " bytes; an event may have at most " << kMaxLineBytes << "\n";
                    return exit_usage;
                }
                events.push_back(line);
                if (events.size() == kPublishBatch && !send(events)) return exit_failure;
            }
            if (!send(events)) return exit_failure;
        }
    } catch (const admin::AdminError& e) {
        std::cerr << "net-mesh publish: " << e.what() << "\n";
        return exit_failure;
    } catch (const nlohmann::json::exception& e) {
        std::cerr << "net-mesh publish: an event is not valid UTF-8 text (" << e.what() << ")\n";
        return exit_usage;
    }
    std::cerr << "published " << published << " event" << (published == 1 ? "" : "s") << " on " << channel << "\n";
    return exit_ok;
}

int subscribe_command(const Args& args)
{
    if (args.positional.empty() || args.positional.size() > 2) {
        std::cerr << "usage: net-mesh subscribe <channel> (<manifest> | --socket PATH) [--count N] [--timeout MS]"
                     " [--token FILE]\n";
        return exit_usage;
    }
    const std::string channel = args.positional[0];
    const auto manifest = args.positional.size() == 2 ? std::optional(args.positional[1]) : std::nullopt;
    const AdminSocketChoice socket = admin_socket_path(args, manifest, "subscribe");
    if (socket.error != exit_ok) return socket.error;
    const auto count = bounded_number(args, "--count", 0, 0, 1'000'000'000, "subscribe");
    const auto timeout_ms = bounded_number(args, "--timeout", 0, 0, 86'400'000, "subscribe");
    if (!count || !timeout_ms) return exit_usage;
    const auto token = token_text(args, "subscribe");
    if (!token) return exit_usage;

    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*timeout_ms);
    std::uint64_t received = 0;
    try {
        admin::AdminClient client(socket.path);
        nlohmann::json request{{"cmd", "subscribe"}, {"channel", channel}};
        if (!token->empty()) request["token"] = *token;
        const nlohmann::json answer = client.request(request);
        if (!answered_ok(answer)) {
            std::cerr << "net-mesh subscribe: the node refused: " << answer_error(answer) << "\n";
            return exit_failure;
        }
        const std::uint64_t id = answer.at("subscription").get<std::uint64_t>();
        while (g_interrupted == 0 && (*count == 0 || received < static_cast<std::uint64_t>(*count))) {
            if (*timeout_ms != 0 && std::chrono::steady_clock::now() >= deadline) break;
            const nlohmann::json poll = client.request({{"cmd", "poll"}, {"subscription", id}, {"wait_ms", 500}});
            if (!answered_ok(poll)) {
                std::cerr << "net-mesh subscribe: " << answer_error(poll) << "\n";
                return exit_failure;
            }
            if (const auto dropped = poll.value("dropped", std::uint64_t{0}); dropped != 0) {
                std::cerr << "net-mesh subscribe: " << dropped << " event(s) dropped (this reader was too slow)\n";
            }
            for (const auto& a : poll.value("answers", nlohmann::json::array())) {
                const std::string verdict = a.value("answer", std::string("?"));
                if (verdict == "accepted") {
                    std::cerr << "net-mesh subscribe: node " << a.value("node", std::string("?")) << " accepted\n";
                } else {
                    std::cerr << "net-mesh subscribe: node " << a.value("node", std::string("?")) << " refuses: " << verdict
                              << " (" << a.value("message", std::string()) << ")\n";
                }
            }
            for (const auto& event : poll.at("events")) {
                std::cout << event.dump() << "\n";
                ++received;
                if (*count != 0 && received >= static_cast<std::uint64_t>(*count)) break;
            }
            std::cout.flush();
        }
        client.request({{"cmd", "unsubscribe"}, {"subscription", id}});
    } catch (const admin::AdminError& e) {
        std::cerr << "net-mesh subscribe: " << e.what() << "\n";
        return exit_failure;
    }
    return *count != 0 && received < static_cast<std::uint64_t>(*count) ? exit_failure : exit_ok;
}

}  // namespace net::cli
