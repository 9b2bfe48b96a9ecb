// cli.hpp — what the net-mesh subcommands share: exit codes, argument parsing, error printing.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace net::cli {

// Documented in docs/operator-guide.md; scripts depend on them.
enum ExitCode : int {
    exit_ok = 0,
    exit_failure = 1,         // the node failed while running, or an unexpected error
    exit_usage = 2,           // bad command line
    exit_invalid_config = 3,  // manifest or plugin config rejected
    exit_bad_plugin = 4,      // a plugin library cannot be loaded or was refused
    exit_plugin_failed = 5,   // a plugin failed in create or start
};

// A parsed command line: positional words and --options (with or without a value).
struct Args {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;  // {"--json", ""}, {"--log-level", "debug"}

    bool flag(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
};

// Parses argv[first..]. `with_value` lists the options that take a value. Returns nullopt and
// prints a message when an option is unknown or lacks its value.
std::optional<Args> parse_args(int argc, char** argv, int first, const std::vector<std::string>& with_value,
                               const std::vector<std::string>& flags);

// The plugin search path for manifest loading: --plugin-path dirs, then (when NET_PLUGIN_PATH is
// unset) the installed plugin folder.
std::vector<std::filesystem::path> plugin_dirs(const Args& args);

// Where `net-mesh status` and `net-mesh ping` find the node: --socket PATH, or from the
// manifest: its mesh.admin_socket (relative to the manifest's folder), else the default for its
// node.name (kernel::admin::default_admin_socket). Exactly one of the two must be given. On a
// problem, prints it prefixed with "net-mesh <command>: " and sets `error` to the exit code.
struct AdminSocketChoice {
    std::filesystem::path path;
    int error = exit_ok;
};
AdminSocketChoice admin_socket_path(const Args& args, const std::optional<std::string>& manifest,
                                    const std::string& command);

// The value of `option` as a whole number in [low, high], `fallback` when absent; nullopt after
// printing "net-mesh <command>: <option> expects ...".
std::optional<long long> bounded_number(const Args& args, const std::string& option, long long fallback, long long low,
                                        long long high, const std::string& command);

int run_command(const Args& args);
int check_command(const Args& args);
int plugins_inspect_command(const Args& args);
int selftest_noise_command(const Args& args);
int identity_generate_command(const Args& args);
int identity_show_command(const Args& args, bool fingerprint_only);
// `token issue` / `token inspect` (cmd_token.cpp); `sub` is the word after "token".
int token_command(const std::string& sub, const Args& args);
int status_command(const Args& args);
int ping_command(const Args& args);
int publish_command(const Args& args);
int subscribe_command(const Args& args);
int log_tail_command(const Args& args);

}  // namespace net::cli
