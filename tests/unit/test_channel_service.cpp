// The channel service over an in-process fake network with fake clocks: subscriptions judged by
// every node and answered, delivery of every event (the same buffer locally), refusals told to the
// subscriber for each token reason, visibility, publisher tokens checked by receivers, expiry,
// soft-state refresh, restarts and failed peers, frames and limits.
#define BOOST_TEST_MODULE channel_service
#include <boost/test/unit_test.hpp>

#include <deque>
#include <map>
#include <set>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/channel/channels.hpp"

using namespace net::kernel;
using namespace net::kernel::channel;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;

struct Clock {
    std::int64_t unix = kStart;
    std::chrono::steady_clock::time_point steady{std::chrono::seconds(1000)};
    void advance(std::chrono::milliseconds d)
    {
        steady += d;
        unix += std::chrono::duration_cast<std::chrono::seconds>(d).count();
    }
};

class FakeNet;

class FakeTransport final : public Transport {
public:
    FakeTransport(FakeNet& net, std::uint64_t address) : net_(net), address_(address) {}
    std::uint64_t local_address() const override { return address_; }
    net_status_t attach(Handler fn, void* ctx) override
    {
        fn_ = fn;
        ctx_ = ctx;
        return NET_OK;
    }
    void detach() noexcept override { fn_ = nullptr; }
    net_status_t send(std::uint64_t to, std::uint16_t id, std::span<const std::uint8_t> payload) override;
    std::vector<std::uint64_t> reachable() const override;
    bool failed(std::uint64_t node) const override { return failed_.count(node) != 0; }
    std::size_t max_payload() const override { return 8094; }

    void deliver(std::uint64_t from, std::uint16_t id, const std::vector<std::uint8_t>& bytes)
    {
        if (fn_ != nullptr) fn_(ctx_, from, id, bytes);
    }
    std::set<std::uint64_t> failed_;

private:
    FakeNet& net_;
    std::uint64_t address_;
    Handler fn_ = nullptr;
    void* ctx_ = nullptr;
};

class FakeNet {
public:
    struct Message {
        std::uint64_t from, to;
        std::uint16_t id;
        std::vector<std::uint8_t> bytes;
    };
    FakeTransport& add(std::uint64_t address)
    {
        auto& t = nodes_[address];
        t = std::make_unique<FakeTransport>(*this, address);
        return *t;
    }
    void send(Message m)
    {
        if (cut_.count(m.from) || cut_.count(m.to)) return;
        queue_.push_back(std::move(m));
        ++sent_[queue_.back().id];
    }
    std::vector<std::uint64_t> reachable(std::uint64_t from) const
    {
        std::vector<std::uint64_t> out;
        if (cut_.count(from)) return out;
        for (const auto& [a, t] : nodes_) {
            if (a != from && !cut_.count(a)) out.push_back(a);
        }
        return out;
    }
    void pump()
    {
        while (!queue_.empty()) {
            Message m = std::move(queue_.front());
            queue_.pop_front();
            const auto it = nodes_.find(m.to);
            if (it != nodes_.end()) it->second->deliver(m.from, m.id, m.bytes);
        }
    }
    void cut(std::uint64_t node) { cut_.insert(node); }
    void heal(std::uint64_t node) { cut_.erase(node); }
    std::map<std::uint16_t, std::size_t> sent_;

private:
    std::map<std::uint64_t, std::unique_ptr<FakeTransport>> nodes_;
    std::deque<Message> queue_;
    std::set<std::uint64_t> cut_;
};

net_status_t FakeTransport::send(std::uint64_t to, std::uint16_t id, std::span<const std::uint8_t> payload)
{
    net_.send({address_, to, id, std::vector<std::uint8_t>(payload.begin(), payload.end())});
    return NET_OK;
}

std::vector<std::uint64_t> FakeTransport::reachable() const
{
    return net_.reachable(address_);
}

