// net/kernel/plugin_instance.hpp — one instance of a plugin: its host table, its lifecycle
// (create → start → stop → destroy, with the failure edges of net/plugin.h), and the references
// it holds (buffers, interfaces, timers, posted tasks).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <nlohmann/json_fwd.hpp>

#include "net/kernel/host_services.hpp"
#include "net/plugin.h"

namespace net::kernel {

class PluginLibrary;

// A lifecycle call failed. what() names the instance, the plugin, the step, the status and the
// plugin's last_error.
class PluginError : public std::runtime_error {
public:
    PluginError(const std::string& message, net_status_t status) : std::runtime_error(message), status_(status) {}
    net_status_t status() const noexcept { return status_; }

private:
    net_status_t status_;
};

// Per-instance state behind a net_host_t. Shared with posted tasks and timers so that they can
// outlive the instance safely: once callbacks are closed they do nothing.
struct InstanceContext : std::enable_shared_from_this<InstanceContext> {
    net_host_t table{};
    std::string name;
    HostServices* services = nullptr;
    std::shared_ptr<PluginLibrary> library;

    // Runs a plugin's task or timer callback unless callbacks are closed. [loop]
    void run_callback(net_task_fn fn, void* user) noexcept;
    // From now on no callback of this instance starts; returns once none is running (so the
    // plugin can be destroyed safely). Must not be called from one of the instance's callbacks.
    void close_callbacks() noexcept;

    std::atomic<bool> callbacks_open{true};
    std::atomic<int> callbacks_running{0};
    alignas(64) std::atomic<std::int64_t> buffer_refs_taken{0};
    std::atomic<std::int64_t> buffer_refs_dropped{0};
    std::atomic<std::uint64_t> alloc_calls{0};
    std::atomic<std::int64_t> interface_refs{0};
    std::mutex timers_mutex;
    std::unordered_set<std::uint64_t> timers;  // armed timers; one-shots leave when they fire
};

// Builds the host table for an instance named `name`. The context keeps `library` loaded.
std::shared_ptr<InstanceContext> make_instance_context(std::string name, HostServices& services,
                                                       std::shared_ptr<PluginLibrary> library);

class PluginInstance {
public:
    enum class State { loaded, created, started, stopped, destroyed, failed };

    PluginInstance(std::string name, std::shared_ptr<PluginLibrary> library, HostServices& services);
    ~PluginInstance();  // stops and destroys if still live
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    // Calls the plugin's create with the config as JSON text (validate it first: the host does).
    // On failure destroys what create left, records the error and throws PluginError.
    void create(const nlohmann::json& config);
    // On failure calls stop then destroy, records the error and throws PluginError.
    void start();
    void stop() noexcept;
    void destroy() noexcept;

    // The instance's table for interface `id`, or nullptr. [any-thread] once created.
    const void* get_interface(const char* id) const noexcept;
    net_plugin_instance_t* handle() const noexcept { return instance_; }

    const std::string& name() const noexcept { return name_; }
    const PluginLibrary& library() const noexcept { return *library_; }
    const std::shared_ptr<PluginLibrary>& library_ptr() const noexcept { return library_; }
    State state() const noexcept { return state_; }
    static const char* state_name(State s) noexcept;
    const std::string& error() const noexcept { return error_; }
    const net_host_t* host_table() const noexcept { return &context_->table; }

    // References taken through this instance's host table and not yet given back.
    std::int64_t buffer_refs_outstanding() const noexcept;
    std::int64_t interface_refs_outstanding() const noexcept;

private:
    std::string describe(const char* step, net_status_t status, const char* plugin_error) const;
    std::string read_last_error() const;

    std::string name_;
    std::shared_ptr<PluginLibrary> library_;
    std::shared_ptr<InstanceContext> context_;
    net_plugin_instance_t* instance_ = nullptr;
    State state_ = State::loaded;
    std::string error_;
};

}  // namespace net::kernel
