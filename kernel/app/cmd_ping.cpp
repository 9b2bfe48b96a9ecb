// `net-mesh ping <address>`: has a running node probe another node through the mesh, then
// prints one line per probe and a min/avg/p50/max summary, like ping(8).
#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/admin/admin_client.hpp"
#include "net/kernel/admin/status_format.hpp"

namespace net::cli {

namespace {

namespace admin = kernel::admin;

constexpr const char* kUsageLine =
    "usage: net-mesh ping <address> (<manifest> | --socket PATH) [--count N] [--interval MS] [--timeout MS] [--json]\n";

// Node addresses are 48 bits: 0x and 1 to 12 hex digits.
bool is_node_address(const std::string& s)
{
    if (s.size() < 3 || s.size() > 14 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
    for (std::size_t i = 2; i < s.size(); ++i) {
        const char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
}

}  // namespace

int ping_command(const Args& args)
{
    if (args.positional.empty() || args.positional.size() > 2) {
        std::cerr << kUsageLine;
        return exit_usage;
    }
    const std::string& address = args.positional[0];
    if (!is_node_address(address)) {
        std::cerr << "net-mesh ping: \"" << address
                  << "\" is not a node address (expected 0x and up to 12 hex digits, e.g. 0x1a2b3c4d5e6f)\n";
        return exit_usage;
    }
    const auto count = bounded_number(args, "--count", 3, 1, 1000, "ping");
    const auto interval = bounded_number(args, "--interval", 200, 10, 60'000, "ping");
    const auto timeout = bounded_number(args, "--timeout", 1000, 1, 60'000, "ping");
    if (!count || !interval || !timeout) return exit_usage;
    const auto manifest = args.positional.size() == 2 ? std::optional(args.positional[1]) : std::nullopt;
    const AdminSocketChoice socket = admin_socket_path(args, manifest, "ping");
    if (socket.error != exit_ok) return socket.error;

    const nlohmann::json request{{"cmd", "ping"},
                                 {"address", address},
                                 {"count", *count},
                                 {"interval_ms", *interval},
                                 {"timeout_ms", *timeout}};
    // The node answers once the last probe is answered or timed out; allow for that, plus slack.
    const std::chrono::milliseconds patience(*count * *interval + *timeout + admin::kDefaultAdminTimeout.count());
    nlohmann::json answer;
    try {
        admin::AdminClient client(socket.path);
        answer = client.request(request, patience);
    } catch (const admin::AdminError& e) {
        std::cerr << "net-mesh ping: " << e.what() << "\n";
        return exit_failure;
    }
    const bool ok = answer.contains("ok") && answer["ok"] == true;
    if (!ok && !args.flag("--json")) {
        const auto error = answer.find("error");
        std::cerr << "net-mesh ping: the node answered: "
                  << (error != answer.end() && error->is_string() ? error->get<std::string>() : answer.dump()) << "\n";
        return exit_failure;
    }
    const admin::PingReport report = admin::format_ping(answer, *timeout);
    if (args.flag("--json")) {
        std::cout << answer.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
        std::cout << report.text;
    }
    return ok && report.received > 0 ? exit_ok : exit_failure;
}

}  // namespace net::cli