// A node: identity (its address is the fake transport's), clock-driven service, received events.
struct Node {
    crypto::Identity id = crypto::Identity::generate();
    FakeTransport* transport = nullptr;
    std::unique_ptr<Channels> channels;
    std::uint64_t address() const { return id.derived().address; }
};

struct Lab {
    FakeNet net;
    Clock clock;
    BufferPool pool;
    crypto::Identity root = crypto::Identity::generate();
    std::map<std::string, Node> nodes;

    ChannelsConfig config(SubnetId subnet = {}) 
    {
        ChannelsConfig c;
        c.subnet = subnet;
        c.trust.roots = {root.entity_public()};
        c.announce_interval = 1000ms;
        c.entry_ttl = 3500ms;
        c.unix_clock = [this] { return clock.unix; };
        c.steady_clock = [this] { return clock.steady; };
        return c;
    }
    Node& add(const std::string& name, ChannelsConfig c)
    {
        Node& n = nodes[name];
        n.transport = &net.add(n.address());
        n.channels = std::make_unique<Channels>(*n.transport, pool, std::move(c));
        n.channels->start(nullptr);
        return n;
    }
    Node& add(const std::string& name) { return add(name, config()); }
    Node& operator[](const std::string& name) { return nodes.at(name); }
    // Restart: a new service (new incarnation) over the same transport and identity.
    void restart(const std::string& name, ChannelsConfig c)
    {
        Node& n = nodes.at(name);
        n.channels.reset();
        n.channels = std::make_unique<Channels>(*n.transport, pool, std::move(c));
        n.channels->start(nullptr);
    }
    void settle(int rounds = 3)
    {
        for (int i = 0; i < rounds; ++i) {
            net.pump();
            for (auto& [name, n] : nodes) {
                if (n.channels) n.channels->tick();
            }
            net.pump();
        }
    }
    void run_for(std::chrono::milliseconds total, std::chrono::milliseconds step = 250ms)
    {
        for (auto t = 0ms; t < total; t += step) {
            clock.advance(step);
            settle(1);
        }
    }

    token::TokenChain grant(const Node& to, std::uint8_t scope, const std::string& channel, std::int64_t ttl = 3600,
                            std::int64_t start = kStart - 10)
    {
        token::Token t;
        t.subject = token::Subject::of_node(to.id.derived().node_id);
        t.scope = scope;
        t.channel_hash = channel == "*" ? token::kAnyChannel : ChannelName::from(channel).hash64();
        t.not_before = start;
        t.not_after = start + ttl;
        token::sign(t, root);
        return token::TokenChain{{t}};
    }
};

// Collects deliveries.
struct Inbox {
    std::vector<std::vector<std::uint8_t>> events;
    std::vector<std::uint64_t> sequences;
    std::vector<net_buffer_t*> buffers;
    std::vector<std::uint64_t> publishers;
    std::vector<NodeAnswer> answers;
    EventHandler handler()
    {
        return [this](const Delivery& d) {
            for (const auto& e : d.events) {
                events.emplace_back(e.bytes.begin(), e.bytes.end());
                sequences.push_back(e.sequence);
                buffers.push_back(e.buffer);
                publishers.push_back(d.publisher);
            }
        };
    }
    AnswerHandler on_answer()
    {
        return [this](const ChannelName&, const NodeAnswer& a) { answers.push_back(a); };
    }
    std::optional<Answer> answer_from(std::uint64_t node) const
    {
        std::optional<Answer> last;
        for (const auto& a : answers) {
            if (a.node == node) last = a.answer;
        }
        return last;
    }
};

net_buffer_t* make_event(BufferPool& pool, std::uint64_t index, std::size_t size = 16)
{
    net_buffer_t* b = pool.allocate(size);
    std::memset(b->data, 0xAB, size);
    std::memcpy(b->data, &index, std::min<std::size_t>(8, size));
    return b;
}

