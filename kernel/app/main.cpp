// net-mesh: run, check and inspect Net nodes and plugins.
#include <cstring>
#include <iostream>

#include "cli.hpp"

namespace {

constexpr const char* kUsage = R"(net-mesh — run and inspect Net nodes

usage:
  net-mesh run <manifest> [--log-level LEVEL] [--duration SECONDS] [--plugin-path DIR]...
      Start a node in the foreground. Ctrl-C or SIGTERM stops it cleanly; --duration stops it
      after that many seconds.
  net-mesh check <manifest> [--json] [--plugin-path DIR]...
      Validate the manifest, load every plugin library and check every config and dependency,
      without starting anything.
  net-mesh plugins inspect <library> [--json]
      Print a plugin's id, version, ABI, interfaces and config schema.
  net-mesh selftest noise <file> [--json]
      Run Noise test vectors (cacophony JSON format) through the handshake engine; prints
      pass/fail/unsupported per vector. Exit 0 unless a vector failed.
  net-mesh identity generate <key-file> [--force]
      Create a node identity (Ed25519 entity key, X25519 static key) in a key file only its
      owner can read.
  net-mesh identity show <key-file> [--json]
  net-mesh identity fingerprint <key-file>
      Print the public keys and derived ids, or just the fingerprint to compare out of band.
  net-mesh token issue --key <key-file> --subject <node-id|pubkey|key-file> --channel <name|*>
                       --scope publish,subscribe[,admin,delegate] --ttl <90s|15m|2h|7d>
                       [--not-before <now|unix|+DUR|ISO>] [--depth N] [--parent FILE]
                       [--out FILE [--force]]
      Sign a permission token with the key file's entity key; with --parent, append it to that
      chain (the key must be the parent's subject; rights, channel, time and depth may only
      narrow). Prints the chain as one line, or writes it to --out.
  net-mesh token inspect <file|-> [--json] [--trust <pubkey|key-file>]... [--channel NAME]
                         [--scope RIGHTS] [--subject <node-id|pubkey|key-file>] [--at TIME]
      Show every link of a chain and the verdict (against --trust roots when given). Exit 1
      when the chain is refused, 3 when the file is not a token chain.
  net-mesh status (<manifest> | --socket PATH) [--json]
      Ask a running node for its peers, routes, streams and counters over its admin socket: the
      manifest's mesh.admin_socket, else ${XDG_RUNTIME_DIR:-/tmp}/net-mesh-<node name>.sock.
      Exit 1 when no node answers.
  net-mesh ping <address> (<manifest> | --socket PATH) [--count N] [--interval MS] [--timeout MS]
                [--json]
      Have a running node probe a node address (0x and up to 12 hex digits) through the mesh;
      one line per probe, then min/avg/p50/max. Defaults: 3 probes, 200 ms apart, each given
      1000 ms. Exit 1 when every probe was lost.
  net-mesh publish <channel> (<manifest> | --socket PATH) [--message TEXT] [--token FILE]
      Publish on a channel through a running node: --message, or each line of stdin as one event.
  net-mesh subscribe <channel> (<manifest> | --socket PATH) [--count N] [--timeout MS] [--token FILE]
      Subscribe through a running node and print one JSON line per event
      ({"channel","source","payload"}); stops after N events, MS milliseconds or Ctrl-C.
      Exit 1 when the node refuses (the reason is printed) or fewer than N events arrived.
  net-mesh log tail <channel> (<manifest> | --socket PATH) [--from SEQ | --last N] [--follow]
                    [--timeout MS]
      Print a channel's RedEX log on a running node, one JSON line per entry
      ({"sequence","timestamp_ns","payload"}); default the last 10; --follow waits for more.
  net-mesh --help | --version

Plugins named by a bare name are searched in: --plugin-path dirs, NET_PLUGIN_PATH (colon-
separated), then the manifest's folder.

exit codes:
  0 success   1 runtime failure   2 usage error   3 invalid manifest or plugin config
  4 plugin library cannot be loaded or was refused   5 a plugin failed in create or start
)";

