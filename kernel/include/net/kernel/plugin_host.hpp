// net/kernel/plugin_host.hpp — the set of plugin instances a node runs: loads their libraries,
// validates their configs against the plugins' schemas, orders them by dependency, drives their
// lifecycles, and resolves interfaces between them.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/kernel/host_services.hpp"
#include "net/kernel/plugin_instance.hpp"

namespace net::kernel {

class PluginLibrary;

// What the host needs to know about one instance (a manifest's plugin entry, or built by hand).
struct InstanceSpec {
    std::string name;
    std::filesystem::path library;
    nlohmann::json config = nlohmann::json::object();
    std::vector<std::string> depends_on;
    // Where it was declared, for error messages: the file and the JSON pointer of the entry.
    std::filesystem::path declared_in;
    std::string pointer;
};

// A problem with the set of instances as a whole (configs, dependencies, names). what() names the
// file and JSON pointer when the instance came from a manifest.
class PluginHostError : public std::runtime_error {
public:
    enum class Kind { config, library };
    explicit PluginHostError(const std::string& message, Kind kind = Kind::config)
        : std::runtime_error(message), kind_(kind) {}
    // `library` when a plugin library could not be loaded or was refused; `config` otherwise.
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

// A dependency cycle: `cycle` lists the indexes along it, first one repeated at the end.
class DependencyCycleError : public PluginHostError {
public:
    DependencyCycleError(const std::string& message, std::vector<std::size_t> cycle)
        : PluginHostError(message), cycle_(std::move(cycle)) {}
    const std::vector<std::size_t>& cycle() const noexcept { return cycle_; }

private:
    std::vector<std::size_t> cycle_;
};

// Orders `names` so that every name comes after the names it depends on, keeping the given order
// where there is a choice. Throws DependencyCycleError ("cyclic plugin dependencies: a -> b -> a").
std::vector<std::size_t> dependency_order(const std::vector<std::string>& names,
                                          const std::vector<std::vector<std::size_t>>& depends_on);

class PluginHost final : public InterfaceResolver {
public:
    explicit PluginHost(HostServices services);
    ~PluginHost() override;  // stops and destroys whatever is still live
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    // Loads every library and validates every config and dependency without creating anything.
    // A null config is taken as {}. Throws PluginHostError.
    void load(std::vector<InstanceSpec> specs);
    // Creates then starts every instance in dependency order. On a failure, stops and destroys
    // the ones already started (in reverse) and rethrows PluginError.
    void start_all();
    // Stops then destroys in reverse dependency order. Idempotent.
    void stop_all() noexcept;

    // Kernel services offered through interface_acquire ahead of any plugin.
    void register_kernel_interface(const std::string& id, const void* vtable, void* object);

    // Instances in start order.
    std::vector<const PluginInstance*> instances() const;
    PluginInstance* find(const std::string& name) const;
    HostServices& services() noexcept { return services_; }

    std::optional<Found> resolve_interface(const char* provider, const char* id) override;

private:
    struct KernelInterface {
        const void* vtable;
        void* object;
    };

    HostServices services_;
    std::map<std::filesystem::path, std::shared_ptr<PluginLibrary>> libraries_;
    std::vector<InstanceSpec> specs_;                      // manifest order
    std::vector<std::unique_ptr<PluginInstance>> ordered_; // start order
    std::map<std::string, KernelInterface> kernel_interfaces_;
};

}  // namespace net::kernel