const ChannelName kTemp = ChannelName::from("sensors/temp");

// a publishes, b subscribes: the common start of several tests.
void publisher_and_subscriber(Lab& lab, Inbox& inbox, SubscriptionId& sub)
{
    auto& a = lab.add("a");
    auto& b = lab.add("b");
    BOOST_REQUIRE(a.channels->add_publisher(kTemp, Visibility::global, lab.grant(a, token::scope::publish, "sensors/temp")).answer ==
                  Answer::accepted);
    const auto r = b.channels->subscribe(kTemp, Visibility::global, lab.grant(b, token::scope::subscribe, "sensors/temp"),
                                         inbox.handler(), inbox.on_answer());
    BOOST_REQUIRE(r.id != 0);
    BOOST_TEST((r.local == Answer::accepted));
    sub = r.id;
    lab.settle();
}

}  // namespace

BOOST_AUTO_TEST_CASE(valid_subscribers_get_every_event_and_local_ones_the_same_buffer)
{
    Lab lab;
    Inbox at_b;
    SubscriptionId sub_b = 0;
    publisher_and_subscriber(lab, at_b, sub_b);
    auto& a = lab["a"];
    auto& b = lab["b"];
    auto& c = lab.add("c");
    Inbox at_c, at_a;
    c.channels->subscribe(kTemp, Visibility::global, lab.grant(c, token::scope::subscribe, "*"), at_c.handler(), at_c.on_answer());
    a.channels->subscribe(kTemp, Visibility::global, lab.grant(a, token::scope::subscribe | token::scope::publish, "sensors/temp"),
                          at_a.handler());
    lab.settle();
    BOOST_TEST((at_b.answer_from(a.address()) == Answer::accepted));
    BOOST_TEST((at_c.answer_from(a.address()) == Answer::accepted));
    const auto subs = a.channels->remote_subscribers(kTemp);
    BOOST_REQUIRE(subs.size() == 2u);
    for (const auto& s : subs) {
        BOOST_TEST((s.answer == Answer::accepted));
        BOOST_TEST((s.publisher_answer == Answer::accepted));
    }

    std::vector<net_buffer_t*> sent;
    for (std::uint64_t i = 0; i < 100; ++i) {
        net_buffer_t* e = make_event(lab.pool, i);
        const auto r = a.channels->publish(kTemp, e);
        BOOST_TEST(r.ok());
        BOOST_TEST(r.remote_nodes == 2u);
        BOOST_TEST(r.local_subscribers == 1u);
        sent.push_back(e);
    }
    std::vector<net_buffer_t*> batch;
    for (std::uint64_t i = 100; i < 300; ++i) batch.push_back(make_event(lab.pool, i));
    BOOST_TEST(a.channels->publish_many(kTemp, batch).ok());
    lab.net.pump();
    for (Inbox* in : {&at_a, &at_b, &at_c}) {
        BOOST_REQUIRE(in->events.size() == 300u);
        for (std::uint64_t i = 0; i < 300; ++i) {
            std::uint64_t index = 0;
            std::memcpy(&index, in->events[i].data(), 8);
            BOOST_TEST(index == i);
            BOOST_TEST(in->sequences[i] == i);
            BOOST_TEST(in->publishers[i] == a.address());
        }
    }
    // Local delivery is the publisher's own buffer: no copy.
    for (std::size_t i = 0; i < 100; ++i) BOOST_TEST(at_a.buffers[i] == sent[i]);
    for (std::size_t i = 0; i < 200; ++i) BOOST_TEST(at_a.buffers[100 + i] == batch[i]);
    // Remote nodes get one pooled copy per frame, shared by the frame's events.
    BOOST_TEST(at_b.buffers[100] == at_b.buffers[101]);
    for (auto* e : sent) BufferPool::release(e);
    for (auto* e : batch) BufferPool::release(e);
    BOOST_TEST(b.channels->counters().events_received == 300u);
    BOOST_TEST(b.channels->counters().events_gap == 0u);
    BOOST_TEST(a.channels->counters().events_published == 300u);
    (void)sub_b;
}

