// checking_host.hpp — real kernel parts for the checks (a started one-thread EventLoop, a
// BufferPool, a MetricsRegistry, a Logger into memory) behind HostServices, plus the ways a
// check drives an instance: through PluginInstance, or through the descriptor directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/host_services.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_instance.hpp"
#include "net/kernel/plugin_library.hpp"

namespace net::conformance {

class CheckingHost {
public:
    CheckingHost();
    ~CheckingHost();
    CheckingHost(const CheckingHost&) = delete;
    CheckingHost& operator=(const CheckingHost&) = delete;

    kernel::HostServices& services() noexcept { return services_; }
    kernel::EventLoop& loop() noexcept { return loop_; }
    kernel::BufferPool& pool() noexcept { return pool_; }
    // Every Nth buffer_alloc of each instance created afterwards returns NULL (0 = never).
    void fail_every_nth_alloc(std::uint32_t n) noexcept { services_.fail_every_nth_alloc = n; }
    std::string log_text() const { return log_.str(); }

    // A fresh instance name ("conformance-1", "conformance-2", ...).
    std::string next_instance_name();
    std::unique_ptr<kernel::PluginInstance> make_instance(const std::shared_ptr<kernel::PluginLibrary>& library);

    // Lets the loop thread run the instance's timers and tasks for a while.
    static void let_loop_run(std::chrono::milliseconds duration);

private:
    std::ostringstream log_;
    kernel::Logger logger_;
    kernel::MetricsRegistry metrics_;
    kernel::BufferPool pool_;
    kernel::EventLoop loop_;
    kernel::HostServices services_;
    unsigned instances_made_ = 0;
};

// An instance driven through the descriptor, bypassing PluginInstance (and so the schema check
// and the kernel's cleanup at stop). The context keeps the library loaded and counts references.
class DirectInstance {
public:
    DirectInstance(CheckingHost& host, const std::shared_ptr<kernel::PluginLibrary>& library);
    ~DirectInstance();  // destroys what is left (without stop: call stop() first when started)
    DirectInstance(const DirectInstance&) = delete;
    DirectInstance& operator=(const DirectInstance&) = delete;

    // Calls create with exactly these bytes. Returns its status; instance() says whether it wrote one.
    net_status_t create(const std::string& config_text);
    net_status_t start();
    void stop();
    void destroy();

    net_plugin_instance_t* instance() const noexcept { return instance_; }
    std::string last_error() const;
    kernel::InstanceContext& context() noexcept { return *context_; }
    std::int64_t buffer_refs_outstanding() const noexcept;

private:
    const net_plugin_descriptor_t& descriptor_;
    std::shared_ptr<kernel::InstanceContext> context_;
    net_plugin_instance_t* instance_ = nullptr;
};

}  // namespace net::conformance
