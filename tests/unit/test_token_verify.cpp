// Token chains: every verdict reason, from a real Ed25519 root through delegations, with a fixed
// clock: forged signatures (one flipped bit), expiry and skew, depth and length limits, broken and
// widened links, wrong channel, scope and subject.
#define BOOST_TEST_MODULE token_verify
#include <boost/test/unit_test.hpp>

#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/token/verify.hpp"

using namespace net::kernel;
using token::Reason;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

struct Keys {
    crypto::Identity root = crypto::Identity::generate();
    crypto::Identity b = crypto::Identity::generate();
    crypto::Identity c = crypto::Identity::generate();
    crypto::Identity other = crypto::Identity::generate();
    token::TrustConfig trust{{root.entity_public()}, 30};
};

token::Token make(const crypto::Identity& issuer, token::Subject subject, std::uint8_t scope, std::uint64_t channel,
                  std::int64_t nb, std::int64_t na, std::uint8_t depth)
{
    token::Token t;
    t.subject = subject;
    t.scope = scope;
    t.channel_hash = channel;
    t.not_before = nb;
    t.not_after = na;
    t.depth = depth;
    token::sign(t, issuer);
    return t;
}

std::uint64_t chan(const char* name) { return channel::ChannelName::from(name).hash64(); }

token::Request request(std::uint64_t channel, std::uint8_t scope, const crypto::Identity& presenter, std::int64_t now = kNow)
{
    token::Request r;
    r.channel_hash = channel;
    r.scope = scope;
    r.presenter = presenter.derived().address;
    r.now = now;
    return r;
}

// root -> b (publish,subscribe,delegate, depth 2, any channel) -> c (subscribe on sensors/temp)
token::TokenChain two_links(const Keys& k)
{
    token::TokenChain chain;
    chain.links.push_back(make(k.root, token::Subject::of_key(k.b.entity_public()),
                               token::scope::publish | token::scope::subscribe | token::scope::delegate, token::kAnyChannel,
                               kNow - 100, kNow + 3600, 2));
    chain.links.push_back(make(k.b, token::Subject::of_node(k.c.derived().node_id), token::scope::subscribe,
                               chan("sensors/temp"), kNow - 50, kNow + 1800, 0));
    return chain;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_valid_two_link_chain_verifies_and_reports_its_window)
{
    Keys k;
    const auto chain = two_links(k);
    const auto v = token::verify(chain, request(chan("sensors/temp"), token::scope::subscribe, k.c), k.trust);
    BOOST_TEST(v.ok(), v.message());
    BOOST_TEST(v.not_before == kNow - 50);
    BOOST_TEST(v.not_after == kNow + 1800);
    BOOST_TEST(v.message() == "valid");
}

BOOST_AUTO_TEST_CASE(absent_and_malformed)
{
    Keys k;
    BOOST_TEST((token::verify({}, request(chan("a"), token::scope::subscribe, k.c), k.trust).reason == Reason::absent));
    const std::vector<std::uint8_t> junk{3, 1, 2, 3};
    const auto v = token::verify_bytes(junk, request(chan("a"), token::scope::subscribe, k.c), k.trust);
    BOOST_TEST((v.reason == Reason::malformed));
    BOOST_TEST(!v.detail.empty());
    const std::vector<std::uint8_t> none{0};
    BOOST_TEST((token::verify_bytes(none, request(chan("a"), token::scope::subscribe, k.c), k.trust).reason == Reason::absent));
}

BOOST_AUTO_TEST_CASE(a_flipped_bit_anywhere_in_the_signed_bytes_or_signature_is_a_bad_signature)
{
    Keys k;
    const auto chain = two_links(k);
    const auto req = request(chan("sensors/temp"), token::scope::subscribe, k.c);
    auto bytes = token::encode_chain(chain);
    // Flip one bit in each byte of link 1 (nonce, channel, signature, ...): every flip that still
    // decodes must be refused — as a bad signature unless it changed the issuer to a non-subject
    // (still caught: the signature is checked before the link rules).
    std::size_t refused = 0, decoded = 0;
    for (std::size_t i = 1 + token::kTokenSize; i < bytes.size(); ++i) {
        auto copy = bytes;
        copy[i] ^= 0x10;
        const auto v = token::verify_bytes(copy, req, k.trust);
        BOOST_TEST(!v.ok(), "byte " << i);
        if (v.reason != Reason::malformed) {
            ++decoded;
            BOOST_TEST((v.reason == Reason::bad_signature), "byte " << i << ": " << v.message());
            BOOST_TEST(v.link == 1);
        }
        ++refused;
    }
    BOOST_TEST(refused == token::kTokenSize);
    BOOST_TEST(decoded > 100u);
}