BOOST_AUTO_TEST_CASE(publish_many_splits_frames_and_refuses_oversized_events)
{
    Lab lab;
    ChannelsConfig small = lab.config();
    small.max_frame_bytes = 200;
    auto& a = lab.add("a", small);
    auto& b = lab.add("b");
    Inbox at_b;
    a.channels->add_publisher(kTemp, Visibility::global, lab.grant(a, token::scope::publish, "*"));
    b.channels->subscribe(kTemp, Visibility::global, lab.grant(b, token::scope::subscribe, "*"), at_b.handler());
    lab.settle();
    BOOST_TEST(a.channels->max_event_bytes() == 200u - 24);
    std::vector<net_buffer_t*> batch;
    for (std::uint64_t i = 0; i < 20; ++i) batch.push_back(make_event(lab.pool, i, 60));  // 2 per 200-byte frame (180 bytes after the header)
    const auto frames_before = a.channels->counters().frames_sent;
    BOOST_TEST(a.channels->publish_many(kTemp, batch).ok());
    BOOST_TEST(a.channels->counters().frames_sent - frames_before == 10u);
    lab.net.pump();
    BOOST_TEST(at_b.events.size() == 20u);
    net_buffer_t* big = make_event(lab.pool, 99, 177);
    batch.push_back(big);
    const auto r = a.channels->publish_many(kTemp, batch);
    BOOST_TEST((r.status == PublishStatus::event_too_large));
    lab.net.pump();
    BOOST_TEST(at_b.events.size() == 20u);  // nothing of a refused publish
    for (auto* e : batch) BufferPool::release(e);
    // Not a publisher here; a null buffer.
    net_buffer_t* e = make_event(lab.pool, 1);
    BOOST_TEST((b.channels->publish(kTemp, e).status == PublishStatus::not_publisher));
    BOOST_TEST((a.channels->publish(ChannelName::from("other"), e).status == PublishStatus::not_publisher));
    BOOST_TEST((a.channels->publish(kTemp, nullptr).status == PublishStatus::invalid_event));
    BufferPool::release(e);
}

