// net/kernel/channel/channels.hpp — the node's channel service: named channels with visibility,
// subscriptions across the mesh (membership subprotocol 0x0004), publishing (event subprotocol
// 0x0005) and permission tokens checked on both ends. docs/channels.md explains the protocol;
// docs/tokens.md the tokens.
//
// Using it in a node (after Node::start(), so the mesh runs):
//
//     channel::ChannelsConfig cfg;
//     cfg.trust.roots = {root_public_key};           // who may issue root tokens
//     cfg.subnet = *channel::SubnetId::parse("0");  // this node's subnet (root by default)
//     channel::Channels channels(*node.mesh(), node.buffers(), cfg);
//     channels.start(&node.loop());                  // registers 0x0004/0x0005, ticks on the loop
//     auto sub = channels.subscribe(ChannelName::from("sensors/temp"), Visibility::global, chain,
//                                   [](const channel::Delivery& d) { /* d.events */ },
//                                   [](const ChannelName&, const channel::NodeAnswer& a) { /* told why */ });
//     channels.add_publisher(ChannelName::from("sensors/temp"), Visibility::global, publish_chain);
//     channels.publish(name, buffer);                // buffer: net_buffer_t* from node.buffers()
//     ...
//     channels.stop();                                // before the mesh stops
//
// Rules in short:
// - A subscription is judged by every node it reaches (this node included): each node answers
//   "accepted" or why not (token reason, visibility). The subscriber sees every answer through
//   its AnswerHandler and answers(). Events come only from nodes that accepted it.
// - A publisher registers its token chain once per channel (add_publisher); this node checks it,
//   then announces it to each subscribed node, which checks it too and caches the verdict.
//   publish() checks the cached verdict's validity window and each subscriber's in one pass.
// - Remote state is soft: a node re-announces its subscriptions and publisher tokens every
//   announce_interval; an entry not refreshed within entry_ttl, or whose node the failure detector
//   declared failed, or whose node restarted (new incarnation), is dropped.
//
// Threads: every public function is [any-thread]. Event handlers run on the publishing thread
// (local publishes) or the transport's receive thread (remote events); answer handlers on the
// receive thread, the tick's loop thread or the subscribing thread. Keep handlers short; they may
// publish, subscribe and unsubscribe (including their own subscription).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/buffer.h"
#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/channel/protocol.hpp"
#include "net/kernel/channel/transport.hpp"
#include "net/kernel/channel/visibility.hpp"
#include "net/kernel/token/verify.hpp"

namespace net::kernel {
class BufferPool;
class EventLoop;
}  // namespace net::kernel

