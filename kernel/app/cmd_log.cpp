// `net-mesh log tail <channel>`: prints a channel's RedEX log entries from a running node, one
// JSON line each ({"sequence","timestamp_ns","payload"}), then with --follow the new ones.
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/admin/admin_client.hpp"

namespace net::cli {

namespace {

namespace admin = kernel::admin;

constexpr const char* kUsageLine =
    "usage: net-mesh log tail <channel> (<manifest> | --socket PATH) [--from SEQ | --last N] [--follow]"
    " [--timeout MS]\n";

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

}  // namespace

int log_tail_command(const Args& args)
{
    if (args.positional.empty() || args.positional.size() > 2) {
        std::cerr << kUsageLine;
        return exit_usage;
    }
    const std::string channel = args.positional[0];
    const auto manifest = args.positional.size() == 2 ? std::optional(args.positional[1]) : std::nullopt;
    const AdminSocketChoice socket = admin_socket_path(args, manifest, "log tail");
    if (socket.error != exit_ok) return socket.error;
    if (args.value("--from") && args.value("--last")) {
        std::cerr << "net-mesh log tail: give --from or --last, not both\n";
        return exit_usage;
    }
    const auto from = bounded_number(args, "--from", 0, 0, INT64_MAX, "log tail");
    const auto last = bounded_number(args, "--last", 10, 0, 1'000'000'000, "log tail");
    const auto timeout_ms = bounded_number(args, "--timeout", 0, 0, 86'400'000, "log tail");
    if (!from || !last || !timeout_ms) return exit_usage;
    const bool follow = args.flag("--follow");

    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(*timeout_ms);
    try {
        admin::AdminClient client(socket.path);
        nlohmann::json request{{"cmd", "log_read"}, {"channel", channel}, {"max", 256}};
        if (args.value("--from")) {
            request["from"] = *from;
        } else {
            request["last"] = *last;
        }
        for (;;) {
            request["wait_ms"] = follow ? 500 : 0;
            const nlohmann::json answer = client.request(request);
            if (!(answer.contains("ok") && answer["ok"] == true)) {
                const auto error = answer.find("error");
                std::cerr << "net-mesh log tail: "
                          << (error != answer.end() && error->is_string() ? error->get<std::string>() : answer.dump())
                          << "\n";
                return exit_failure;
            }
            const auto& entries = answer.at("entries");
            for (const auto& entry : entries) std::cout << entry.dump() << "\n";
            std::cout.flush();
            request.erase("last");
            request["from"] = answer.at("next");
            if (g_interrupted != 0) break;
            if (*timeout_ms != 0 && std::chrono::steady_clock::now() >= deadline) break;
            if (!follow && entries.empty()) break;
        }
    } catch (const admin::AdminError& e) {
        std::cerr << "net-mesh log tail: " << e.what() << "\n";
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace net::cli