BOOST_AUTO_TEST_CASE(refused_subscribers_receive_nothing_and_are_told_why)
{
    Lab lab;
    auto& a = lab.add("a");
    auto& c = lab.add("c");
    a.channels->add_publisher(kTemp, Visibility::global, lab.grant(a, token::scope::publish, "sensors/temp"));
    const auto other_root = crypto::Identity::generate();
    const auto other = crypto::Identity::generate();

    auto forged = lab.grant(c, token::scope::subscribe, "sensors/temp");
    forged.links[0].signature[10] ^= 0x01;
    token::TokenChain untrusted = lab.grant(c, token::scope::subscribe, "sensors/temp");
    token::sign(untrusted.links[0], other_root);
    token::TokenChain too_deep;
    {
        // Nine links, each issued by the previous link's subject (keys), the leaf naming c.
        std::vector<crypto::Identity> keys;
        for (int i = 0; i < 8; ++i) keys.push_back(crypto::Identity::generate());
        const crypto::Identity* issuer = &lab.root;
        for (int i = 0; i < 9; ++i) {
            token::Token t;
            t.subject = i == 8 ? token::Subject::of_node(c.id.derived().node_id) : token::Subject::of_key(keys[i].entity_public());
            t.scope = token::scope::subscribe | token::scope::delegate;
            t.channel_hash = kTemp.hash64();
            t.not_before = kStart - 10;
            t.not_after = kStart + 3600;
            t.depth = static_cast<std::uint8_t>(i < 7 ? 7 - i : 0);
            token::sign(t, *issuer);
            too_deep.links.push_back(t);
            if (i < 8) issuer = &keys[i];
        }
    }
    const struct {
        const char* what;
        token::TokenChain chain;
        Answer expected;
    } cases[] = {
        {"absent", {}, Answer(token::Reason::absent)},
        {"expired", lab.grant(c, token::scope::subscribe, "sensors/temp", 60, kStart - 3600), answer_of(token::Reason::expired)},
        {"not yet valid", lab.grant(c, token::scope::subscribe, "sensors/temp", 60, kStart + 3600),
         answer_of(token::Reason::not_yet_valid)},
        {"wrong channel", lab.grant(c, token::scope::subscribe, "sensors/humidity"), answer_of(token::Reason::wrong_channel)},
        {"forged", forged, answer_of(token::Reason::bad_signature)},
        {"too deep", too_deep, answer_of(token::Reason::chain_too_deep)},
        {"untrusted", untrusted, answer_of(token::Reason::untrusted_root)},
        {"publish only", lab.grant(c, token::scope::publish, "sensors/temp"), answer_of(token::Reason::missing_scope)},
        {"someone else's", [&] {
             token::Token t;
             t.subject = token::Subject::of_node(other.derived().node_id);
             t.scope = token::scope::subscribe;
             t.channel_hash = kTemp.hash64();
             t.not_before = kStart - 10;
             t.not_after = kStart + 3600;
             token::sign(t, lab.root);
             return token::TokenChain{{t}};
         }(),
         answer_of(token::Reason::wrong_subject)},
    };
    for (const auto& tc : cases) {
        Inbox at_c;
        const auto r = c.channels->subscribe(kTemp, Visibility::global, tc.chain, at_c.handler(), at_c.on_answer());
        BOOST_REQUIRE(r.id != 0);
        BOOST_TEST((r.local == tc.expected), tc.what << ": local " << answer_name(r.local));
        lab.settle();
        // a's refusal reached c, with the reason.
        BOOST_TEST((at_c.answer_from(a.address()) == tc.expected), tc.what);
        bool listed = false;
        for (const auto& ans : c.channels->answers(r.id)) {
            if (ans.node == a.address()) listed = ans.answer == tc.expected;
        }
        BOOST_TEST(listed, tc.what);
        for (const auto& s : a.channels->remote_subscribers(kTemp)) BOOST_TEST((s.answer == tc.expected), tc.what);
        net_buffer_t* e = make_event(lab.pool, 1);
        const auto pr = a.channels->publish(kTemp, e);
        BufferPool::release(e);
        BOOST_TEST(pr.remote_nodes == 0u, tc.what);
        lab.net.pump();
        BOOST_TEST(at_c.events.empty(), tc.what);
        c.channels->unsubscribe(r.id);
        lab.settle();
        BOOST_TEST(a.channels->remote_subscribers(kTemp).empty(), tc.what);
    }
    BOOST_TEST(c.channels->counters().events_received == 0u);
    BOOST_TEST(a.channels->counters().subscribers_refused >= 9u);
}

