// Channels over the real mesh (loopback UDP, real transport and reliability plugins): three nodes
// with permission tokens from one root. Valid subscribers get every event; a subscriber whose
// token is absent, expired, for another channel, forged or too deep gets nothing and receives the
// publisher's refusal with the reason; events cross a relay (A – B – C, C reached only via B).
#define BOOST_TEST_MODULE channels_mesh
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstring>
#include <mutex>

#include "mesh_lab.hpp"
#include "net/kernel/channel/channels.hpp"

using namespace std::chrono_literals;
using namespace net::kernel;
using channel::Answer;
using channel::ChannelName;
using channel::Channels;
using channel::Visibility;
using net::test::eventually;
using net::test::MeshLab;
using net::test::TempDir;

namespace {

const ChannelName kTemp = ChannelName::from("sensors/temp");

// One node of the lab with its channel service.
struct ChannelNode {
    std::unique_ptr<Node> node;
    std::unique_ptr<Channels> channels;
    crypto::Identity id;
    std::uint64_t address = 0;

    ~ChannelNode()
    {
        if (channels) channels->stop();
        channels.reset();
        node.reset();
    }
};

std::unique_ptr<ChannelNode> start(MeshLab& lab, const std::string& name, const crypto::Identity& root)
{
    auto n = std::unique_ptr<ChannelNode>(new ChannelNode{lab.start(name), nullptr, crypto::Identity::load(lab.spec(name).key_file),
                                                          lab.address(name)});
    channel::ChannelsConfig cfg;
    cfg.trust.roots = {root.entity_public()};
    cfg.announce_interval = 200ms;
    cfg.entry_ttl = 1000ms;
    n->channels = std::make_unique<Channels>(*n->node->mesh(), n->node->buffers(), cfg);
    n->channels->start(&n->node->loop());
    return n;
}

token::TokenChain grant(const crypto::Identity& root, const ChannelNode& to, std::uint8_t scope, std::uint64_t channel,
                        std::int64_t not_before, std::int64_t ttl)
{
    token::Token t;
    t.subject = token::Subject::of_node(to.id.derived().node_id);
    t.scope = scope;
    t.channel_hash = channel;
    t.not_before = not_before;
    t.not_after = not_before + ttl;
    token::sign(t, root);
    return token::TokenChain{{t}};
}

token::TokenChain grant(const crypto::Identity& root, const ChannelNode& to, std::uint8_t scope)
{
    return grant(root, to, scope, kTemp.hash64(), token::unix_now() - 60, 3600);
}

// Counts events, checks their order (each event's first 8 bytes are its index), keeps answers.
class Inbox {
public:
    channel::EventHandler handler()
    {
        return [this](const channel::Delivery& d) {
            std::lock_guard lock(mutex_);
            for (const auto& e : d.events) {
                std::uint64_t index = ~std::uint64_t{0};
                if (e.bytes.size() >= 8) std::memcpy(&index, e.bytes.data(), 8);
                if (index != next_) ++out_of_order_;
                next_ = index + 1;
                last_publisher_ = d.publisher;
            }
            received_ += d.events.size();
        };
    }
    channel::AnswerHandler on_answer()
    {
        return [this](const ChannelName&, const channel::NodeAnswer& a) {
            std::lock_guard lock(mutex_);
            answers_[a.node] = a.answer;
        };
    }
    std::size_t received() const { return received_.load(); }
    std::uint64_t out_of_order() const
    {
        std::lock_guard lock(mutex_);
        return out_of_order_;
    }
    std::optional<Answer> answer_from(std::uint64_t node) const
    {
        std::lock_guard lock(mutex_);
        const auto it = answers_.find(node);
        if (it == answers_.end()) return std::nullopt;
        return it->second;
    }
    std::uint64_t last_publisher() const
    {
        std::lock_guard lock(mutex_);
        return last_publisher_;
    }

private:
    mutable std::mutex mutex_;
    std::atomic<std::size_t> received_{0};
    std::uint64_t next_ = 0;
    std::uint64_t out_of_order_ = 0;
    std::uint64_t last_publisher_ = 0;
    std::map<std::uint64_t, Answer> answers_;
};

// Publishes events [first, first + count) of 64 bytes, in batches of `batch` through publish_many
// (batch 1: publish).
void publish_range(ChannelNode& n, std::uint64_t first, std::uint64_t count, std::size_t batch)
{
    std::vector<net_buffer_t*> events;
    for (std::uint64_t i = first; i < first + count; ++i) {
        net_buffer_t* b = n.node->buffers().allocate(64);
        std::memset(b->data, 0x5A, 64);
        std::memcpy(b->data, &i, 8);
        events.push_back(b);
        if (events.size() == batch || i + 1 == first + count) {
            const auto r = batch == 1 ? n.channels->publish(kTemp, events[0]) : n.channels->publish_many(kTemp, events);
            BOOST_TEST(r.ok(), channel::publish_status_name(r.status));
            BOOST_TEST(r.send_failures == 0u);
            for (auto* e : events) BufferPool::release(e);
            events.clear();
            std::this_thread::sleep_for(100us);  // unreliable datagrams: do not outrun the receive buffers
        }
    }
}

// Waits until `publisher` knows `count` subscribed nodes that accepted its publisher token.
bool ready(ChannelNode& publisher, std::size_t count, std::chrono::milliseconds limit = 15s)
{
    return eventually([&] {
        std::size_t ok = 0;
        for (const auto& s : publisher.channels->remote_subscribers(kTemp)) {
            ok += s.answer == Answer::accepted && s.publisher_answer == Answer::accepted;
        }
        return ok == count;
    }, limit);
}

void triangle(MeshLab& lab)
{
    for (const char* n : {"a", "b", "c"}) lab.add(n);
    lab.link("a", "b");
    lab.link("a", "c");
    lab.link("b", "c");
}

}  // namespace

