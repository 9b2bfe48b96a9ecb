// net/kernel/node.hpp — one Net node: the kernel's parts (logger, loop, buffer pool, metrics,
// plugin host) assembled from a manifest.
#pragma once

#include <atomic>
#include <iosfwd>
#include <memory>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/manifest.hpp"
#include "net/kernel/mesh/mesh.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/bus/bus.hpp"
#include "net/kernel/channel/channels.hpp"
#include "net/kernel/node/channel_commands.hpp"
#include "net/kernel/node/channel_sinks.hpp"
#include "net/kernel/node/channels_section.hpp"
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
    // mesh (when the manifest has one), the bus engine ("bus") and the channel service
    // ("channels"). Throws PluginHostError, PluginError, mesh::MeshError or bus::BusError (after
    // undoing what had started).
    void start();
    // Stops the channel service, the mesh, the bus (draining it), the instances in reverse order,
    // then the loop. Idempotent.
    void stop() noexcept;

    const Manifest& manifest() const noexcept { return manifest_; }
    Logger& logger() noexcept { return logger_; }
    EventLoop& loop() noexcept { return loop_; }
    BufferPool& buffers() noexcept { return buffers_; }
    MetricsRegistry& metrics() noexcept { return metrics_; }
    PluginHost& plugins() noexcept { return *host_; }
    // The mesh, after check(); null when the manifest has no "mesh" section.
    mesh::Mesh* mesh() noexcept { return mesh_.get(); }
    // The bus engine and the channel service while running; null without their sections.
    bus::Bus* bus() noexcept { return bus_.get(); }
    channel::Channels* channels() noexcept { return channels_.get(); }
    const node::ChannelSinks* channel_sinks() const noexcept { return sinks_.get(); }

private:
    // Admin commands beyond the mesh's own (log_read, channel commands); null when unknown.
    nlohmann::json admin_extension(const nlohmann::json& request);
    void start_bus_and_channels();

    Manifest manifest_;
    Logger logger_;
    EventLoop loop_;
    BufferPool buffers_;
    MetricsRegistry metrics_;
    std::unique_ptr<PluginHost> host_;
    std::unique_ptr<mesh::Mesh> mesh_;  // destroyed before the plugins it uses
    std::unique_ptr<node::LogCommands> log_commands_;
    std::optional<bus::BusConfig> bus_config_;
    std::optional<node::ChannelsSection> channels_section_;
    std::unique_ptr<bus::Bus> bus_;                    // stopped after the mesh, before the plugins
    std::unique_ptr<channel::Channels> channels_;      // stopped before the mesh
    std::unique_ptr<node::ChannelSinks> sinks_;
    std::unique_ptr<node::ChannelCommands> channel_commands_;
    // What admin threads read: set once the commands exist (the admin socket serves before that).
    std::atomic<node::ChannelCommands*> channel_commands_view_{nullptr};
    bool checked_ = false;
    bool started_ = false;
};

}  // namespace net::kernel
