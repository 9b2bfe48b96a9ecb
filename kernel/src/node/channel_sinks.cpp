#include "net/kernel/node/channel_sinks.hpp"

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/node/log_commands.hpp"

namespace net::kernel::node {

ChannelSinks::ChannelSinks(channel::Channels& channels, const ChannelsSection& section, InterfaceResolver& interfaces,
                           bus::Bus* bus, std::uint64_t self_address, Logger& logger)
    : channels_(channels), section_(section), bus_(bus), self_(self_address), logger_(logger)
{
    for (const PersistSpec& spec : section.persist) add_persist(spec, interfaces);
    if (!section.ingest.empty() && bus_ != nullptr) producer_.emplace(bus_->make_producer());
    for (const channel::ChannelName& name : section.ingest) add_ingest(name);
}

ChannelSinks::~ChannelSinks() { stop(); }

void ChannelSinks::stop() noexcept
{
    for (channel::SubscriptionId id : subscriptions_) channels_.unsubscribe(id);
    subscriptions_.clear();
    for (auto& log : logs_) log->api->close_log(log->handle);
    logs_.clear();
}

bool ChannelSinks::subscribe(const channel::ChannelName& name, channel::Visibility visibility,
                             channel::EventHandler handler)
{
    auto chain = chain_for(section_.chains, name, token::scope::subscribe, self_, section_.config.trust);
    const channel::SubscribeResult r =
        channels_.subscribe(name, visibility, chain ? *chain : token::TokenChain{}, std::move(handler));
    if (r.id == 0 || r.local != channel::Answer::accepted) {
        if (r.id != 0) channels_.unsubscribe(r.id);
        logger_.write(NET_LOG_ERROR, "channels",
                      "cannot keep channel " + name.str() + ": this node's subscription is refused: " +
                          std::string(channel::answer_message(r.local)) +
                          (r.verdict.ok() ? "" : " (" + r.verdict.message() + ")") +
                          (chain ? "" : "; no token in channels.tokens grants this node subscribe on it"));
        return false;
    }
    subscriptions_.push_back(r.id);
    return true;
}

void ChannelSinks::add_persist(const PersistSpec& spec, InterfaceResolver& interfaces)
{
    auto provider = interfaces.resolve_interface(spec.redex.empty() ? nullptr : spec.redex.c_str(), NET_IFACE_REDEX_V1);
    if (!provider) {
        logger_.write(NET_LOG_ERROR, "channels",
                      "cannot persist channel " + spec.channel.str() + ": " +
                          (spec.redex.empty() ? std::string("no instance provides " NET_IFACE_REDEX_V1)
                                              : "instance \"" + spec.redex + "\" does not provide " NET_IFACE_REDEX_V1));
        return;
    }
    auto log = std::make_unique<Log>();
    log->channel = spec.channel.str();
    log->api = static_cast<const net_redex_v1_t*>(provider->vtable);
    log->provider = std::move(*provider);
    const std::string log_name = redex_log_name(spec.channel.str());
    if (const net_status_t s = log->api->open_log(log->provider.object, log_name.c_str(), &log->handle); s != NET_OK) {
        logger_.write(NET_LOG_ERROR, "channels",
                      "cannot persist channel " + spec.channel.str() + ": opening RedEX log \"" + log_name +
                          "\" failed: " + net_status_name(s));
        return;
    }
    Log* target = log.get();
    logs_.push_back(std::move(log));
    const bool ok = subscribe(spec.channel, spec.visibility, [this, target](const channel::Delivery& d) {
        for (const channel::Event& e : d.events) {
            const net_status_t s =
                target->api->append(target->handle, {e.bytes.data(), e.bytes.size()}, NET_REDEX_TIMESTAMP_NOW, nullptr);
            (s == NET_OK ? persisted_ : persist_errors_).fetch_add(1, std::memory_order_relaxed);
        }
    });
    if (!ok) {
        target->api->close_log(target->handle);
        logs_.pop_back();
    }
}

void ChannelSinks::add_ingest(const channel::ChannelName& name)
{
    if (bus_ == nullptr) return;
    subscribe(name, channel::Visibility::global, [this, hash = name.hash64()](const channel::Delivery& d) {
        std::lock_guard lock(producer_mutex_);
        for (const channel::Event& e : d.events) {
            // The event may be a part of a larger received frame: hand the bus just its bytes.
            const auto offset = static_cast<std::size_t>(e.bytes.data() - e.buffer->data);
            net_buffer_t* ref = BufferPool::slice(e.buffer, offset, e.bytes.size());
            if (ref == nullptr) {
                ingest_refused_.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            if (bus_->publish(*producer_, hash, ref) == NET_OK) {
                ingested_.fetch_add(1, std::memory_order_relaxed);
            } else {
                BufferPool::release(ref);
                ingest_refused_.fetch_add(1, std::memory_order_relaxed);
            }
        }
    });
}

}  // namespace net::kernel::node