BOOST_AUTO_TEST_CASE(visibility_decides_delivery_by_subnet)
{
    Lab lab;
    auto& pub = lab.add("pub", lab.config(*SubnetId::parse("10.3")));
    auto& same = lab.add("same", lab.config(*SubnetId::parse("10.3")));
    auto& parent = lab.add("parent", lab.config(*SubnetId::parse("10")));
    auto& sibling = lab.add("sibling", lab.config(*SubnetId::parse("10.4")));
    auto& far = lab.add("far", lab.config(*SubnetId::parse("11")));
    const auto local = ChannelName::from("local");
    const auto up = ChannelName::from("up");
    const auto out = ChannelName::from("out");
    pub.channels->add_publisher(local, Visibility::subnet_local, lab.grant(pub, token::scope::publish, "*"));
    pub.channels->add_publisher(up, Visibility::parent_visible, lab.grant(pub, token::scope::publish, "*"));
    pub.channels->add_publisher(out, Visibility::exported, lab.grant(pub, token::scope::publish, "*"));
    std::map<std::string, std::map<std::string, Inbox>> inbox;
    for (const char* n : {"same", "parent", "sibling", "far"}) {
        Node& node = lab[n];
        for (const auto* ch : {&local, &up, &out}) {
            const Visibility v = ch == &local ? Visibility::subnet_local : ch == &up ? Visibility::parent_visible : Visibility::exported;
            Inbox& in = inbox[n][ch->str()];
            node.channels->subscribe(*ch, v, lab.grant(node, token::scope::subscribe, "*"), in.handler(), in.on_answer());
        }
    }
    lab.settle();
    for (const auto* ch : {&local, &up, &out}) {
        net_buffer_t* e = make_event(lab.pool, 7);
        pub.channels->publish(*ch, e);
        BufferPool::release(e);
    }
    lab.net.pump();
    const std::map<std::string, std::map<std::string, bool>> expect{
        {"same", {{"local", true}, {"up", true}, {"out", true}}},
        {"parent", {{"local", false}, {"up", true}, {"out", true}}},
        {"sibling", {{"local", false}, {"up", false}, {"out", true}}},
        {"far", {{"local", false}, {"up", false}, {"out", false}}},
    };
    for (const auto& [n, row] : expect) {
        for (const auto& [ch, gets] : row) {
            const Inbox& in = inbox[n][ch];
            BOOST_TEST(in.events.size() == (gets ? 1u : 0u), n << " on " << ch);
            BOOST_TEST((in.answer_from(pub.address()) == (gets ? Answer::accepted : Answer::not_visible)), n << " on " << ch);
        }
    }
    // A subscription with another visibility than the publisher's is refused as a mismatch.
    Inbox mismatch;
    const auto r = same.channels->subscribe(ChannelName::from("up"), Visibility::global, lab.grant(same, token::scope::subscribe, "*"),
                                            mismatch.handler());
    BOOST_TEST(r.id == 0u);  // `same` already uses "up" as parent-visible
    BOOST_TEST((r.local == Answer::visibility_mismatch));
    (void)parent;
    (void)sibling;
    (void)far;
}

BOOST_AUTO_TEST_CASE(receivers_check_the_publishers_token_too)
{
    Lab lab;
    // b trusts only the lab root; a's publish token comes from a root only a trusts.
    const auto a_root = crypto::Identity::generate();
    ChannelsConfig ca = lab.config();
    ca.trust.roots.push_back(a_root.entity_public());
    auto& a = lab.add("a", ca);
    auto& b = lab.add("b");
    token::TokenChain own = lab.grant(a, token::scope::publish, "*");
    token::sign(own.links[0], a_root);
    BOOST_TEST((a.channels->add_publisher(kTemp, Visibility::global, own).answer == Answer::accepted));
    Inbox at_b;
    b.channels->subscribe(kTemp, Visibility::global, lab.grant(b, token::scope::subscribe, "*"), at_b.handler(), at_b.on_answer());
    lab.settle();
    BOOST_TEST((at_b.answer_from(a.address()) == Answer::accepted));  // a accepts b's subscription ...
    const auto subs = a.channels->remote_subscribers(kTemp);
    BOOST_REQUIRE(subs.size() == 1u);
    BOOST_TEST((subs[0].publisher_answer == answer_of(token::Reason::untrusted_root)));  // ... b refuses a's token
    net_buffer_t* e = make_event(lab.pool, 1);
    BOOST_TEST(a.channels->publish(kTemp, e).remote_nodes == 0u);  // not sent to a node that refused it
    // Even if a sent anyway, b drops events from a publisher it has not accepted.
    BufferPool::release(e);
    BOOST_TEST(b.channels->counters().publishers_refused >= 1u);
    // Registering an invalid chain is refused at once, with the reason.
    const auto bad = a.channels->add_publisher(ChannelName::from("x"), Visibility::global, lab.grant(a, token::scope::subscribe, "*"));
    BOOST_TEST((bad.answer == answer_of(token::Reason::missing_scope)));
    BOOST_TEST(!bad.verdict.detail.empty());
}

