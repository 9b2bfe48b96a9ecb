// `net-mesh run` and `net-mesh check`: both load the manifest and everything it names; check stops
// there, run goes on to start the node and waits for Ctrl-C, SIGTERM or --duration.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/node.hpp"
#include "net/kernel/plugin_library.hpp"

namespace net::cli {

namespace {

using kernel::Manifest;
using kernel::ManifestError;
using kernel::Node;
using kernel::PluginError;
using kernel::PluginHostError;

struct Outcome {
    int code;
    std::string error;
};

// Runs `body`, mapping each kind of failure to its exit code and message.
template <class Body>
Outcome guarded(Body&& body)
{
    try {
        body();
        return {exit_ok, {}};
    } catch (const ManifestError& e) {
        return {exit_invalid_config, e.what()};
    } catch (const PluginHostError& e) {
        return {e.kind() == PluginHostError::Kind::library ? exit_bad_plugin : exit_invalid_config, e.what()};
    } catch (const PluginError& e) {
        return {exit_plugin_failed, e.what()};
    } catch (const kernel::mesh::MeshError& e) {
        return {exit_invalid_config, e.what()};
    } catch (const std::exception& e) {
        return {exit_failure, e.what()};
    }
}

Manifest load(const Args& args)
{
    kernel::LoadOptions options;
    options.plugin_path = plugin_dirs(args);
    return kernel::load_manifest(args.positional.at(0), options);
}

nlohmann::json describe_instances(Node& node)
{
    nlohmann::json out = nlohmann::json::array();
    for (const kernel::PluginInstance* i : node.plugins().instances()) {
        const auto& lib = i->library();
        out.push_back({{"name", i->name()},
                       {"plugin", lib.id()},
                       {"version", lib.descriptor().version},
                       {"library", lib.file().string()},
                       {"provides", lib.provides()},
                       {"needs", lib.needs()},
                       {"state", kernel::PluginInstance::state_name(i->state())}});
    }
    return out;
}

}  // namespace

int check_command(const Args& args)
{
    if (args.positional.size() != 1) {
        std::cerr << "usage: net-mesh check <manifest> [--json] [--plugin-path DIR]...\n";
        return exit_usage;
    }
    const bool json = args.flag("--json");
    std::unique_ptr<Node> node;
    Outcome outcome = guarded([&] {
        node = std::make_unique<Node>(load(args), std::cerr);
        node->check();
    });
    if (json) {
        nlohmann::json out{{"ok", outcome.code == exit_ok}, {"manifest", args.positional[0]}, {"exit_code", outcome.code}};
        if (outcome.code == exit_ok) {
            out["node"] = node->manifest().node.name;
            out["instances"] = describe_instances(*node);
        } else {
            out["error"] = outcome.error;
        }
        std::cout << out.dump(2) << "\n";
    } else if (outcome.code == exit_ok) {
        std::cout << args.positional[0] << ": ok — node \"" << node->manifest().node.name << "\", "
                  << node->plugins().instances().size() << " plugin instance(s), start order:";
        for (const auto* i : node->plugins().instances()) std::cout << " " << i->name();
        std::cout << "\n";
    } else {
        std::cerr << "net-mesh check: " << outcome.error << "\n";
    }
    return outcome.code;
}

int run_command(const Args& args)
{
    if (args.positional.size() != 1) {
        std::cerr << "usage: net-mesh run <manifest> [--log-level LEVEL] [--duration SECONDS] [--plugin-path DIR]...\n";
        return exit_usage;
    }
    std::optional<double> duration;
    if (auto d = args.value("--duration")) {
        try {
            duration = std::stod(*d);
        } catch (const std::exception&) {
            duration = -1;
        }
        if (*duration <= 0) {
            std::cerr << "net-mesh run: --duration expects a positive number of seconds, got \"" << *d << "\"\n";
            return exit_usage;
        }
    }
    std::unique_ptr<Node> node;
    Outcome outcome = guarded([&] {
        Manifest manifest = load(args);
        if (auto level = args.value("--log-level")) {
            if (!kernel::Logger::parse_level(*level)) {
                throw std::invalid_argument("--log-level expects trace, debug, info, warn or error, got \"" + *level + "\"");
            }
            manifest.node.log_level = *level;
        }
        node = std::make_unique<Node>(std::move(manifest), std::cerr);
        node->start();
    });
    if (outcome.code != exit_ok) {
        std::cerr << "net-mesh run: " << outcome.error << "\n";
        return outcome.code;
    }
    std::mutex mutex;
    std::condition_variable_any wake;
    std::jthread timer;
    if (duration) {
        timer = std::jthread([&, secs = *duration](std::stop_token stop) {
            std::unique_lock lock(mutex);
            wake.wait_for(lock, stop, std::chrono::duration<double>(secs), [] { return false; });
            if (!stop.stop_requested()) node->loop().request_shutdown();
        });
    }
    const int signal = node->loop().wait_for_shutdown_signal();
    node->logger().write(NET_LOG_INFO, "node",
                         signal ? "received signal " + std::to_string(signal) + ", shutting down"
                                : std::string("run time elapsed, shutting down"));
    node->stop();
    return exit_ok;
}

}  // namespace net::cli