namespace net::kernel::channel {

using SubscriptionId = std::uint64_t;

struct ChannelsConfig {
    SubnetId subnet;                 // this node's subnet (default: the root)
    token::TrustConfig trust;        // trusted root keys and clock-skew tolerance
    std::chrono::milliseconds announce_interval{1000};  // re-announce subscriptions and publisher tokens
    std::chrono::milliseconds entry_ttl{3500};          // drop remote entries not refreshed within this
    std::size_t max_frame_bytes = 1374;                 // event frame limit (the mesh's relay-safe MTU payload)
    std::size_t max_remote_entries = 65536;             // remote subscribers + publishers held, all channels
    // Clocks (tests replace them): unix seconds for token validity, steady time for expiry.
    std::function<std::int64_t()> unix_clock;                             // default token::unix_now
    std::function<std::chrono::steady_clock::time_point()> steady_clock;  // default steady_clock::now
};

struct Event {
    std::span<const std::uint8_t> bytes;
    net_buffer_t* buffer = nullptr;  // holds `bytes`; borrowed for the call (BufferPool::retain to keep)
    std::uint64_t sequence = 0;      // the publisher's per-channel sequence number
};

struct Delivery {
    const ChannelName& channel;
    std::uint64_t publisher;  // address of the publishing node (this node's for local publishes)
    std::span<const Event> events;
};

// One node's answer to this node's subscription on a channel.
struct NodeAnswer {
    std::uint64_t node = 0;  // the answering node (this node's address for its own verdict)
    Answer answer = Answer::accepted;
    int link = -1;  // the token link at fault, -1 for none
};

using EventHandler = std::function<void(const Delivery&)>;
using AnswerHandler = std::function<void(const ChannelName&, const NodeAnswer&)>;

struct SubscribeResult {
    SubscriptionId id = 0;  // 0: not subscribed (visibility differs from this node's use of the channel)
    Answer local = Answer::accepted;  // this node's own answer (events of this node need it accepted)
    token::Verdict verdict;           // the token verdict behind `local`
};

struct PublisherResult {
    Answer answer = Answer::accepted;  // accepted: registered
    token::Verdict verdict;
};

enum class PublishStatus : std::uint8_t {
    ok,
    not_publisher,    // no add_publisher for this channel
    token_invalid,    // the registered chain expired (or is not valid yet): register a new one
    event_too_large,  // an event exceeds max_event_bytes(); nothing was published
    invalid_event,    // a null buffer
};
std::string_view publish_status_name(PublishStatus s) noexcept;

struct PublishResult {
    PublishStatus status = PublishStatus::ok;
    std::size_t local_subscribers = 0;  // local subscriptions handed the events
    std::size_t remote_nodes = 0;       // nodes the events were sent to
    std::size_t send_failures = 0;      // sends the transport refused (counted, not retried)
    bool ok() const noexcept { return status == PublishStatus::ok; }
};

struct RemoteSubscriber {
    std::uint64_t node = 0;
    SubnetId subnet;
    Visibility visibility = Visibility::global;
    Answer answer = Answer::accepted;                // this node's answer to its subscription
    std::optional<Answer> publisher_answer;          // its answer to this node's publisher token
};

// X(name): the service's counters (docs/channels.md says what moves each).
#define NET_CHANNEL_COUNTERS(X)    \
    X(events_published)            \
    X(events_delivered_local)      \
    X(frames_sent)                 \
    X(frames_send_failed)          \
    X(frames_received)             \
    X(frames_malformed)            \
    X(events_received)             \
    X(events_dropped_unauthorized) \
    X(events_dropped_no_channel)   \
    X(events_gap)                  \
    X(publish_refused)             \
    X(membership_sent)             \
    X(membership_send_failed)      \
    X(membership_received)         \
    X(membership_malformed)        \
    X(subscribers_accepted)        \
    X(subscribers_refused)         \
    X(publishers_accepted)         \
    X(publishers_refused)          \
    X(entries_expired)             \
    X(entries_dropped_failed_peer) \
    X(peer_restarts)               \
    X(token_verifications)         \
    X(token_cache_hits)            \
    X(handler_exceptions)

struct ChannelsCounters {
#define NET_CHANNEL_COUNTER_FIELD(name) std::uint64_t name = 0;
    NET_CHANNEL_COUNTERS(NET_CHANNEL_COUNTER_FIELD)
#undef NET_CHANNEL_COUNTER_FIELD
};

class Channels {
public:
    // Over any transport (tests); the transport must outlive the service.
    Channels(Transport& transport, BufferPool& buffers, ChannelsConfig config);
    // Over the node's mesh (owns a MeshTransport).
    Channels(mesh::Mesh& mesh, BufferPool& buffers, ChannelsConfig config);
    ~Channels();  // stop()
    Channels(const Channels&) = delete;
    Channels& operator=(const Channels&) = delete;

    // Attaches to the transport (the mesh must be running) and, when `loop` is given, calls
    // tick() on it every announce_interval / 4 (at least every 10 ms). Without a loop the caller
    // calls tick(). Throws std::runtime_error when the subprotocols cannot be registered.
    void start(EventLoop* loop);
    // Withdraws this node's subscriptions and publisher tokens from the nodes that know them,
    // stops the timer, detaches. Idempotent. Not from inside a handler.
    void stop() noexcept;
    // Re-announces what is due, expires stale entries, withdraws failed peers' entries.
    void tick();

    // Subscribes to `channel` with a token chain granting subscribe to this node (an empty chain
    // is announced too, and every node answers "absent"). The handlers are kept until
    // unsubscribe. See SubscribeResult for the immediate answer.
    SubscribeResult subscribe(const ChannelName& channel, Visibility visibility, token::TokenChain chain,
                              EventHandler on_events, AnswerHandler on_answer = {});
    // After it returns the subscription's handlers are not running (unless it is called from one
    // of them) and will not run again.
    void unsubscribe(SubscriptionId id);
    // The latest answer of every node that answered the subscription (this node's included).
    std::vector<NodeAnswer> answers(SubscriptionId id) const;

    // Registers this node as a publisher on `channel` with a chain granting publish to it (checked
    // now; refused without registering when it does not verify). Replaces an earlier registration.
    PublisherResult add_publisher(const ChannelName& channel, Visibility visibility, token::TokenChain chain);
    void remove_publisher(const ChannelName& channel);

    // Hands `event` to every local subscriber (the same buffer: borrowed for their call) and sends
    // it to every subscribed node (encoded once). The caller keeps its reference.
    PublishResult publish(const ChannelName& channel, net_buffer_t* event);
    // The same for several events: local subscribers get them in one call, nodes in as few
    // frames as fit max_frame_bytes, with consecutive sequence numbers.
    PublishResult publish_many(const ChannelName& channel, std::span<net_buffer_t* const> events);
    // The largest event publish accepts: max_frame_bytes - 24 (frame header and length prefix).
    std::size_t max_event_bytes() const noexcept;

    // Observation (status, tests).
    std::vector<RemoteSubscriber> remote_subscribers(const ChannelName& channel) const;
    ChannelsCounters counters() const noexcept;
    nlohmann::json status() const;
    std::uint64_t incarnation() const noexcept;  // random per start; tells peers this node restarted

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace net::kernel::channel
