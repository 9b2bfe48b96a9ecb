// net/kernel/node/channel_sinks.hpp — where a node keeps channel events beyond its subscribers:
// "persist" channels are appended to a RedEX log named after the channel (`net-mesh log tail`),
// "ingest" channels are published into the bus engine (and so reach its adapter). Each is a
// subscription of the node itself, made with a chain from the manifest that grants it subscribe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/iface/redex.h"
#include "net/kernel/bus/bus.hpp"
#include "net/kernel/channel/channels.hpp"
#include "net/kernel/host_services.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/node/channels_section.hpp"

namespace net::kernel::node {

class ChannelSinks {
public:
    // Subscribes the node to every persist and ingest channel of `section`. A channel whose
    // subscription this node refuses (no chain granting subscribe) or whose RedEX instance is
    // missing is logged as an error and skipped; the rest keep working. `bus` may be null when
    // `section.ingest` is empty.
    ChannelSinks(channel::Channels& channels, const ChannelsSection& section, InterfaceResolver& interfaces,
                 bus::Bus* bus, std::uint64_t self_address, Logger& logger);
    ~ChannelSinks();  // stop()
    ChannelSinks(const ChannelSinks&) = delete;
    ChannelSinks& operator=(const ChannelSinks&) = delete;

    // Ends the subscriptions and closes the logs. Before the channels, the bus and RedEX stop.
    void stop() noexcept;

    std::uint64_t persisted() const noexcept { return persisted_.load(std::memory_order_relaxed); }
    std::uint64_t persist_errors() const noexcept { return persist_errors_.load(std::memory_order_relaxed); }
    std::uint64_t ingested() const noexcept { return ingested_.load(std::memory_order_relaxed); }
    std::uint64_t ingest_refused() const noexcept { return ingest_refused_.load(std::memory_order_relaxed); }

private:
    struct Log {
        std::string channel;
        const net_redex_v1_t* api = nullptr;
        net_redex_log_t* handle = nullptr;
        InterfaceResolver::Found provider;
    };

    bool subscribe(const channel::ChannelName& name, channel::Visibility visibility, channel::EventHandler handler);
    void add_persist(const PersistSpec& spec, InterfaceResolver& interfaces);
    void add_ingest(const channel::ChannelName& name);

    channel::Channels& channels_;
    const ChannelsSection& section_;
    bus::Bus* bus_;
    std::uint64_t self_;
    Logger& logger_;
    std::vector<channel::SubscriptionId> subscriptions_;
    std::vector<std::unique_ptr<Log>> logs_;
    std::mutex producer_mutex_;  // a bus Producer is used by one thread at a time
    std::optional<bus::Producer> producer_;
    std::atomic<std::uint64_t> persisted_{0};
    std::atomic<std::uint64_t> persist_errors_{0};
    std::atomic<std::uint64_t> ingested_{0};
    std::atomic<std::uint64_t> ingest_refused_{0};
};

}  // namespace net::kernel::node