BOOST_AUTO_TEST_CASE(subscribers_with_valid_tokens_receive_every_event)
{
    TempDir dir;
    MeshLab lab(dir);
    triangle(lab);
    const auto root = crypto::Identity::generate();
    auto a = start(lab, "a", root);
    auto b = start(lab, "b", root);
    auto c = start(lab, "c", root);
    BOOST_REQUIRE(a->channels->add_publisher(kTemp, Visibility::global, grant(root, *a, token::scope::publish)).answer ==
                  Answer::accepted);
    Inbox at_b, at_c;
    BOOST_TEST((b->channels->subscribe(kTemp, Visibility::global, grant(root, *b, token::scope::subscribe), at_b.handler(),
                                       at_b.on_answer()).local == Answer::accepted));
    BOOST_TEST((c->channels->subscribe(kTemp, Visibility::global, grant(root, *c, token::scope::subscribe), at_c.handler(),
                                       at_c.on_answer()).local == Answer::accepted));
    BOOST_REQUIRE(ready(*a, 2));
    BOOST_TEST((at_b.answer_from(a->address) == Answer::accepted));
    BOOST_TEST((at_c.answer_from(a->address) == Answer::accepted));

    constexpr std::uint64_t total = 3000;
    publish_range(*a, 0, 1000, 1);       // one event per publish
    publish_range(*a, 1000, 2000, 20);   // publish_many
    BOOST_REQUIRE(eventually([&] { return at_b.received() >= total && at_c.received() >= total; }, 20s));
    BOOST_TEST(at_b.received() == total);
    BOOST_TEST(at_c.received() == total);
    BOOST_TEST(at_b.out_of_order() == 0u);
    BOOST_TEST(at_c.out_of_order() == 0u);
    BOOST_TEST(at_b.last_publisher() == a->address);
    BOOST_TEST(b->channels->counters().events_gap == 0u);
    BOOST_TEST(a->channels->counters().events_published == total);
}

