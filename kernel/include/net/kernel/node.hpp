// net/kernel/node.hpp — one Net node: the kernel's parts (logger, loop, buffer pool, metrics,
// plugin host) assembled from a manifest.
#pragma once

#include <iosfwd>
#include <memory>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/manifest.hpp"
#include "net/kernel/mesh/mesh.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/node/log_commands.hpp"
#include "net/kernel/plugin_host.hpp"

namespace net::kernel {

// The host's view of a manifest: one InstanceSpec per enabled plugin entry.
std::vector<InstanceSpec> instance_specs(const Manifest& manifest);

class Node {
public:
    Node(Manifest manifest, std::ostream& log_out);
    ~Node();  // stop()
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Loads and checks every plugin library, config and dependency, and the mesh section; creates
    // nothing. Throws PluginHostError or ManifestError.
    void check();
    // check(), starts the loop, creates and starts every instance in dependency order, then the
    // mesh (when the manifest has one). Throws PluginHostError, PluginError or mesh::MeshError
    // (after undoing what had started).
    void start();
    // Stops the mesh, the instances in reverse order, then the loop. Idempotent.
    void stop() noexcept;

    const Manifest& manifest() const noexcept { return manifest_; }
    Logger& logger() noexcept { return logger_; }
    EventLoop& loop() noexcept { return loop_; }
    BufferPool& buffers() noexcept { return buffers_; }
    MetricsRegistry& metrics() noexcept { return metrics_; }
    PluginHost& plugins() noexcept { return *host_; }
    // The mesh, after check(); null when the manifest has no "mesh" section.
    mesh::Mesh* mesh() noexcept { return mesh_.get(); }

private:
    // Admin commands beyond the mesh's own (log_read, channel commands); null when unknown.
    nlohmann::json admin_extension(const nlohmann::json& request);

    Manifest manifest_;
    Logger logger_;
    EventLoop loop_;
    BufferPool buffers_;
    MetricsRegistry metrics_;
    std::unique_ptr<PluginHost> host_;
    std::unique_ptr<mesh::Mesh> mesh_;  // destroyed before the plugins it uses
    std::unique_ptr<node::LogCommands> log_commands_;
    bool checked_ = false;
    bool started_ = false;
};

}  // namespace net::kernel