BOOST_AUTO_TEST_CASE(expiry_and_not_yet_valid_with_skew)
{
    Keys k;
    const auto chain = two_links(k);
    const auto ch = chan("sensors/temp");
    // Leaf ends at kNow + 1800; skew 30 s tolerates up to kNow + 1829.
    BOOST_TEST(token::verify(chain, request(ch, token::scope::subscribe, k.c, kNow + 1829), k.trust).ok());
    const auto expired = token::verify(chain, request(ch, token::scope::subscribe, k.c, kNow + 1830), k.trust);
    BOOST_TEST((expired.reason == Reason::expired));
    BOOST_TEST(expired.link == 1);
    // Leaf starts at kNow - 50: with skew, valid from kNow - 80.
    BOOST_TEST(token::verify(chain, request(ch, token::scope::subscribe, k.c, kNow - 80), k.trust).ok());
    const auto early = token::verify(chain, request(ch, token::scope::subscribe, k.c, kNow - 81), k.trust);
    BOOST_TEST((early.reason == Reason::not_yet_valid));
    BOOST_TEST(early.link == 1);
    token::TrustConfig strict = k.trust;
    strict.skew_seconds = 0;
    BOOST_TEST((token::verify(chain, request(ch, token::scope::subscribe, k.c, kNow + 1800), strict).reason == Reason::expired));
    BOOST_TEST(token::verify(chain, request(ch, token::scope::subscribe, k.c, kNow + 1799), strict).ok());
}

BOOST_AUTO_TEST_CASE(wrong_channel_missing_scope_wrong_subject)
{
    Keys k;
    const auto chain = two_links(k);
    BOOST_TEST((token::verify(chain, request(chan("sensors/humidity"), token::scope::subscribe, k.c), k.trust).reason ==
                Reason::wrong_channel));
    BOOST_TEST((token::verify(chain, request(chan("sensors/temp"), token::scope::publish, k.c), k.trust).reason ==
                Reason::missing_scope));
    BOOST_TEST((token::verify(chain, request(chan("sensors/temp"), token::scope::subscribe, k.other), k.trust).reason ==
                Reason::wrong_subject));
    // A wildcard leaf fits any channel.
    token::TokenChain root_only;
    root_only.links.push_back(make(k.root, token::Subject::of_key(k.c.entity_public()), token::scope::subscribe,
                                   token::kAnyChannel, kNow - 1, kNow + 10, 0));
    BOOST_TEST(token::verify(root_only, request(chan("x/y"), token::scope::subscribe, k.c), k.trust).ok());
}

BOOST_AUTO_TEST_CASE(untrusted_root_and_inspection_without_trust)
{
    Keys k;
    const auto chain = two_links(k);
    token::TrustConfig other{{k.other.entity_public()}, 30};
    const auto v = token::verify(chain, request(chan("sensors/temp"), token::scope::subscribe, k.c), other);
    BOOST_TEST((v.reason == Reason::untrusted_root));
    BOOST_TEST(v.link == 0);
    auto r = request(chan("sensors/temp"), token::scope::subscribe, k.c);
    r.check_root = false;
    BOOST_TEST(token::verify(chain, r, token::TrustConfig{}).ok());
}

BOOST_AUTO_TEST_CASE(broken_chain_when_a_link_is_issued_by_someone_else)
{
    Keys k;
    auto chain = two_links(k);
    // Link 1 issued by `other` instead of b (b is the subject of link 0).
    chain.links[1] = make(k.other, token::Subject::of_node(k.c.derived().node_id), token::scope::subscribe,
                          chan("sensors/temp"), kNow - 50, kNow + 1800, 0);
    const auto v = token::verify(chain, request(chan("sensors/temp"), token::scope::subscribe, k.c), k.trust);
    BOOST_TEST((v.reason == Reason::broken_chain));
    BOOST_TEST(v.link == 1);
    // A node-id subject is matched through the issuer key's derived node id.
    auto by_id = two_links(k);
    by_id.links[0] = make(k.root, token::Subject::of_node(k.b.derived().node_id), by_id.links[0].scope, token::kAnyChannel,
                          kNow - 100, kNow + 3600, 2);
    BOOST_TEST(token::verify(by_id, request(chan("sensors/temp"), token::scope::subscribe, k.c), k.trust).ok());
}

BOOST_AUTO_TEST_CASE(every_widening_is_refused)
{
    Keys k;
    const auto ch = chan("sensors/temp");
    const auto req = request(ch, token::scope::subscribe, k.c);
    auto root = make(k.root, token::Subject::of_key(k.b.entity_public()), token::scope::subscribe | token::scope::delegate, ch,
                     kNow - 100, kNow + 3600, 2);
    auto leaf = [&](std::uint8_t scope, std::uint64_t channel, std::int64_t nb, std::int64_t na, std::uint8_t depth) {
        return token::TokenChain{{root, make(k.b, token::Subject::of_node(k.c.derived().node_id), scope, channel, nb, na, depth)}};
    };
    BOOST_TEST(token::verify(leaf(token::scope::subscribe, ch, kNow - 100, kNow + 3600, 1), req, k.trust).ok());
    const struct {
        const char* what;
        token::TokenChain chain;
    } cases[] = {
        {"scope", leaf(token::scope::subscribe | token::scope::publish, ch, kNow - 100, kNow + 3600, 1)},
        {"channel", leaf(token::scope::subscribe, token::kAnyChannel, kNow - 100, kNow + 3600, 1)},
        {"start", leaf(token::scope::subscribe, ch, kNow - 101, kNow + 3600, 1)},
        {"end", leaf(token::scope::subscribe, ch, kNow - 100, kNow + 3601, 1)},
        {"depth", leaf(token::scope::subscribe, ch, kNow - 100, kNow + 3600, 2)},
    };
    for (const auto& c : cases) {
        const auto v = token::verify(c.chain, req, k.trust);
        BOOST_TEST((v.reason == Reason::scope_widened), c.what << ": " << v.message());
        BOOST_TEST(v.link == 1);
    }
}

