// Node: wires the kernel's parts together in the one order that works: loop before plugins on
// start, plugins before loop on stop.
#include "net/kernel/node.hpp"

#include "net/iface/kernel_info.h"
#include "net/iface/mesh.h"
#include "net/kernel/admin/admin_server.hpp"
#include "net/kernel/plugin_library.hpp"

namespace net::kernel {

namespace {

// net.kernel.info/1: `self` is the Node.
const char* info_node_name(void* self) { return static_cast<Node*>(self)->manifest().node.name.c_str(); }
std::uint32_t info_loop_threads(void* self) { return static_cast<Node*>(self)->loop().thread_count(); }
std::uint32_t info_abi_version(void*) { return NET_ABI_VERSION; }

constexpr net_kernel_info_v1_t kKernelInfo = {sizeof(net_kernel_info_v1_t), info_node_name, info_loop_threads,
                                              info_abi_version};

}  // namespace

std::vector<InstanceSpec> instance_specs(const Manifest& manifest)
{
    std::vector<InstanceSpec> specs;
    specs.reserve(manifest.plugins.size());
    for (const PluginEntry& p : manifest.plugins) {
        specs.push_back(InstanceSpec{p.name, p.library_path, p.config, p.depends_on, p.declared_in, p.pointer});
    }
    return specs;
}

Node::Node(Manifest manifest, std::ostream& log_out)
    : manifest_(std::move(manifest)),
      logger_(log_out, Logger::parse_level(manifest_.node.log_level).value_or(NET_LOG_INFO)),
      loop_(manifest_.node.threads)
{
    host_ = std::make_unique<PluginHost>(HostServices{loop_, buffers_, metrics_, logger_});
    host_->register_kernel_interface(NET_IFACE_KERNEL_INFO_V1, &kKernelInfo, this);
}

Node::~Node() { stop(); }

void Node::check()
{
    if (checked_) return;
    if (!manifest_.mesh.is_null()) {
        auto config = mesh::parse_mesh_config(manifest_, admin::admin_socket_for(manifest_));
        config.admin_extension = [this](const nlohmann::json& request) { return admin_extension(request); };
        mesh_ = std::make_unique<mesh::Mesh>(std::move(config), manifest_.node.name, *host_, loop_, buffers_, logger_);
        host_->register_kernel_interface(NET_IFACE_MESH_V1, mesh::Mesh::abi_table(), mesh_.get());
    }
    if (!manifest_.bus.is_null()) {
        try {
            bus_config_ = bus::parse_bus_config(manifest_.bus, "/bus");
        } catch (const bus::BusConfigError& e) {
            throw ManifestError(manifest_.file.string(), e.pointer(), e.what());
        }
    }
    if (!manifest_.channels.is_null()) channels_section_ = node::parse_channels_section(manifest_);
    host_->load(instance_specs(manifest_));
    checked_ = true;
}

nlohmann::json Node::admin_extension(const nlohmann::json& request)
{
    if (log_commands_) {
        if (auto answer = log_commands_->handle(request); !answer.is_null()) return answer;
    }
    if (auto* commands = channel_commands_view_.load(std::memory_order_acquire)) {
        if (auto answer = commands->handle(request); !answer.is_null()) return answer;
    }
    return nullptr;
}

void Node::start()
{
    check();
    loop_.start();
    logger_.write(NET_LOG_INFO, "node", "node \"" + manifest_.node.name + "\" starting " +
                                            std::to_string(manifest_.plugins.size()) + " plugin instance(s) on " +
                                            std::to_string(loop_.thread_count()) + " loop thread(s)");
    host_->start_all();
    started_ = true;
    log_commands_ = std::make_unique<node::LogCommands>(*host_);
    for (const PluginInstance* i : host_->instances()) {
        logger_.write(NET_LOG_INFO, "node", "started " + i->name() + " (" + i->library().id() + " " +
                                                i->library().descriptor().version + ")");
    }
    try {
        if (mesh_) mesh_->start();
        start_bus_and_channels();
    } catch (...) {
        stop();
        throw;
    }
}

void Node::start_bus_and_channels()
{
    if (bus_config_) {
        bus_ = std::make_unique<bus::Bus>(buffers_, bus::find_bus_adapter(*host_, bus_config_->adapter), *bus_config_,
                                          &metrics_, &logger_);
    }
    if (channels_section_ && mesh_) {
        channels_ = std::make_unique<channel::Channels>(*mesh_, buffers_, channels_section_->config);
        channels_->start(&loop_);
        sinks_ = std::make_unique<node::ChannelSinks>(*channels_, *channels_section_, *host_, bus_.get(),
                                                      mesh_->address(), logger_);
        channel_commands_ =
            std::make_unique<node::ChannelCommands>(*channels_, buffers_, *channels_section_, mesh_->address());
        channel_commands_view_.store(channel_commands_.get(), std::memory_order_release);
    }
}

void Node::stop() noexcept
{
    if (started_) logger_.write(NET_LOG_INFO, "node", "stopping node \"" + manifest_.node.name + "\"");
    if (channel_commands_) channel_commands_->close();
    if (sinks_) sinks_->stop();
    if (channels_) channels_->stop();
    if (mesh_) mesh_->stop();
    channel_commands_view_.store(nullptr, std::memory_order_release);  // no admin thread runs now
    channel_commands_.reset();
    sinks_.reset();
    channels_.reset();
    if (bus_) bus_->stop();
    bus_.reset();
    if (log_commands_) log_commands_->close();
    host_->stop_all();
    loop_.stop();
    if (started_) logger_.write(NET_LOG_INFO, "node", "stopped cleanly");
    started_ = false;
}

}  // namespace net::kernel
