// The channel service: local and remote subscriptions, publisher registrations, the membership
// subprotocol, the publish path and the receive path.
//
// State: `mutex` guards the master tables (channels, nodes, subscriptions). Every change that
// affects delivery rebuilds an immutable Snapshot that the publish and receive paths read through
// an atomic shared_ptr, without the mutex. Messages are built under the mutex and sent after it
// is released; handlers are called without it.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/channel/channels.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/mesh/mesh_config.hpp"
#include "net/kernel/mesh/mesh_protocol.hpp"
#include "net/kernel/wire/byte_order.hpp"
#include "net/kernel/wire/event_framing.hpp"

namespace net::kernel::channel {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;
constexpr std::uint16_t kMembership = mesh::subprotocol::channel_membership;
constexpr std::uint16_t kEvents = mesh::subprotocol::channel_events;
constexpr std::uint64_t kUnknownSequence = ~std::uint64_t{0};
constexpr std::size_t kMaxFrame = 8192;
constexpr std::size_t kDeliveryChunk = 64;  // events handed to a handler per call at most
constexpr std::size_t kCacheLimit = 1024;

std::uint64_t random_u64()
{
    std::random_device rd;
    std::uint64_t v = 0;
    while (v == 0) v = (std::uint64_t{rd()} << 32) ^ rd();
    return v;
}

// The subscriptions whose handler this thread is running (unsubscribe must not wait for them).
thread_local std::array<const void*, 8> t_running{};
thread_local std::size_t t_running_depth = 0;

bool running_here(const void* sub) noexcept
{
    for (std::size_t i = 0; i < t_running_depth && i < t_running.size(); ++i) {
        if (t_running[i] == sub) return true;
    }
    return false;
}

struct Counters {
#define NET_CHANNEL_ATOMIC(name) std::atomic<std::uint64_t> name{0};
    NET_CHANNEL_COUNTERS(NET_CHANNEL_ATOMIC)
#undef NET_CHANNEL_ATOMIC
};

inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept
{
    c.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace

std::string_view publish_status_name(PublishStatus s) noexcept
{
    switch (s) {
        case PublishStatus::ok: return "ok";
        case PublishStatus::not_publisher: return "not_publisher";
        case PublishStatus::token_invalid: return "token_invalid";
        case PublishStatus::event_too_large: return "event_too_large";
        case PublishStatus::invalid_event: return "invalid_event";
    }
    return "unknown";
}

// ---- state ----

struct LocalSub {
    SubscriptionId id = 0;
    ChannelName name;
    Visibility visibility = Visibility::global;
    std::vector<std::uint8_t> chain_bytes;
    token::Verdict verdict;  // this node's verdict on the chain
    Answer self_answer = Answer::accepted;
    EventHandler on_events;
    AnswerHandler on_answer;
    std::atomic<bool> active{true};
    std::atomic<int> inflight{0};

    explicit LocalSub(ChannelName n) : name(std::move(n)) {}
};

struct PublisherHot {
    std::atomic<std::uint64_t> next_sequence{0};
    std::int64_t not_before = 0;
    std::int64_t not_after = 0;
};

struct SourceHot {
    std::atomic<std::uint64_t> next_sequence{kUnknownSequence};
};

struct RemoteSub {
    SubnetId subnet;
    Visibility visibility = Visibility::global;
    Answer answer = Answer::accepted;
    std::int64_t not_after = 0;
    SteadyTime last_heard{};
    std::optional<Answer> publisher_answer;
};

struct RemotePub {
    SubnetId subnet;
    Visibility visibility = Visibility::global;
    Answer answer = Answer::accepted;
    std::int64_t not_after = 0;
    SteadyTime last_heard{};
    std::shared_ptr<SourceHot> hot = std::make_shared<SourceHot>();
};

struct PublisherReg {
    Visibility visibility = Visibility::global;
    std::vector<std::uint8_t> chain_bytes;
    std::shared_ptr<PublisherHot> hot;
};

struct Channel {
    explicit Channel(ChannelName n) : name(std::move(n)) {}
    ChannelName name;
    std::optional<Visibility> visibility;  // this node's use of the channel (local subs, publisher)
    std::vector<std::shared_ptr<LocalSub>> locals;
    std::map<std::uint64_t, RemoteSub> remote_subs;
    std::optional<PublisherReg> publisher;
    std::map<std::uint64_t, RemotePub> remote_pubs;
    std::map<std::uint64_t, NodeAnswer> answers;  // other nodes' answers to this node's subscription
    std::map<std::uint64_t, SteadyTime> answer_heard;
    SteadyTime last_announce{};
    SteadyTime last_publisher_announce{};

    bool empty() const noexcept
    {
        return locals.empty() && remote_subs.empty() && !publisher && remote_pubs.empty();
    }
    // The subscription whose chain this node announces: the first it accepted, else the newest.
    const LocalSub* announced() const noexcept
    {
        for (const auto& s : locals) {
            if (s->self_answer == Answer::accepted) return s.get();
        }
        return locals.empty() ? nullptr : locals.back().get();
    }
};

struct NodeState {
    std::uint64_t incarnation = 0;
    SteadyTime last_heard{};
};

// What the hot paths read.
struct View {
    explicit View(ChannelName n) : name(std::move(n)) {}
    ChannelName name;
    std::vector<std::shared_ptr<LocalSub>> locals;  // accepted by this node
    struct Remote {
        std::uint64_t node;
        std::int64_t not_after;
    };
    std::vector<Remote> remotes;  // subscribed nodes this node's publisher delivers to
    std::shared_ptr<PublisherHot> publisher;
    struct Source {
        std::uint64_t node;
        std::int64_t not_after;
        std::shared_ptr<SourceHot> hot;
    };
    std::vector<Source> sources;  // remote publishers whose token this node accepted
};

struct Snapshot {
    std::unordered_map<std::uint64_t, View> views;
};

struct Outgoing {
    std::uint64_t to;
    std::vector<std::uint8_t> bytes;
};

struct Notice {
    std::shared_ptr<LocalSub> sub;
    NodeAnswer answer;
};

struct CacheEntry {
    std::vector<std::uint8_t> bytes;
    std::uint64_t channel = 0;
    std::uint8_t scope = 0;
    std::uint64_t presenter = 0;
    token::Verdict structural;
};

struct Channels::Impl {
    Impl(Transport& t, BufferPool& b, ChannelsConfig c) : transport(t), buffers(b), config(std::move(c))
    {
        if (!config.unix_clock) config.unix_clock = &token::unix_now;
        if (!config.steady_clock) config.steady_clock = [] { return std::chrono::steady_clock::now(); };
        if (config.max_frame_bytes < kEventFrameHeader + 8) config.max_frame_bytes = kEventFrameHeader + 8;
        incarnation = random_u64();
        snapshot.store(std::make_shared<const Snapshot>());
    }

    Transport& transport;
    std::unique_ptr<Transport> owned_transport;
    BufferPool& buffers;
    ChannelsConfig config;
    std::uint64_t self = 0;
    std::uint64_t incarnation = 0;
    std::atomic<bool> running{false};
    EventLoop* loop = nullptr;
    TimerId timer = 0;
    std::mutex tick_mutex;

    mutable std::mutex mutex;
    std::unordered_map<std::uint64_t, std::unique_ptr<Channel>> channels;
    std::map<std::uint64_t, NodeState> nodes;
    std::map<SubscriptionId, std::shared_ptr<LocalSub>> subs;
    SubscriptionId next_id = 1;
    std::set<std::uint64_t> known_reachable;
    std::size_t remote_entries = 0;

    std::mutex cache_mutex;
    std::unordered_multimap<std::uint64_t, CacheEntry> cache;

    std::atomic<std::shared_ptr<const Snapshot>> snapshot;
    Counters counters;

    std::size_t frame_limit() const noexcept
    {
        return std::min({config.max_frame_bytes, transport.max_payload(), kMaxFrame});
    }
    std::size_t max_event() const noexcept { return frame_limit() - kEventFrameHeader - wire::kEventLengthPrefix; }

    // ---- tokens ----
    token::Verdict judge_chain(std::span<const std::uint8_t> bytes, std::uint64_t channel, std::uint8_t scope,
                               std::uint64_t presenter);

    // ---- master state (all [mutex]) ----
    Channel& channel_for(const ChannelName& name);
    Channel* find_channel(std::uint64_t hash);
    void erase_if_empty(std::uint64_t hash);
    void rebuild();
    void forget_node(std::uint64_t node);
    void note_node(std::uint64_t node, std::uint64_t inc, SteadyTime now);
    std::vector<std::uint8_t> subscribe_message(const Channel& ch) const;
    std::vector<std::uint8_t> publisher_message(const Channel& ch) const;
    std::vector<std::uint8_t> simple_message(MessageKind kind, const ChannelName& name) const;
    std::vector<std::uint8_t> answer_message(MessageKind about, Answer a, int link, std::uint64_t hash) const;
    void notify_answer(Channel& ch, const NodeAnswer& a, std::vector<Notice>& notices);

    // ---- I/O ----
    void send_all(std::vector<Outgoing>& out);
    void notify(std::vector<Notice>& notices);
    static void on_payload(void* ctx, std::uint64_t from, std::uint16_t id, std::span<const std::uint8_t> payload);
    void on_membership(std::uint64_t from, std::span<const std::uint8_t> payload);
    void on_events(std::uint64_t from, std::span<const std::uint8_t> payload);
    void deliver(LocalSub& sub, const Delivery& d);
    void deliver_all(const View& v, std::uint64_t publisher, std::int64_t now, const Event* events, std::size_t count,
                     std::size_t& local_count);
    void tick();
};

// ---- tokens ----

token::Verdict Channels::Impl::judge_chain(std::span<const std::uint8_t> bytes, std::uint64_t channel,
                                           std::uint8_t scope, std::uint64_t presenter)
{
    const std::int64_t now = config.unix_clock();
    const std::uint64_t key = XXH3_64bits(bytes.data(), bytes.size()) ^ channel ^ (presenter << 8) ^ scope;
    {
        std::lock_guard lock(cache_mutex);
        auto [first, last] = cache.equal_range(key);
        for (auto it = first; it != last; ++it) {
            const CacheEntry& e = it->second;
            if (e.channel == channel && e.scope == scope && e.presenter == presenter && e.bytes.size() == bytes.size() &&
                std::equal(bytes.begin(), bytes.end(), e.bytes.begin())) {
                bump(counters.token_cache_hits);
                return token::check_time(e.structural, now, config.trust.skew_seconds);
            }
        }
    }
    bump(counters.token_verifications);
    token::Request request;
    request.channel_hash = channel;
    request.scope = scope;
    request.presenter = presenter;
    request.now = now;
    token::Verdict structural;
    std::string error;
    if (bytes.empty()) {
        structural.reason = token::Reason::absent;
        structural.detail = "no token chain was presented";
    } else if (auto chain = token::decode_chain(bytes, &error)) {
        structural = token::check_chain(*chain, request, config.trust);
    } else {
        structural.reason = token::Reason::malformed;
        structural.detail = error;
    }
    {
        std::lock_guard lock(cache_mutex);
        if (cache.size() >= kCacheLimit) cache.clear();
        cache.emplace(key, CacheEntry{std::vector<std::uint8_t>(bytes.begin(), bytes.end()), channel, scope, presenter,
                                      structural});
    }
    return token::check_time(structural, now, config.trust.skew_seconds);
}

// ---- master state ----

Channel& Channels::Impl::channel_for(const ChannelName& name)
{
    auto& slot = channels[name.hash64()];
    if (!slot) slot = std::make_unique<Channel>(name);
    return *slot;
}

Channel* Channels::Impl::find_channel(std::uint64_t hash)
{
    const auto it = channels.find(hash);
    return it == channels.end() ? nullptr : it->second.get();
}

void Channels::Impl::erase_if_empty(std::uint64_t hash)
{
    const auto it = channels.find(hash);
    if (it != channels.end() && it->second->empty()) channels.erase(it);
}

void Channels::Impl::rebuild()
{
    auto snap = std::make_shared<Snapshot>();
    for (const auto& [hash, ch] : channels) {
        View v(ch->name);
        for (const auto& s : ch->locals) {
            if (s->self_answer == Answer::accepted) v.locals.push_back(s);
        }
        if (ch->publisher) {
            v.publisher = ch->publisher->hot;
            const Visibility vis = ch->publisher->visibility;
            for (const auto& [node, r] : ch->remote_subs) {
                if (r.answer != Answer::accepted) continue;
                if (r.publisher_answer && *r.publisher_answer != Answer::accepted) continue;
                if (r.visibility != vis || !visible(vis, config.subnet, r.subnet)) continue;
                v.remotes.push_back({node, r.not_after});
            }
        }
        for (const auto& [node, p] : ch->remote_pubs) {
            if (p.answer == Answer::accepted) v.sources.push_back({node, p.not_after, p.hot});
        }
        if (v.locals.empty() && v.remotes.empty() && !v.publisher && v.sources.empty()) continue;
        snap->views.emplace(hash, std::move(v));
    }
    snapshot.store(std::move(snap), std::memory_order_release);
}

void Channels::Impl::forget_node(std::uint64_t node)
{
    for (auto it = channels.begin(); it != channels.end();) {
        Channel& ch = *it->second;
        remote_entries -= ch.remote_subs.erase(node);
        remote_entries -= ch.remote_pubs.erase(node);
        ch.answers.erase(node);
        ch.answer_heard.erase(node);
        it = ch.empty() ? channels.erase(it) : std::next(it);
    }
}

void Channels::Impl::note_node(std::uint64_t node, std::uint64_t inc, SteadyTime now)
{
    NodeState& n = nodes[node];
    if (n.incarnation != 0 && n.incarnation != inc) {
        bump(counters.peer_restarts);
        forget_node(node);
        rebuild();
    }
    n.incarnation = inc;
    n.last_heard = now;
}

std::vector<std::uint8_t> Channels::Impl::subscribe_message(const Channel& ch) const
{
    const LocalSub* s = ch.announced();
    Membership m;
    m.kind = MessageKind::subscribe;
    m.incarnation = incarnation;
    m.visibility = s->visibility;
    m.subnet = config.subnet;
    m.name = ch.name.str();
    m.chain = s->chain_bytes;
    std::vector<std::uint8_t> out(membership_size(m));
    out.resize(encode_membership(m, out));
    return out;
}

std::vector<std::uint8_t> Channels::Impl::publisher_message(const Channel& ch) const
{
    Membership m;
    m.kind = MessageKind::publisher;
    m.incarnation = incarnation;
    m.visibility = ch.publisher->visibility;
    m.subnet = config.subnet;
    m.name = ch.name.str();
    m.chain = ch.publisher->chain_bytes;
    std::vector<std::uint8_t> out(membership_size(m));
    out.resize(encode_membership(m, out));
    return out;
}

std::vector<std::uint8_t> Channels::Impl::simple_message(MessageKind kind, const ChannelName& name) const
{
    Membership m;
    m.kind = kind;
    m.incarnation = incarnation;
    m.name = name.str();
    std::vector<std::uint8_t> out(membership_size(m));
    out.resize(encode_membership(m, out));
    return out;
}

std::vector<std::uint8_t> Channels::Impl::answer_message(MessageKind about, Answer a, int link, std::uint64_t hash) const
{
    Membership m;
    m.kind = MessageKind::answer;
    m.incarnation = incarnation;
    m.about = about;
    m.answer = a;
    m.link = link >= 0 && link < 16 ? static_cast<std::uint8_t>(link) : kNoLink;
    m.channel_hash = hash;
    std::vector<std::uint8_t> out(membership_size(m));
    out.resize(encode_membership(m, out));
    return out;
}

void Channels::Impl::notify_answer(Channel& ch, const NodeAnswer& a, std::vector<Notice>& notices)
{
    for (const auto& s : ch.locals) {
        if (s->on_answer) notices.push_back({s, a});
    }
}

// ---- I/O ----

void Channels::Impl::send_all(std::vector<Outgoing>& out)
{
    for (auto& o : out) {
        if (o.bytes.empty()) continue;
        if (transport.send(o.to, kMembership, o.bytes) == NET_OK) {
            bump(counters.membership_sent);
        } else {
            bump(counters.membership_send_failed);
        }
    }
    out.clear();
}

void Channels::Impl::notify(std::vector<Notice>& notices)
{
    for (auto& n : notices) {
        if (!n.sub->active.load()) continue;
        try {
            n.sub->on_answer(n.sub->name, n.answer);
        } catch (...) {
            bump(counters.handler_exceptions);
        }
    }
    notices.clear();
}

void Channels::Impl::on_payload(void* ctx, std::uint64_t from, std::uint16_t id, std::span<const std::uint8_t> payload)
{
    auto* self = static_cast<Impl*>(ctx);
    if (id == kMembership) {
        self->on_membership(from, payload);
    } else if (id == kEvents) {
        self->on_events(from, payload);
    }
}

void Channels::Impl::on_membership(std::uint64_t from, std::span<const std::uint8_t> payload)
{
    bump(counters.membership_received);
    const auto decoded = decode_membership(payload);
    if (!decoded || from == self) {
        bump(counters.membership_malformed);
        return;
    }
    const Membership& m = *decoded;
    std::optional<ChannelName> name;
    if (m.kind != MessageKind::answer) {
        name = ChannelName::parse(m.name);
        if (!name) {
            bump(counters.membership_malformed);
            return;
        }
    }
    const SteadyTime now = config.steady_clock();
    std::vector<Outgoing> out;
    std::vector<Notice> notices;

    // Judge tokens before taking the mutex (signature checks are the slow part).
    token::Verdict verdict;
    std::uint64_t hash = 0;
    if (name) hash = name->hash64();
    if (m.kind == MessageKind::subscribe || m.kind == MessageKind::publisher) {
        const std::uint8_t scope = m.kind == MessageKind::subscribe ? token::scope::subscribe : token::scope::publish;
        verdict = judge_chain(m.chain, hash, scope, from);
    }

    {
        std::lock_guard lock(mutex);
        note_node(from, m.incarnation, now);
        switch (m.kind) {
            case MessageKind::subscribe: {
                Answer a = verdict.ok() ? Answer::accepted : answer_of(verdict.reason);
                Channel& ch = channel_for(*name);
                if (a == Answer::accepted && !visible(m.visibility, config.subnet, m.subnet)) a = Answer::not_visible;
                if (a == Answer::accepted && ch.visibility && *ch.visibility != m.visibility) a = Answer::visibility_mismatch;
                auto it = ch.remote_subs.find(from);
                if (it == ch.remote_subs.end() && remote_entries >= config.max_remote_entries) a = Answer::limit;
                bump(a == Answer::accepted ? counters.subscribers_accepted : counters.subscribers_refused);
                if (a == Answer::limit) {
                    // not stored
                } else if (it == ch.remote_subs.end()) {
                    RemoteSub r;
                    r.subnet = m.subnet;
                    r.visibility = m.visibility;
                    r.answer = a;
                    r.not_after = verdict.not_after;
                    r.last_heard = now;
                    ch.remote_subs.emplace(from, r);
                    ++remote_entries;
                    rebuild();
                    if (a == Answer::accepted && ch.publisher) out.push_back({from, publisher_message(ch)});
                } else {
                    RemoteSub& r = it->second;
                    const bool changed = r.answer != a || r.subnet != m.subnet || r.visibility != m.visibility ||
                                         r.not_after != verdict.not_after;
                    r.last_heard = now;
                    if (changed) {
                        const bool newly_accepted = a == Answer::accepted && r.answer != Answer::accepted;
                        r.subnet = m.subnet;
                        r.visibility = m.visibility;
                        r.answer = a;
                        r.not_after = verdict.not_after;
                        rebuild();
                        if (newly_accepted && ch.publisher) out.push_back({from, publisher_message(ch)});
                    }
                }
                out.push_back({from, answer_message(MessageKind::subscribe, a, verdict.link, hash)});
                erase_if_empty(hash);
                break;
            }
            case MessageKind::unsubscribe: {
                if (Channel* ch = find_channel(hash)) {
                    if (ch->remote_subs.erase(from) != 0) {
                        --remote_entries;
                        erase_if_empty(hash);
                        rebuild();
                    }
                }
                break;
            }
            case MessageKind::publisher: {
                Answer a = verdict.ok() ? Answer::accepted : answer_of(verdict.reason);
                Channel& ch = channel_for(*name);
                if (a == Answer::accepted && !visible(m.visibility, m.subnet, config.subnet)) a = Answer::not_visible;
                if (a == Answer::accepted && ch.visibility && *ch.visibility != m.visibility) a = Answer::visibility_mismatch;
                auto it = ch.remote_pubs.find(from);
                if (it == ch.remote_pubs.end() && remote_entries >= config.max_remote_entries) a = Answer::limit;
                bump(a == Answer::accepted ? counters.publishers_accepted : counters.publishers_refused);
                if (a != Answer::limit) {
                    const bool fresh = it == ch.remote_pubs.end();
                    if (fresh) {
                        it = ch.remote_pubs.emplace(from, RemotePub{}).first;
                        ++remote_entries;
                    }
                    RemotePub& p = it->second;
                    const bool changed = fresh || p.answer != a || p.subnet != m.subnet || p.visibility != m.visibility ||
                                         p.not_after != verdict.not_after;
                    p.last_heard = now;
                    if (changed) {
                        p.subnet = m.subnet;
                        p.visibility = m.visibility;
                        p.answer = a;
                        p.not_after = verdict.not_after;
                        rebuild();
                    }
                }
                out.push_back({from, answer_message(MessageKind::publisher, a, verdict.link, hash)});
                erase_if_empty(hash);
                break;
            }
            case MessageKind::withdraw: {
                if (Channel* ch = find_channel(hash)) {
                    if (ch->remote_pubs.erase(from) != 0) {
                        --remote_entries;
                        erase_if_empty(hash);
                        rebuild();
                    }
                }
                break;
            }
            case MessageKind::answer: {
                Channel* ch = find_channel(m.channel_hash);
                if (ch == nullptr) break;
                const NodeAnswer na{from, m.answer, m.link == kNoLink ? -1 : static_cast<int>(m.link)};
                if (m.about == MessageKind::subscribe) {
                    if (ch->locals.empty()) break;
                    ch->answer_heard[from] = now;
                    auto it = ch->answers.find(from);
                    if (it == ch->answers.end() || it->second.answer != na.answer || it->second.link != na.link) {
                        ch->answers[from] = na;
                        notify_answer(*ch, na, notices);
                    }
                } else {
                    auto it = ch->remote_subs.find(from);
                    if (it == ch->remote_subs.end()) break;
                    if (it->second.publisher_answer != m.answer) {
                        it->second.publisher_answer = m.answer;
                        rebuild();
                    }
                }
                break;
            }
        }
    }
    send_all(out);
    notify(notices);
}

void Channels::Impl::deliver(LocalSub& sub, const Delivery& d)
{
    if (!sub.active.load()) return;
    sub.inflight.fetch_add(1);
    if (sub.active.load()) {
        const std::size_t depth = t_running_depth;
        if (depth < t_running.size()) t_running[depth] = &sub;
        ++t_running_depth;
        try {
            sub.on_events(d);
        } catch (...) {
            bump(counters.handler_exceptions);
        }
        --t_running_depth;
    }
    sub.inflight.fetch_sub(1);
}

void Channels::Impl::deliver_all(const View& v, std::uint64_t publisher, std::int64_t now, const Event* events,
                                 std::size_t count, std::size_t& local_count)
{
    const std::int64_t skew = config.trust.skew_seconds;
    for (const auto& sub : v.locals) {
        if (now - skew >= sub->verdict.not_after || now + skew < sub->verdict.not_before) continue;
        deliver(*sub, Delivery{v.name, publisher, std::span(events, count)});
        ++local_count;
        bump(counters.events_delivered_local, count);
    }
}

void Channels::Impl::on_events(std::uint64_t from, std::span<const std::uint8_t> payload)
{
    bump(counters.frames_received);
    std::span<const std::uint8_t> framed;
    const auto header = decode_event_frame(payload, framed);
    if (!header) {
        bump(counters.frames_malformed);
        return;
    }
    const auto snap = snapshot.load(std::memory_order_acquire);
    const auto vit = snap->views.find(header->channel_hash);
    if (vit == snap->views.end()) {
        bump(counters.events_dropped_no_channel, header->count);
        return;
    }
    const View& v = vit->second;
    const View::Source* source = nullptr;
    for (const auto& s : v.sources) {
        if (s.node == from) source = &s;
    }
    const std::int64_t now = config.unix_clock();
    if (source == nullptr || now - config.trust.skew_seconds >= source->not_after) {
        bump(counters.events_dropped_unauthorized, header->count);
        return;
    }
    bump(counters.events_received, header->count);
    const std::uint64_t expected = source->hot->next_sequence.exchange(header->first_sequence + header->count);
    if (expected != kUnknownSequence && header->first_sequence > expected) {
        bump(counters.events_gap, header->first_sequence - expected);
    }
    if (v.locals.empty()) {
        bump(counters.events_dropped_no_channel, header->count);
        return;
    }
    // One pooled copy of the frame's events, shared by every local subscriber.
    net_buffer_t* buffer = buffers.allocate(framed.size());
    if (buffer == nullptr) return;
    std::memcpy(buffer->data, framed.data(), framed.size());
    wire::EventReader reader(std::span<const std::uint8_t>(buffer->data, framed.size()), header->count);
    std::array<Event, kDeliveryChunk> chunk{};
    std::size_t n = 0;
    std::uint64_t seq = header->first_sequence;
    std::span<const std::uint8_t> bytes;
    std::size_t local_count = 0;
    while (reader.next(bytes)) {
        chunk[n++] = Event{bytes, buffer, seq++};
        if (n == chunk.size()) {
            deliver_all(v, from, now, chunk.data(), n, local_count);
            n = 0;
        }
    }
    if (n > 0) deliver_all(v, from, now, chunk.data(), n, local_count);
    BufferPool::release(buffer);
}

void Channels::Impl::tick()
{
    std::lock_guard tick_lock(tick_mutex);
    if (!running.load()) return;
    const SteadyTime now = config.steady_clock();
    const std::int64_t unix_now = config.unix_clock();
    const std::int64_t skew = config.trust.skew_seconds;
    const auto reachable_list = transport.reachable();
    const std::set<std::uint64_t> reachable(reachable_list.begin(), reachable_list.end());

    std::vector<std::uint64_t> known;
    {
        std::lock_guard lock(mutex);
        for (const auto& [node, st] : nodes) known.push_back(node);
    }
    std::vector<std::uint64_t> failed;
    for (std::uint64_t node : known) {
        if (transport.failed(node)) failed.push_back(node);
    }

    std::vector<Outgoing> out;
    std::vector<Notice> notices;
    {
        std::lock_guard lock(mutex);
        bool changed = false;
        for (std::uint64_t node : failed) {
            std::size_t before = remote_entries;
            forget_node(node);
            nodes.erase(node);
            bump(counters.entries_dropped_failed_peer, before - remote_entries);
            changed = changed || before != remote_entries;
        }
        for (auto it = channels.begin(); it != channels.end();) {
            Channel& ch = *it->second;
            for (auto r = ch.remote_subs.begin(); r != ch.remote_subs.end();) {
                const bool stale = now - r->second.last_heard > config.entry_ttl;
                const bool expired = r->second.answer == Answer::accepted && unix_now - skew >= r->second.not_after;
                if (stale || expired) {
                    r = ch.remote_subs.erase(r);
                    --remote_entries;
                    bump(counters.entries_expired);
                    changed = true;
                } else {
                    ++r;
                }
            }
            for (auto p = ch.remote_pubs.begin(); p != ch.remote_pubs.end();) {
                const bool stale = now - p->second.last_heard > config.entry_ttl;
                const bool expired = p->second.answer == Answer::accepted && unix_now - skew >= p->second.not_after;
                if (stale || expired) {
                    p = ch.remote_pubs.erase(p);
                    --remote_entries;
                    bump(counters.entries_expired);
                    changed = true;
                } else {
                    ++p;
                }
            }
            for (auto a = ch.answer_heard.begin(); a != ch.answer_heard.end();) {
                if (now - a->second > config.entry_ttl) {
                    ch.answers.erase(a->first);
                    a = ch.answer_heard.erase(a);
                } else {
                    ++a;
                }
            }
            // This node's own verdicts change with time too.
            for (const auto& s : ch.locals) {
                const token::Verdict timed = token::check_time(s->verdict, unix_now, skew);
                const Answer a = timed.ok() ? Answer::accepted : answer_of(timed.reason);
                if (s->verdict.ok() && a != s->self_answer) {
                    s->self_answer = a;
                    changed = true;
                    if (s->on_answer) notices.push_back({s, NodeAnswer{self, a, timed.link}});
                }
            }
            // Announcements.
            if (!ch.locals.empty()) {
                const bool due = now - ch.last_announce >= config.announce_interval;
                std::vector<std::uint8_t> msg;
                for (std::uint64_t node : reachable) {
                    if (node == self || (!due && known_reachable.count(node) != 0)) continue;
                    if (msg.empty()) msg = subscribe_message(ch);
                    out.push_back({node, msg});
                }
                if (due) ch.last_announce = now;
            }
            if (ch.publisher && now - ch.last_publisher_announce >= config.announce_interval) {
                ch.last_publisher_announce = now;
                std::vector<std::uint8_t> msg;
                for (const auto& [node, r] : ch.remote_subs) {
                    if (r.answer != Answer::accepted) continue;
                    if (msg.empty()) msg = publisher_message(ch);
                    out.push_back({node, msg});
                }
            }
            it = ch.empty() ? channels.erase(it) : std::next(it);
        }
        for (auto n = nodes.begin(); n != nodes.end();) {
            n = now - n->second.last_heard > config.entry_ttl * 4 ? nodes.erase(n) : std::next(n);
        }
        known_reachable = reachable;
        if (changed) rebuild();
    }
    send_all(out);
    notify(notices);
}

// ---- Channels ----

Channels::Channels(Transport& transport, BufferPool& buffers, ChannelsConfig config)
    : impl_(std::make_unique<Impl>(transport, buffers, std::move(config)))
{
}

Channels::Channels(mesh::Mesh& mesh, BufferPool& buffers, ChannelsConfig config)
{
    auto transport = std::make_unique<MeshTransport>(mesh);
    impl_ = std::make_unique<Impl>(*transport, buffers, std::move(config));
    impl_->owned_transport = std::move(transport);
}

Channels::~Channels()
{
    stop();
}

void Channels::start(EventLoop* loop)
{
    Impl& m = *impl_;
    if (m.running.load()) return;
    m.self = m.transport.local_address();
    const net_status_t s = m.transport.attach(&Impl::on_payload, &m);
    if (s != NET_OK) throw std::runtime_error(std::string("channels: cannot register the channel subprotocols: ") + net_status_name(s));
    m.running.store(true);
    if (loop != nullptr) {
        m.loop = loop;
        const auto period = std::max<std::chrono::nanoseconds>(m.config.announce_interval / 4, std::chrono::milliseconds(10));
        m.timer = loop->start_timer(period, period, [&m] { m.tick(); });
    }
    m.tick();
}

void Channels::stop() noexcept
{
    Impl& m = *impl_;
    if (!m.running.load()) return;
    if (m.loop != nullptr && m.timer != 0) m.loop->cancel_timer(m.timer);
    std::lock_guard tick_lock(m.tick_mutex);  // a tick in flight finishes first
    std::vector<Outgoing> out;
    {
        std::lock_guard lock(m.mutex);
        for (const auto& [hash, ch] : m.channels) {
            if (!ch->locals.empty()) {
                const auto msg = m.simple_message(MessageKind::unsubscribe, ch->name);
                for (std::uint64_t node : m.known_reachable) out.push_back({node, msg});
            }
            if (ch->publisher) {
                const auto msg = m.simple_message(MessageKind::withdraw, ch->name);
                for (const auto& [node, r] : ch->remote_subs) out.push_back({node, msg});
            }
        }
    }
    try {
        m.send_all(out);
    } catch (...) {
    }
    m.running.store(false);
    m.transport.detach();
    m.timer = 0;
    m.loop = nullptr;
}

void Channels::tick()
{
    impl_->tick();
}

SubscribeResult Channels::subscribe(const ChannelName& channel, Visibility visibility, token::TokenChain chain,
                                    EventHandler on_events, AnswerHandler on_answer)
{
    Impl& m = *impl_;
    if (m.self == 0) m.self = m.transport.local_address();
    auto sub = std::make_shared<LocalSub>(channel);
    sub->visibility = visibility;
    sub->chain_bytes = chain.empty() ? std::vector<std::uint8_t>{} : token::encode_chain(chain);
    sub->verdict = m.judge_chain(sub->chain_bytes, channel.hash64(), token::scope::subscribe, m.self);
    sub->self_answer = sub->verdict.ok() ? Answer::accepted : answer_of(sub->verdict.reason);
    sub->on_events = std::move(on_events);
    sub->on_answer = std::move(on_answer);

    SubscribeResult result;
    result.verdict = sub->verdict;
    result.local = sub->self_answer;
    const std::vector<std::uint64_t> reachable = m.running.load() ? m.transport.reachable() : std::vector<std::uint64_t>{};
    std::vector<Outgoing> out;
    {
        std::lock_guard lock(m.mutex);
        Channel& ch = m.channel_for(channel);
        if (ch.visibility && *ch.visibility != visibility) {
            result.local = Answer::visibility_mismatch;
            m.erase_if_empty(channel.hash64());
            return result;
        }
        ch.visibility = visibility;
        sub->id = m.next_id++;
        result.id = sub->id;
        m.subs.emplace(sub->id, sub);
        ch.locals.push_back(sub);
        m.rebuild();
        if (m.running.load()) {
            const auto msg = m.subscribe_message(ch);
            for (std::uint64_t node : reachable) {
                if (node != m.self) out.push_back({node, msg});
            }
            ch.last_announce = m.config.steady_clock();
        }
    }
    m.send_all(out);
    return result;
}

void Channels::unsubscribe(SubscriptionId id)
{
    Impl& m = *impl_;
    std::shared_ptr<LocalSub> sub;
    std::vector<Outgoing> out;
    {
        std::lock_guard lock(m.mutex);
        const auto it = m.subs.find(id);
        if (it == m.subs.end()) return;
        sub = it->second;
        m.subs.erase(it);
        sub->active.store(false);
        const std::uint64_t hash = sub->name.hash64();
        if (Channel* ch = m.find_channel(hash)) {
            std::erase(ch->locals, sub);
            if (ch->locals.empty()) {
                if (m.running.load()) {
                    std::set<std::uint64_t> targets = m.known_reachable;
                    for (const auto& [node, a] : ch->answers) targets.insert(node);
                    const auto msg = m.simple_message(MessageKind::unsubscribe, ch->name);
                    for (std::uint64_t node : targets) {
                        if (node != m.self) out.push_back({node, msg});
                    }
                }
                ch->answers.clear();
                ch->answer_heard.clear();
                if (!ch->publisher) ch->visibility.reset();
            } else if (ch->announced() != nullptr && m.running.load()) {
                // The announced chain may have changed: re-announce at the next tick.
                ch->last_announce = {};
            }
            m.erase_if_empty(hash);
        }
        m.rebuild();
    }
    m.send_all(out);
    if (!running_here(sub.get())) {
        while (sub->inflight.load() != 0) std::this_thread::yield();
    }
}

std::vector<NodeAnswer> Channels::answers(SubscriptionId id) const
{
    const Impl& m = *impl_;
    std::lock_guard lock(m.mutex);
    std::vector<NodeAnswer> out;
    const auto it = m.subs.find(id);
    if (it == m.subs.end()) return out;
    const LocalSub& s = *it->second;
    out.push_back(NodeAnswer{m.self, s.self_answer, s.verdict.link});
    const auto ch = m.channels.find(s.name.hash64());
    if (ch != m.channels.end()) {
        for (const auto& [node, a] : ch->second->answers) out.push_back(a);
    }
    return out;
}

PublisherResult Channels::add_publisher(const ChannelName& channel, Visibility visibility, token::TokenChain chain)
{
    Impl& m = *impl_;
    if (m.self == 0) m.self = m.transport.local_address();
    PublisherResult result;
    auto bytes = chain.empty() ? std::vector<std::uint8_t>{} : token::encode_chain(chain);
    result.verdict = m.judge_chain(bytes, channel.hash64(), token::scope::publish, m.self);
    result.answer = result.verdict.ok() ? Answer::accepted : answer_of(result.verdict.reason);
    if (!result.verdict.ok()) return result;
    std::vector<Outgoing> out;
    {
        std::lock_guard lock(m.mutex);
        Channel& ch = m.channel_for(channel);
        const bool others_use_it = !ch.locals.empty();
        if (others_use_it && ch.visibility && *ch.visibility != visibility) {
            result.answer = Answer::visibility_mismatch;
            return result;
        }
        ch.visibility = visibility;
        PublisherReg reg;
        reg.visibility = visibility;
        reg.chain_bytes = std::move(bytes);
        reg.hot = ch.publisher ? ch.publisher->hot : std::make_shared<PublisherHot>();
        if (ch.publisher) {
            // A new registration replaces the window; the sequence continues.
            auto fresh = std::make_shared<PublisherHot>();
            fresh->next_sequence.store(ch.publisher->hot->next_sequence.load());
            reg.hot = fresh;
        }
        reg.hot->not_before = result.verdict.not_before;
        reg.hot->not_after = result.verdict.not_after;
        ch.publisher = std::move(reg);
        // Answers to the previous registration no longer hold.
        for (auto& [node, r] : ch.remote_subs) r.publisher_answer.reset();
        m.rebuild();
        if (m.running.load()) {
            const auto msg = m.publisher_message(ch);
            for (const auto& [node, r] : ch.remote_subs) {
                if (r.answer == Answer::accepted) out.push_back({node, msg});
            }
            ch.last_publisher_announce = m.config.steady_clock();
        }
    }
    m.send_all(out);
    return result;
}

void Channels::remove_publisher(const ChannelName& channel)
{
    Impl& m = *impl_;
    std::vector<Outgoing> out;
    {
        std::lock_guard lock(m.mutex);
        Channel* ch = m.find_channel(channel.hash64());
        if (ch == nullptr || !ch->publisher) return;
        if (m.running.load()) {
            const auto msg = m.simple_message(MessageKind::withdraw, ch->name);
            for (const auto& [node, r] : ch->remote_subs) out.push_back({node, msg});
        }
        ch->publisher.reset();
        for (auto& [node, r] : ch->remote_subs) r.publisher_answer.reset();
        if (ch->locals.empty()) ch->visibility.reset();
        m.erase_if_empty(channel.hash64());
        m.rebuild();
    }
    m.send_all(out);
}

PublishResult Channels::publish(const ChannelName& channel, net_buffer_t* event)
{
    return publish_many(channel, std::span<net_buffer_t* const>(&event, 1));
}

PublishResult Channels::publish_many(const ChannelName& channel, std::span<net_buffer_t* const> events)
{
    Impl& m = *impl_;
    PublishResult result;
    const auto snap = m.snapshot.load(std::memory_order_acquire);
    const auto vit = snap->views.find(channel.hash64());
    if (vit == snap->views.end() || !vit->second.publisher || vit->second.name.str() != channel.str()) {
        result.status = PublishStatus::not_publisher;
        bump(m.counters.publish_refused);
        return result;
    }
    const View& v = vit->second;
    const PublisherHot& pub = *v.publisher;
    const std::int64_t now = m.config.unix_clock();
    const std::int64_t skew = m.config.trust.skew_seconds;
    if (now - skew >= pub.not_after || now + skew < pub.not_before) {
        result.status = PublishStatus::token_invalid;
        bump(m.counters.publish_refused);
        return result;
    }
    const std::size_t max_event = m.max_event();
    for (net_buffer_t* e : events) {
        if (e == nullptr) {
            result.status = PublishStatus::invalid_event;
        } else if (e->len > max_event) {
            result.status = PublishStatus::event_too_large;
        }
    }
    if (!result.ok()) {
        bump(m.counters.publish_refused);
        return result;
    }
    if (events.empty()) return result;
    const std::uint64_t first = v.publisher->next_sequence.fetch_add(events.size());
    bump(m.counters.events_published, events.size());

    // Local subscribers: the caller's buffers themselves.
    if (!v.locals.empty()) {
        std::array<Event, kDeliveryChunk> chunk{};
        for (std::size_t i = 0; i < events.size(); i += chunk.size()) {
            const std::size_t n = std::min(chunk.size(), events.size() - i);
            for (std::size_t k = 0; k < n; ++k) {
                net_buffer_t* b = events[i + k];
                chunk[k] = Event{std::span<const std::uint8_t>(b->data, b->len), b, first + i + k};
            }
            std::size_t local_count = 0;
            m.deliver_all(v, m.self, now, chunk.data(), n, local_count);
            result.local_subscribers = local_count;
        }
    }

    // Subscribed nodes: each frame encoded once, sent to every node whose subscription holds.
    std::array<std::uint64_t, 64> targets_small{};
    std::vector<std::uint64_t> targets_large;
    std::size_t target_count = 0;
    for (const auto& r : v.remotes) {
        if (now - skew >= r.not_after) continue;
        if (target_count < targets_small.size()) {
            targets_small[target_count] = r.node;
        } else {
            if (targets_large.empty()) targets_large.assign(targets_small.begin(), targets_small.end());
            targets_large.push_back(r.node);
        }
        ++target_count;
    }
    if (target_count == 0) return result;
    const std::uint64_t* targets = targets_large.empty() ? targets_small.data() : targets_large.data();
    result.remote_nodes = target_count;

    std::array<std::uint8_t, kMaxFrame> frame;
    const std::size_t limit = m.frame_limit();
    std::size_t i = 0;
    while (i < events.size()) {
        wire::EventWriter writer(std::span<std::uint8_t>(frame.data() + kEventFrameHeader, limit - kEventFrameHeader));
        const std::size_t start = i;
        while (i < events.size() &&
               writer.append(std::span<const std::uint8_t>(events[i]->data, events[i]->len)).ok()) {
            ++i;
        }
        EventFrameHeader h;
        h.count = writer.count();
        h.channel_hash = channel.hash64();
        h.first_sequence = first + start;
        encode_event_frame_header(h, frame.data());
        const std::span<const std::uint8_t> bytes(frame.data(), kEventFrameHeader + writer.size());
        for (std::size_t t = 0; t < target_count; ++t) {
            if (m.transport.send(targets[t], kEvents, bytes) == NET_OK) {
                bump(m.counters.frames_sent);
            } else {
                bump(m.counters.frames_send_failed);
                ++result.send_failures;
            }
        }
    }
    return result;
}

std::size_t Channels::max_event_bytes() const noexcept
{
    return impl_->max_event();
}

std::vector<RemoteSubscriber> Channels::remote_subscribers(const ChannelName& channel) const
{
    const Impl& m = *impl_;
    std::lock_guard lock(m.mutex);
    std::vector<RemoteSubscriber> out;
    const auto it = m.channels.find(channel.hash64());
    if (it == m.channels.end()) return out;
    for (const auto& [node, r] : it->second->remote_subs) {
        out.push_back(RemoteSubscriber{node, r.subnet, r.visibility, r.answer, r.publisher_answer});
    }
    return out;
}

ChannelsCounters Channels::counters() const noexcept
{
    ChannelsCounters out;
#define NET_CHANNEL_LOAD(name) out.name = impl_->counters.name.load(std::memory_order_relaxed);
    NET_CHANNEL_COUNTERS(NET_CHANNEL_LOAD)
#undef NET_CHANNEL_LOAD
    return out;
}

std::uint64_t Channels::incarnation() const noexcept
{
    return impl_->incarnation;
}

nlohmann::json Channels::status() const
{
    const Impl& m = *impl_;
    nlohmann::json doc;
    doc["node"] = {{"address", mesh::format_address(m.self)},
                   {"subnet", m.config.subnet.str()},
                   {"incarnation", m.incarnation},
                   {"running", m.running.load()}};
    nlohmann::json list = nlohmann::json::array();
    {
        std::lock_guard lock(m.mutex);
        for (const auto& [hash, ch] : m.channels) {
            nlohmann::json c;
            char hex[17];
            std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
            c["name"] = ch->name.str();
            c["hash64"] = hex;
            c["hash16"] = ch->name.hash16();
            c["visibility"] = ch->visibility ? std::string(visibility_name(*ch->visibility)) : std::string();
            nlohmann::json locals = nlohmann::json::array();
            for (const auto& s : ch->locals) {
                locals.push_back({{"id", s->id}, {"answer", std::string(answer_name(s->self_answer))}});
            }
            c["subscriptions"] = locals;
            nlohmann::json answers = nlohmann::json::array();
            for (const auto& [node, a] : ch->answers) {
                answers.push_back({{"node", mesh::format_address(node)}, {"answer", std::string(answer_name(a.answer))}, {"link", a.link}});
            }
            c["answers"] = answers;
            nlohmann::json subs = nlohmann::json::array();
            for (const auto& [node, r] : ch->remote_subs) {
                subs.push_back({{"node", mesh::format_address(node)},
                                {"subnet", r.subnet.str()},
                                {"answer", std::string(answer_name(r.answer))},
                                {"publisher_answer", r.publisher_answer ? std::string(answer_name(*r.publisher_answer)) : std::string()}});
            }
            c["remote_subscribers"] = subs;
            c["publisher"] = ch->publisher.has_value();
            nlohmann::json pubs = nlohmann::json::array();
            for (const auto& [node, p] : ch->remote_pubs) {
                pubs.push_back({{"node", mesh::format_address(node)},
                                {"subnet", p.subnet.str()},
                                {"answer", std::string(answer_name(p.answer))}});
            }
            c["remote_publishers"] = pubs;
            list.push_back(std::move(c));
        }
    }
    doc["channels"] = std::move(list);
    nlohmann::json& out = doc["counters"];
    const ChannelsCounters c = counters();
#define NET_CHANNEL_JSON(name) out[#name] = c.name;
    NET_CHANNEL_COUNTERS(NET_CHANNEL_JSON)
#undef NET_CHANNEL_JSON
    return doc;
}

}  // namespace net::kernel::channel