BOOST_AUTO_TEST_CASE(delegation_needs_the_delegate_right_and_depth)
{
    Keys k;
    const auto ch = chan("sensors/temp");
    const auto req = request(ch, token::scope::subscribe, k.c);
    const auto to_c = make(k.b, token::Subject::of_node(k.c.derived().node_id), token::scope::subscribe, ch, kNow - 10, kNow + 10, 0);
    token::TokenChain no_delegate{{make(k.root, token::Subject::of_key(k.b.entity_public()), token::scope::subscribe, ch,
                                        kNow - 100, kNow + 100, 2),
                                   to_c}};
    BOOST_TEST((token::verify(no_delegate, req, k.trust).reason == Reason::missing_scope));
    token::TokenChain depth_zero{{make(k.root, token::Subject::of_key(k.b.entity_public()),
                                       token::scope::subscribe | token::scope::delegate, ch, kNow - 100, kNow + 100, 0),
                                  to_c}};
    const auto v = token::verify(depth_zero, req, k.trust);
    BOOST_TEST((v.reason == Reason::chain_too_deep));
    BOOST_TEST(v.link == 1);
}

BOOST_AUTO_TEST_CASE(eight_links_verify_and_nine_are_too_deep)
{
    Keys k;
    const auto ch = chan("sensors/temp");
    std::vector<crypto::Identity> keys;
    for (int i = 0; i < 9; ++i) keys.push_back(crypto::Identity::generate());
    // root -> keys[0] -> keys[1] ... each delegating with one less depth; the leaf names c.
    auto build = [&](std::size_t links) {
        token::TokenChain chain;
        const crypto::Identity* issuer = &k.root;
        for (std::size_t i = 0; i < links; ++i) {
            const bool leaf = i + 1 == links;
            const auto subject = leaf ? token::Subject::of_node(k.c.derived().node_id) : token::Subject::of_key(keys[i].entity_public());
            const std::uint8_t depth = static_cast<std::uint8_t>(links > 8 ? (i < 7 ? 7 - i : 0) : links - 1 - i);
            chain.links.push_back(make(*issuer, subject, token::scope::subscribe | token::scope::delegate, ch,
                                       kNow - 100 + static_cast<std::int64_t>(i), kNow + 100, depth));
            issuer = &keys[i];
        }
        return chain;
    };
    const auto eight = build(8);
    BOOST_TEST(token::verify(eight, request(ch, token::scope::subscribe, k.c), k.trust).ok(),
               token::verify(eight, request(ch, token::scope::subscribe, k.c), k.trust).message());
    const auto nine = build(9);
    const auto v = token::verify(nine, request(ch, token::scope::subscribe, k.c), k.trust);
    BOOST_TEST((v.reason == Reason::chain_too_deep));
    BOOST_TEST(v.link == -1);
    // The binary form of a 9-link chain still decodes (the verdict, not the decoder, refuses it).
    BOOST_TEST((token::verify_bytes(token::encode_chain(nine), request(ch, token::scope::subscribe, k.c), k.trust).reason ==
                Reason::chain_too_deep));
}

BOOST_AUTO_TEST_CASE(checks_come_in_the_documented_order)
{
    Keys k;
    auto chain = two_links(k);
    chain.links[1].signature[0] ^= 1;  // forged and, at kNow + 10000, expired too
    const auto v = token::verify(chain, request(chan("sensors/temp"), token::scope::subscribe, k.c, kNow + 10000), k.trust);
    BOOST_TEST((v.reason == Reason::bad_signature));
    // check_chain ignores time; check_time applies it.
    const auto structural = token::check_chain(two_links(k), request(chan("sensors/temp"), token::scope::subscribe, k.c), k.trust);
    BOOST_TEST(structural.ok());
    BOOST_TEST((token::check_time(structural, kNow + 10000, 30).reason == Reason::expired));
}

BOOST_AUTO_TEST_CASE(reason_names_messages_and_bytes)
{
    for (std::uint8_t b = 0; b <= 12; ++b) {
        const auto r = token::reason_from_byte(b);
        BOOST_REQUIRE(r.has_value());
        BOOST_TEST(token::reason_name(*r) != "unknown");
        BOOST_TEST(!token::reason_message(*r).empty());
    }
    BOOST_TEST(!token::reason_from_byte(13).has_value());
    BOOST_TEST(token::reason_name(Reason::bad_signature) == "bad_signature");
}
