// net/kernel/node/channel_commands.hpp — the admin commands behind `net-mesh publish` and
// `net-mesh subscribe`, over the node's channel service.
//
// {"cmd":"publish","channel":"chat","events":["text", ...],"token":"net-token-v1...",
//  "visibility":"global"}
//   → {"ok":true,"published":N,"local_subscribers":L,"remote_nodes":R}
//   Without "token" the node presents the first chain from its manifest (channels.tokens) that
//   grants it publish on the channel. A refusal says why (the token verdict).
// {"cmd":"subscribe","channel":"chat","token":"...","visibility":"global"}
//   → {"ok":true,"subscription":ID}; ok:false with the reason when this node refuses it.
// {"cmd":"poll","subscription":ID,"wait_ms":W,"max":M}
//   → {"ok":true,"events":[{"channel","source","sequence","payload"|"payload_hex"}],
//      "answers":[{"node","answer","message"}],"dropped":D}
//   Waits up to W ms (at most 5000) for an event; "answers" are the nodes' verdicts on the
//   subscription that arrived since the last poll (refusals say why); "dropped" counts events
//   lost because the queue (10000 events) was full.
// {"cmd":"unsubscribe","subscription":ID} → {"ok":true}
// A subscription nobody polls for 30 s is removed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "net/kernel/channel/channels.hpp"
#include "net/kernel/node/channels_section.hpp"

namespace net::kernel {
class BufferPool;
}

namespace net::kernel::node {

class ChannelCommands {
public:
    ChannelCommands(channel::Channels& channels, BufferPool& buffers, const ChannelsSection& section,
                    std::uint64_t self_address);
    ~ChannelCommands();  // close()
    ChannelCommands(const ChannelCommands&) = delete;
    ChannelCommands& operator=(const ChannelCommands&) = delete;

    // The answer to `request`, or null when its "cmd" is not one of these. [any-thread]; throws
    // std::invalid_argument for a bad argument.
    nlohmann::json handle(const nlohmann::json& request);

    // Ends every admin subscription and refuses further commands. Before the channels stop.
    void close() noexcept;

    static constexpr std::size_t kQueueLimit = 10000;
    static constexpr std::chrono::seconds kIdleLimit{30};

private:
    struct Subscription {
        channel::SubscriptionId id = 0;
        std::mutex mutex;
        std::condition_variable ready;
        std::deque<nlohmann::json> events;
        std::deque<nlohmann::json> answers;
        std::uint64_t dropped = 0;
        std::chrono::steady_clock::time_point last_poll;
    };

    nlohmann::json publish(const nlohmann::json& request);
    nlohmann::json subscribe(const nlohmann::json& request);
    nlohmann::json poll(const nlohmann::json& request);
    nlohmann::json unsubscribe(const nlohmann::json& request);
    std::shared_ptr<Subscription> find(const nlohmann::json& request);
    void remove_idle();
    // The chain a request presents: its "token", else the manifest's first chain granting `scope`.
    token::TokenChain presented_chain(const nlohmann::json& request, const channel::ChannelName& name,
                                      std::uint8_t scope) const;

    channel::Channels& channels_;
    BufferPool& buffers_;
    const ChannelsSection& section_;
    std::uint64_t self_;

    std::mutex mutex_;
    bool closed_ = false;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::shared_ptr<Subscription>> subscriptions_;
    // The chain each channel's publisher registration was made with (re-registered on change).
    std::map<std::string, token::TokenChain> publishing_;
};

}  // namespace net::kernel::node
