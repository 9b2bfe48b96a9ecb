// Argument parsing for net-mesh: --name value, --name=value, and flags.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "net/kernel/admin/admin_server.hpp"
#include "net/kernel/manifest.hpp"

namespace net::cli {

bool Args::flag(const std::string& name) const
{
    return std::any_of(options.begin(), options.end(), [&](const auto& o) { return o.first == name; });
}

std::optional<std::string> Args::value(const std::string& name) const
{
    for (auto it = options.rbegin(); it != options.rend(); ++it) {
        if (it->first == name) return it->second;
    }
    return std::nullopt;
}

std::vector<std::string> Args::values(const std::string& name) const
{
    std::vector<std::string> out;
    for (const auto& o : options) {
        if (o.first == name) out.push_back(o.second);
    }
    return out;
}

std::optional<Args> parse_args(int argc, char** argv, int first, const std::vector<std::string>& with_value,
                               const std::vector<std::string>& flags)
{
    auto known = [](const std::vector<std::string>& list, const std::string& n) {
        return std::find(list.begin(), list.end(), n) != list.end();
    };
    Args args;
    for (int i = first; i < argc; ++i) {
        std::string word = argv[i];
        if (word.rfind("--", 0) != 0 || word == "--") {
            args.positional.push_back(word);
            continue;
        }
        std::string name = word;
        std::optional<std::string> inline_value;
        if (auto eq = word.find('='); eq != std::string::npos) {
            name = word.substr(0, eq);
            inline_value = word.substr(eq + 1);
        }
        if (known(with_value, name)) {
            if (inline_value) {
                args.options.emplace_back(name, *inline_value);
            } else if (i + 1 < argc) {
                args.options.emplace_back(name, argv[++i]);
            } else {
                std::cerr << "net-mesh: option " << name << " needs a value\n";
                return std::nullopt;
            }
        } else if (known(flags, name) && !inline_value) {
            args.options.emplace_back(name, "");
        } else {
            std::cerr << "net-mesh: unknown option " << word << " (see --help)\n";
            return std::nullopt;
        }
    }
    return args;
}

std::vector<std::filesystem::path> plugin_dirs(const Args& args)
{
    std::vector<std::filesystem::path> dirs;
    for (const auto& d : args.values("--plugin-path")) dirs.emplace_back(d);
    const char* env = std::getenv("NET_PLUGIN_PATH");
    if (env == nullptr || env[0] == '\0') dirs.emplace_back(NET_DEFAULT_PLUGIN_DIR);
    return dirs;
}

AdminSocketChoice admin_socket_path(const Args& args, const std::optional<std::string>& manifest,
                                    const std::string& command)
{
    const auto socket = args.value("--socket");
    if (manifest.has_value() == socket.has_value()) {
        std::cerr << "net-mesh " << command << ": give either a manifest or --socket PATH"
                  << (socket ? ", not both" : "") << " (see --help)\n";
        return {{}, exit_usage};
    }
    if (socket) {
        if (socket->empty()) {
            std::cerr << "net-mesh " << command << ": --socket expects a path\n";
            return {{}, exit_usage};
        }
        return {*socket};
    }
    try {
        kernel::LoadOptions options;
        options.resolve_libraries = false;  // only the node and mesh sections matter here
        return {kernel::admin::admin_socket_for(kernel::load_manifest(*manifest, options))};
    } catch (const kernel::ManifestError& e) {
        std::cerr << "net-mesh " << command << ": " << e.what() << "\n";
        return {{}, exit_invalid_config};
    }
}

std::optional<long long> bounded_number(const Args& args, const std::string& option, long long fallback, long long low,
                                        long long high, const std::string& command)
{
    const auto text = args.value(option);
    if (!text) return fallback;
    long long value = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size() || value < low || value > high) {
        std::cerr << "net-mesh " << command << ": " << option << " expects a whole number from " << low << " to "
                  << high << ", got \"" << *text << "\"\n";
        return std::nullopt;
    }
    return value;
}

}  // namespace net::cli