BOOST_AUTO_TEST_CASE(expiring_tokens_stop_delivery_and_the_subscriber_is_told)
{
    Lab lab;
    auto& a = lab.add("a");
    auto& b = lab.add("b");
    a.channels->add_publisher(kTemp, Visibility::global, lab.grant(a, token::scope::publish, "*", 7200));
    Inbox at_b;
    // b's token ends 100 s after start (the skew adds 30 s).
    b.channels->subscribe(kTemp, Visibility::global, lab.grant(b, token::scope::subscribe, "*", 110), at_b.handler(),
                          at_b.on_answer());
    lab.settle();
    auto publish_one = [&] {
        net_buffer_t* e = make_event(lab.pool, 1);
        const auto r = a.channels->publish(kTemp, e);
        BufferPool::release(e);
        lab.net.pump();
        return r;
    };
    BOOST_TEST(publish_one().remote_nodes == 1u);
    BOOST_TEST(at_b.events.size() == 1u);
    lab.run_for(140s, 1000ms);
    BOOST_TEST(publish_one().remote_nodes == 0u);
    BOOST_TEST(at_b.events.size() == 1u);
    BOOST_TEST((at_b.answer_from(b.address()) == answer_of(token::Reason::expired)));  // its own node says so
    BOOST_TEST((at_b.answer_from(a.address()) == answer_of(token::Reason::expired)));  // and the publisher's
    // A publisher whose token expired cannot publish.
    lab.run_for(7200s, 60000ms);
    BOOST_TEST((publish_one().status == PublishStatus::token_invalid));
}

BOOST_AUTO_TEST_CASE(soft_state_expires_without_refresh_and_comes_back)
{
    Lab lab;
    Inbox at_b;
    SubscriptionId sub = 0;
    publisher_and_subscriber(lab, at_b, sub);
    auto& a = lab["a"];
    auto& b = lab["b"];
    lab.run_for(10s);  // refreshed every second: still there
    BOOST_TEST(a.channels->remote_subscribers(kTemp).size() == 1u);
    lab.net.cut(b.address());
    lab.run_for(5s);
    BOOST_TEST(a.channels->remote_subscribers(kTemp).empty());
    BOOST_TEST(a.channels->counters().entries_expired >= 1u);
    lab.net.heal(b.address());
    lab.run_for(2s);
    BOOST_TEST(a.channels->remote_subscribers(kTemp).size() == 1u);
    net_buffer_t* e = make_event(lab.pool, 1);
    BOOST_TEST(a.channels->publish(kTemp, e).remote_nodes == 1u);
    BufferPool::release(e);
    lab.net.pump();
    BOOST_TEST(at_b.events.size() == 1u);
}

BOOST_AUTO_TEST_CASE(failed_peers_are_withdrawn_at_once_and_restarts_replace_state)
{
    Lab lab;
    Inbox at_b;
    SubscriptionId sub = 0;
    publisher_and_subscriber(lab, at_b, sub);
    auto& a = lab["a"];
    auto& b = lab["b"];
    a.transport->failed_.insert(b.address());
    lab.settle(1);
    BOOST_TEST(a.channels->remote_subscribers(kTemp).empty());
    BOOST_TEST(a.channels->counters().entries_dropped_failed_peer >= 1u);
    a.transport->failed_.clear();
    lab.run_for(2s);
    BOOST_TEST(a.channels->remote_subscribers(kTemp).size() == 1u);

    // b restarts without subscribing: a drops b's old subscription at b's first message.
    const auto old_incarnation = b.channels->incarnation();
    lab.restart("b", lab.config());
    BOOST_TEST(b.channels->incarnation() != old_incarnation);
    Inbox other;
    b.channels->subscribe(ChannelName::from("other"), Visibility::global, lab.grant(b, token::scope::subscribe, "*"),
                          other.handler());
    lab.settle();
    BOOST_TEST(a.channels->remote_subscribers(kTemp).empty());
    BOOST_TEST(a.channels->counters().peer_restarts == 1u);
}