bool wants_help(int argc, char** argv, int from)
{
    for (int i = from; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv)
{
    using namespace net::cli;
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
        std::strcmp(argv[1], "help") == 0) {
        std::cout << kUsage;
        return argc < 2 ? exit_usage : exit_ok;
    }
    if (std::strcmp(argv[1], "--version") == 0) {
        std::cout << "net-mesh 0.1.0 (plugin ABI 1.0)\n";
        return exit_ok;
    }
    const std::string command = argv[1];
    if (wants_help(argc, argv, 2)) {
        std::cout << kUsage;
        return exit_ok;
    }
    if (command == "run") {
        auto args = parse_args(argc, argv, 2, {"--log-level", "--duration", "--plugin-path"}, {});
        return args ? run_command(*args) : exit_usage;
    }
    if (command == "check") {
        auto args = parse_args(argc, argv, 2, {"--plugin-path"}, {"--json"});
        return args ? check_command(*args) : exit_usage;
    }
    if (command == "plugins") {
        if (argc < 3 || std::strcmp(argv[2], "inspect") != 0) {
            std::cerr << "net-mesh: usage: net-mesh plugins inspect <library> [--json]\n";
            return exit_usage;
        }
        auto args = parse_args(argc, argv, 3, {}, {"--json"});
        return args ? plugins_inspect_command(*args) : exit_usage;
    }
    if (command == "selftest") {
        if (argc < 3 || std::strcmp(argv[2], "noise") != 0) {
            std::cerr << "net-mesh: usage: net-mesh selftest noise <file> [--json]\n";
            return exit_usage;
        }
        auto args = parse_args(argc, argv, 3, {}, {"--json"});
        return args ? selftest_noise_command(*args) : exit_usage;
    }
    if (command == "status") {
        auto args = parse_args(argc, argv, 2, {"--socket"}, {"--json"});
        return args ? status_command(*args) : exit_usage;
    }
    if (command == "ping") {
        auto args = parse_args(argc, argv, 2, {"--socket", "--count", "--interval", "--timeout"}, {"--json"});
        return args ? ping_command(*args) : exit_usage;
    }
    if (command == "publish") {
        auto args = parse_args(argc, argv, 2, {"--socket", "--message", "--token"}, {});
        return args ? publish_command(*args) : exit_usage;
    }
    if (command == "subscribe") {
        auto args = parse_args(argc, argv, 2, {"--socket", "--count", "--timeout", "--token"}, {});
        return args ? subscribe_command(*args) : exit_usage;
    }
    if (command == "log") {
        if (argc < 3 || std::strcmp(argv[2], "tail") != 0) {
            std::cerr << "net-mesh: usage: net-mesh log tail <channel> (<manifest> | --socket PATH) [--from SEQ | --last N]"
                         " [--follow]\n";
            return exit_usage;
        }
        auto args = parse_args(argc, argv, 3, {"--socket", "--from", "--last", "--timeout"}, {"--follow"});
        return args ? log_tail_command(*args) : exit_usage;
    }
    if (command == "identity") {
        const char* sub = argc >= 3 ? argv[2] : "";
        auto args = parse_args(argc, argv, 3, {}, {"--json", "--force"});
        if (!args) return exit_usage;
        if (std::strcmp(sub, "generate") == 0) return identity_generate_command(*args);
        if (std::strcmp(sub, "show") == 0) return identity_show_command(*args, false);
        if (std::strcmp(sub, "fingerprint") == 0) return identity_show_command(*args, true);
        std::cerr << "net-mesh: usage: net-mesh identity generate|show|fingerprint <key-file>\n";
        return exit_usage;
    }
    if (command == "token") {
        const std::string sub = argc >= 3 ? argv[2] : "";
        auto args = sub == "issue"
                        ? parse_args(argc, argv, 3,
                                     {"--key", "--subject", "--channel", "--scope", "--ttl", "--not-before", "--depth",
                                      "--parent", "--out"},
                                     {"--force"})
                        : parse_args(argc, argv, 3, {"--trust", "--channel", "--scope", "--subject", "--at"}, {"--json"});
        return args ? token_command(sub, *args) : exit_usage;
    }
    std::cerr << "net-mesh: unknown command \"" << command << "\" (see net-mesh --help)\n";
    return exit_usage;
}