BOOST_AUTO_TEST_CASE(subscribers_without_a_valid_token_receive_nothing_and_are_told_why)
{
    TempDir dir;
    MeshLab lab(dir);
    triangle(lab);
    const auto root = crypto::Identity::generate();
    auto a = start(lab, "a", root);
    auto b = start(lab, "b", root);
    auto c = start(lab, "c", root);
    a->channels->add_publisher(kTemp, Visibility::global, grant(root, *a, token::scope::publish));
    Inbox at_b;
    b->channels->subscribe(kTemp, Visibility::global, grant(root, *b, token::scope::subscribe), at_b.handler());
    BOOST_REQUIRE(ready(*a, 1));

    const std::int64_t now = token::unix_now();
    auto forged = grant(root, *c, token::scope::subscribe);
    forged.links[0].signature[5] ^= 0x20;
    token::TokenChain too_deep;
    {
        std::vector<crypto::Identity> keys;
        for (int i = 0; i < 8; ++i) keys.push_back(crypto::Identity::generate());
        const crypto::Identity* issuer = &root;
        for (int i = 0; i < 9; ++i) {
            token::Token t;
            t.subject = i == 8 ? token::Subject::of_node(c->id.derived().node_id) : token::Subject::of_key(keys[i].entity_public());
            t.scope = token::scope::subscribe | token::scope::delegate;
            t.channel_hash = kTemp.hash64();
            t.not_before = now - 60;
            t.not_after = now + 3600;
            t.depth = static_cast<std::uint8_t>(i < 7 ? 7 - i : 0);
            token::sign(t, *issuer);
            too_deep.links.push_back(t);
            if (i < 8) issuer = &keys[i];
        }
    }
    const struct {
        const char* what;
        token::TokenChain chain;
        token::Reason reason;
    } cases[] = {
        {"absent", {}, token::Reason::absent},
        {"expired", grant(root, *c, token::scope::subscribe, kTemp.hash64(), now - 7200, 3600), token::Reason::expired},
        {"wrong channel", grant(root, *c, token::scope::subscribe, ChannelName::from("sensors/humidity").hash64(), now - 60, 3600),
         token::Reason::wrong_channel},
        {"forged signature", forged, token::Reason::bad_signature},
        {"chain too deep", too_deep, token::Reason::chain_too_deep},
    };
    std::uint64_t published = 0;
    for (const auto& tc : cases) {
        Inbox at_c;
        const auto r = c->channels->subscribe(kTemp, Visibility::global, tc.chain, at_c.handler(), at_c.on_answer());
        BOOST_REQUIRE(r.id != 0);
        // The publisher's refusal travels back over the mesh with its reason.
        const bool told = eventually([&] { return at_c.answer_from(a->address) == channel::answer_of(tc.reason); }, 10s);
        BOOST_TEST(told, tc.what << ": a answered "
                                 << (at_c.answer_from(a->address) ? channel::answer_name(*at_c.answer_from(a->address))
                                                                   : std::string_view("nothing")));
        bool listed = false;
        for (const auto& ans : c->channels->answers(r.id)) {
            if (ans.node == a->address) listed = ans.answer == channel::answer_of(tc.reason);
        }
        BOOST_TEST(listed, tc.what);
        publish_range(*a, published, 50, 5);
        published += 50;
        BOOST_REQUIRE(eventually([&] { return at_b.received() >= published; }, 10s));
        std::this_thread::sleep_for(100ms);  // time for anything misdirected to arrive
        BOOST_TEST(at_c.received() == 0u, tc.what);
        c->channels->unsubscribe(r.id);
    }
    BOOST_TEST(at_b.received() == published);
    BOOST_TEST(at_b.out_of_order() == 0u);
    BOOST_TEST(c->channels->counters().events_received == 0u);
    BOOST_TEST(a->channels->counters().subscribers_refused >= 5u);
}

BOOST_AUTO_TEST_CASE(events_reach_a_subscriber_through_a_relay)
{
    TempDir dir;
    MeshLab lab(dir);
    for (const char* n : {"a", "b", "c"}) lab.add(n);
    lab.link("a", "b");
    lab.link("b", "c");
    lab.know("a", "c", false);
    lab.know("c", "a", false);
    const auto root = crypto::Identity::generate();
    auto b = start(lab, "b", root);
    auto a = start(lab, "a", root);
    auto c = start(lab, "c", root);
    BOOST_REQUIRE(eventually([&] {
        return a->node->mesh()->has_session(c->address) && a->node->mesh()->route_to(c->address).has_value() &&
               c->node->mesh()->route_to(a->address).has_value();
    }, 15s));
    a->channels->add_publisher(kTemp, Visibility::global, grant(root, *a, token::scope::publish));
    Inbox at_c;
    c->channels->subscribe(kTemp, Visibility::global, grant(root, *c, token::scope::subscribe), at_c.handler(), at_c.on_answer());
    BOOST_REQUIRE(ready(*a, 1));
    const auto forwarded_before = b->node->mesh()->counters().packets_forwarded;
    constexpr std::uint64_t total = 1000;
    publish_range(*a, 0, total, 10);
    BOOST_REQUIRE(eventually([&] { return at_c.received() >= total; }, 20s));
    BOOST_TEST(at_c.received() == total);
    BOOST_TEST(at_c.out_of_order() == 0u);
    BOOST_TEST(at_c.last_publisher() == a->address);
    BOOST_TEST((at_c.answer_from(a->address) == Answer::accepted));
    // B carried the frames without being a subscriber: 100 frames of 10 events, forwarded in place.
    BOOST_TEST(b->node->mesh()->counters().packets_forwarded - forwarded_before >= total / 10);
    BOOST_TEST(b->channels->counters().events_received == 0u);
}
