// PluginInstance: drives one instance through the lifecycle in net/plugin.h and turns every
// failure into a PluginError whose message says which instance, which step, and why.
#include "net/kernel/plugin_instance.hpp"

#include <nlohmann/json.hpp>

#include "net/kernel/event_loop.hpp"
#include "net/kernel/plugin_library.hpp"

namespace net::kernel {

PluginInstance::PluginInstance(std::string name, std::shared_ptr<PluginLibrary> library, HostServices& services)
    : name_(std::move(name)), library_(std::move(library)), context_(make_instance_context(name_, services, library_))
{
}

PluginInstance::~PluginInstance()
{
    stop();
    destroy();
}

const char* PluginInstance::state_name(State s) noexcept
{
    switch (s) {
    case State::loaded: return "loaded";
    case State::created: return "created";
    case State::started: return "started";
    case State::stopped: return "stopped";
    case State::destroyed: return "destroyed";
    case State::failed: return "failed";
    }
    return "?";
}

std::string PluginInstance::read_last_error() const
{
    if (instance_ == nullptr) return {};
    const char* e = library_->descriptor().last_error(instance_);
    return e ? e : "";
}

std::string PluginInstance::describe(const char* step, net_status_t status, const char* plugin_error) const
{
    std::string m = "instance \"" + name_ + "\" (plugin " + library_->id() + ", " + library_->file().string() + "): " +
                    step + " failed with " + net_status_name(status) + " (" + net_status_message(status) + ")";
    if (plugin_error != nullptr && plugin_error[0] != '\0') m += ": " + std::string(plugin_error);
    return m;
}

void PluginInstance::create(const nlohmann::json& config)
{
    if (state_ != State::loaded) throw PluginError("instance \"" + name_ + "\": create called twice", NET_E_BAD_STATE);
    const std::string text = config.is_null() ? std::string("{}") : config.dump();
    net_plugin_instance_t* out = nullptr;
    const net_status_t status = library_->descriptor().create(&context_->table, text.c_str(), text.size(), &out);
    instance_ = out;
    if (status == NET_OK && out != nullptr) {
        state_ = State::created;
        return;
    }
    const net_status_t reported = status == NET_OK ? NET_E_INTERNAL : status;
    const std::string plugin_error = status == NET_OK ? "create returned NET_OK without an instance" : read_last_error();
    error_ = describe("create", reported, plugin_error.c_str());
    destroy();
    state_ = State::failed;
    throw PluginError(error_, reported);
}

void PluginInstance::start()
{
    if (state_ != State::created) {
        throw PluginError("instance \"" + name_ + "\": start in state " + state_name(state_), NET_E_BAD_STATE);
    }
    const net_status_t status = library_->descriptor().start(instance_);
    state_ = State::started;  // stop must follow start whatever it returned
    if (status == NET_OK) return;
    error_ = describe("start", status, read_last_error().c_str());
    stop();
    destroy();
    state_ = State::failed;
    throw PluginError(error_, status);
}

void PluginInstance::stop() noexcept
{
    if (state_ != State::started) return;
    library_->descriptor().stop(instance_);
    state_ = State::stopped;
    // After stop no callback of the instance runs (net/plugin.h): wait out any still running.
    context_->close_callbacks();
    // Timers the plugin forgot are cancelled for it (net/host.h promises this).
    std::unordered_set<std::uint64_t> timers;
    {
        std::lock_guard lock(context_->timers_mutex);
        timers.swap(context_->timers);
    }
    for (std::uint64_t id : timers) context_->services->loop.cancel_timer(id);
}

void PluginInstance::destroy() noexcept
{
    if (instance_ != nullptr) {
        context_->close_callbacks();
        library_->descriptor().destroy(instance_);
        instance_ = nullptr;
    }
    if (state_ != State::failed) state_ = State::destroyed;
}

const void* PluginInstance::get_interface(const char* id) const noexcept
{
    if (instance_ == nullptr || id == nullptr) return nullptr;
    return library_->descriptor().get_interface(instance_, id);
}

std::int64_t PluginInstance::buffer_refs_outstanding() const noexcept
{
    return context_->buffer_refs_taken.load(std::memory_order_relaxed) -
           context_->buffer_refs_dropped.load(std::memory_order_relaxed);
}

std::int64_t PluginInstance::interface_refs_outstanding() const noexcept
{
    return context_->interface_refs.load(std::memory_order_relaxed);
}

}  // namespace net::kernel
