// `net-mesh plugins inspect <library>`: what a plugin library says about itself.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/plugin_library.hpp"

namespace net::cli {

int plugins_inspect_command(const Args& args)
{
    if (args.positional.size() != 1) {
        std::cerr << "usage: net-mesh plugins inspect <library> [--json]\n";
        return exit_usage;
    }
    std::shared_ptr<kernel::PluginLibrary> lib;
    try {
        lib = kernel::PluginLibrary::load(args.positional[0]);
    } catch (const kernel::PluginLoadError& e) {
        if (args.flag("--json")) {
            std::cout << nlohmann::json{{"ok", false}, {"library", args.positional[0]}, {"error", e.what()}}.dump(2) << "\n";
        } else {
            std::cerr << "net-mesh plugins inspect: " << e.what() << "\n";
        }
        return exit_bad_plugin;
    }
    const net_plugin_descriptor_t& d = lib->descriptor();
    const std::string abi = std::to_string(NET_ABI_MAJOR(d.abi_version)) + "." + std::to_string(NET_ABI_MINOR(d.abi_version));
    nlohmann::json schema = d.config_schema ? nlohmann::json::parse(d.config_schema) : nlohmann::json();
    if (args.flag("--json")) {
        std::cout << nlohmann::json{{"ok", true},
                                    {"library", lib->file().string()},
                                    {"id", d.id},
                                    {"version", d.version},
                                    {"abi", abi},
                                    {"description", d.description ? d.description : ""},
                                    {"provides", lib->provides()},
                                    {"needs", lib->needs()},
                                    {"config_schema", schema}}
                         .dump(2)
                  << "\n";
        return exit_ok;
    }
    auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s.empty() ? std::string("(none)") : s;
    };
    std::cout << "library:      " << lib->file().string() << "\n"
              << "id:           " << d.id << "\n"
              << "version:      " << d.version << "\n"
              << "ABI:          " << abi << "\n"
              << "description:  " << (d.description ? d.description : "") << "\n"
              << "provides:     " << list(lib->provides()) << "\n"
              << "needs:        " << list(lib->needs()) << "\n"
              << "config schema:" << (schema.is_null() ? " (none: any object)" : "\n" + schema.dump(2)) << "\n";
    return exit_ok;
}

}  // namespace net::cli
