// checking_host.cpp — the kernel parts a check runs plugins on.
#include "checking_host.hpp"

#include <thread>

namespace net::conformance {

CheckingHost::CheckingHost()
    : logger_(log_, NET_LOG_TRACE), loop_(1), services_{loop_, pool_, metrics_, logger_, nullptr, 0}
{
    loop_.start();
}

CheckingHost::~CheckingHost()
{
    loop_.stop();
}

std::string CheckingHost::next_instance_name()
{
    return "conformance-" + std::to_string(++instances_made_);
}

std::unique_ptr<kernel::PluginInstance> CheckingHost::make_instance(
    const std::shared_ptr<kernel::PluginLibrary>& library)
{
    return std::make_unique<kernel::PluginInstance>(next_instance_name(), library, services_);
}

void CheckingHost::let_loop_run(std::chrono::milliseconds duration)
{
    std::this_thread::sleep_for(duration);
}

DirectInstance::DirectInstance(CheckingHost& host, const std::shared_ptr<kernel::PluginLibrary>& library)
    : descriptor_(library->descriptor()),
      context_(kernel::make_instance_context(host.next_instance_name(), host.services(), library))
{
}

DirectInstance::~DirectInstance()
{
    destroy();
}

net_status_t DirectInstance::create(const std::string& config_text)
{
    net_plugin_instance_t* out = nullptr;
    const net_status_t status = descriptor_.create(&context_->table, config_text.c_str(), config_text.size(), &out);
    instance_ = out;
    return status;
}

net_status_t DirectInstance::start()
{
    return descriptor_.start(instance_);
}

void DirectInstance::stop()
{
    descriptor_.stop(instance_);
}

void DirectInstance::destroy()
{
    if (instance_ == nullptr) return;
    // As the kernel does: posted tasks and timers of a destroyed instance must not run.
    context_->close_callbacks();
    descriptor_.destroy(instance_);
    instance_ = nullptr;
}

std::string DirectInstance::last_error() const
{
    if (instance_ == nullptr) return {};
    const char* text = descriptor_.last_error(instance_);
    return text ? text : "";
}

std::int64_t DirectInstance::buffer_refs_outstanding() const noexcept
{
    return context_->buffer_refs_taken.load(std::memory_order_relaxed) -
           context_->buffer_refs_dropped.load(std::memory_order_relaxed);
}

}  // namespace net::conformance