BOOST_AUTO_TEST_CASE(unsubscribe_stops_delivery_everywhere_even_from_inside_a_handler)
{
    Lab lab;
    auto& a = lab.add("a");
    auto& b = lab.add("b");
    a.channels->add_publisher(kTemp, Visibility::global, lab.grant(a, token::scope::publish | token::scope::subscribe, "*"));
    int local_calls = 0;
    SubscriptionId self_id = 0;
    self_id = a.channels
                  ->subscribe(kTemp, Visibility::global, lab.grant(a, token::scope::publish | token::scope::subscribe, "*"),
                              [&](const Delivery&) {
                                  ++local_calls;
                                  a.channels->unsubscribe(self_id);
                              })
                  .id;
    Inbox at_b;
    const auto sub_b = b.channels->subscribe(kTemp, Visibility::global, lab.grant(b, token::scope::subscribe, "*"),
                                             at_b.handler()).id;
    lab.settle();
    for (int i = 0; i < 3; ++i) {
        net_buffer_t* e = make_event(lab.pool, static_cast<std::uint64_t>(i));
        a.channels->publish(kTemp, e);
        BufferPool::release(e);
    }
    lab.net.pump();
    BOOST_TEST(local_calls == 1);
    BOOST_TEST(at_b.events.size() == 3u);
    b.channels->unsubscribe(sub_b);
    lab.settle();
    BOOST_TEST(a.channels->remote_subscribers(kTemp).empty());  // the unsubscribe message, not expiry
    net_buffer_t* e = make_event(lab.pool, 9);
    BOOST_TEST(a.channels->publish(kTemp, e).remote_nodes == 0u);
    BufferPool::release(e);
    BOOST_TEST(b.channels->answers(sub_b).empty());
    const auto status = a.channels->status();
    BOOST_TEST(status["channels"].is_array());
    BOOST_TEST(status["counters"]["events_published"].get<std::uint64_t>() == 4u);
}

BOOST_AUTO_TEST_CASE(hostile_membership_and_frames_change_nothing)
{
    Lab lab;
    Inbox at_b;
    SubscriptionId sub = 0;
    publisher_and_subscriber(lab, at_b, sub);
    auto& a = lab["a"];
    auto& b = lab["b"];
    // Garbage and truncated messages, frames for unknown channels, frames from a node b did not accept.
    const std::vector<std::uint8_t> junk{1, 1, 0, 0};
    b.transport->deliver(a.address(), 0x0004, junk);
    std::vector<std::uint8_t> frame(kEventFrameHeader + 4 + 3);
    encode_event_frame_header(EventFrameHeader{1, kTemp.hash64(), 0}, frame.data());
    frame[kEventFrameHeader] = 3;
    b.transport->deliver(0x123456, 0x0005, frame);  // not an accepted publisher
    encode_event_frame_header(EventFrameHeader{1, 42, 0}, frame.data());
    b.transport->deliver(a.address(), 0x0005, frame);  // no such channel here
    frame[0] = 9;
    b.transport->deliver(a.address(), 0x0005, frame);
    const auto c = b.channels->counters();
    BOOST_TEST(c.membership_malformed == 1u);
    BOOST_TEST(c.events_dropped_unauthorized == 1u);
    BOOST_TEST(c.events_dropped_no_channel == 1u);
    BOOST_TEST(c.frames_malformed == 1u);
    BOOST_TEST(at_b.events.empty());
}
