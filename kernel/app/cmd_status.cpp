// `net-mesh status`: asks a running node over its admin socket for peers, routes, streams and
// counters, and prints them as tables (or the node's JSON answer with --json).
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/admin/admin_client.hpp"
#include "net/kernel/admin/status_format.hpp"

namespace net::cli {

namespace admin = kernel::admin;

int status_command(const Args& args)
{
    if (args.positional.size() > 1) {
        std::cerr << "usage: net-mesh status (<manifest> | --socket PATH) [--json]\n";
        return exit_usage;
    }
    const auto manifest = args.positional.empty() ? std::nullopt : std::optional(args.positional[0]);
    const AdminSocketChoice socket = admin_socket_path(args, manifest, "status");
    if (socket.error != exit_ok) return socket.error;

    nlohmann::json answer;
    try {
        answer = admin::admin_request(socket.path, {{"cmd", "status"}});
    } catch (const admin::AdminError& e) {
        std::cerr << "net-mesh status: " << e.what() << "\n";
        return exit_failure;
    }
    const bool ok = answer.contains("ok") && answer["ok"] == true;
    if (args.flag("--json")) {
        std::cout << answer.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return ok ? exit_ok : exit_failure;
    }
    if (!ok) {
        const auto error = answer.find("error");
        std::cerr << "net-mesh status: the node answered: "
                  << (error != answer.end() && error->is_string() ? error->get<std::string>() : answer.dump()) << "\n";
        return exit_failure;
    }
    std::cout << admin::format_status(answer);
    return exit_ok;
}

}  // namespace net::cli
