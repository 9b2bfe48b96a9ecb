// Token and chain encodings: the documented byte layout, round trips, every structural refusal,
// the text form and base64url.
#define BOOST_TEST_MODULE token_codec
#include <boost/test/unit_test.hpp>

#include <random>

#include "net/kernel/token/chain.hpp"
#include "net/kernel/wire/byte_order.hpp"

using namespace net::kernel;

namespace {

token::Token sample()
{
    token::Token t;
    t.subject = token::Subject::of_node(0x0123456789abcdefULL);
    t.scope = token::scope::publish | token::scope::delegate;
    t.depth = 3;
    for (std::size_t i = 0; i < 32; ++i) t.issuer[i] = static_cast<std::uint8_t>(0xA0 + i);
    t.channel_hash = 0x1122334455667788ULL;
    t.not_before = 1'700'000'000;
    t.not_after = 1'700'003'600;
    for (std::size_t i = 0; i < 16; ++i) t.nonce[i] = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; i < 64; ++i) t.signature[i] = static_cast<std::uint8_t>(0xF0 ^ i);
    return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(layout_matches_docs_tokens_md)
{
    const auto b = token::encode(sample());
    BOOST_TEST(b.size() == 172u);
    BOOST_TEST(b[0] == 1);     // version
    BOOST_TEST(b[1] == 1);     // subject kind: node id
    BOOST_TEST(b[2] == 0x09);  // publish | delegate
    BOOST_TEST(b[3] == 3);     // depth
    BOOST_TEST(b[4] == 0xA0);  // issuer
    BOOST_TEST(b[35] == 0xA0 + 31);
    BOOST_TEST(wire::load_le<std::uint64_t>(b.data() + 36) == 0x0123456789abcdefULL);  // subject
    BOOST_TEST(b[44] == 0);                                                          // node-id padding
    BOOST_TEST(wire::load_le<std::uint64_t>(b.data() + 68) == 0x1122334455667788ULL);  // channel
    BOOST_TEST(wire::load_le<std::uint64_t>(b.data() + 76) == 1'700'000'000u);
    BOOST_TEST(wire::load_le<std::uint64_t>(b.data() + 84) == 1'700'003'600u);
    BOOST_TEST(b[92] == 0);    // nonce
    BOOST_TEST(b[107] == 15);
    BOOST_TEST(b[108] == 0xF0);  // signature
    BOOST_TEST(b[171] == (0xF0 ^ 63));
    const auto msg = token::signed_message(sample());
    BOOST_TEST(std::string(msg.begin(), msg.begin() + 12) == "net/token/v1");
    BOOST_TEST(std::equal(b.begin(), b.begin() + 108, msg.begin() + 12));
}

BOOST_AUTO_TEST_CASE(round_trip_and_structural_refusals)
{
    const token::Token t = sample();
    auto b = token::encode(t);
    const auto back = token::decode(b);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST((*back == t));

    auto refused = [&](auto mutate, const char* expect) {
        auto copy = b;
        mutate(copy);
        std::string error;
        BOOST_TEST(!token::decode(copy, &error).has_value(), expect);
        BOOST_TEST(error.find(expect) != std::string::npos, error);
    };
    refused([](auto& c) { c[0] = 2; }, "version");
    refused([](auto& c) { c[1] = 3; }, "subject kind");
    refused([](auto& c) { c[50] = 1; }, "padding");
    refused([](auto& c) { c[2] = 0x10; }, "reserved scope");
    refused([](auto& c) { c[3] = 8; }, "depth");
    refused([](auto& c) { wire::store_le<std::uint64_t>(c.data() + 84, 1'700'000'000u); }, "not_after");
    refused([](auto& c) { wire::store_le<std::uint64_t>(c.data() + 84, ~std::uint64_t{0}); }, "range");
    std::string error;
    BOOST_TEST(!token::decode(std::span(b.data(), 171), &error).has_value());
    BOOST_TEST(error.find("171") != std::string::npos);
    // A key subject may use all 32 bytes.
    token::Token k = t;
    k.subject = token::Subject::of_key(t.issuer);
    BOOST_TEST((token::decode(token::encode(k)).value() == k));
}

BOOST_AUTO_TEST_CASE(chains_round_trip_in_binary_and_text)
{
    token::TokenChain chain;
    for (int i = 0; i < 3; ++i) {
        auto t = sample();
        t.depth = static_cast<std::uint8_t>(3 - i);
        chain.links.push_back(t);
    }
    const auto bytes = token::encode_chain(chain);
    BOOST_TEST(bytes.size() == 1 + 3 * 172u);
    BOOST_TEST(bytes[0] == 3);
    BOOST_TEST((token::decode_chain(bytes).value() == chain));
    const std::string text = token::to_text(chain);
    BOOST_TEST(text.rfind("net-token-v1.", 0) == 0u);
    BOOST_TEST(text.find_first_of("+/=\n ") == std::string::npos);
    BOOST_TEST((token::from_text("  " + text + "\n").value() == chain));

    std::string error;
    BOOST_TEST(!token::decode_chain(std::span(bytes.data(), bytes.size() - 1), &error).has_value());
    auto trailing = bytes;
    trailing.push_back(0);
    BOOST_TEST(!token::decode_chain(trailing).has_value());
    auto too_many = bytes;
    too_many[0] = 17;
    BOOST_TEST(!token::decode_chain(too_many).has_value());
    BOOST_TEST(!token::decode_chain({}).has_value());
    const std::vector<std::uint8_t> empty_chain{0};
    BOOST_TEST(token::decode_chain(empty_chain).value().empty());
    BOOST_TEST(!token::from_text("net-token-v2." + text.substr(13), &error).has_value());
    BOOST_TEST(!token::from_text(text + "*", &error).has_value());
    BOOST_TEST(error.find("base64url") != std::string::npos);
    auto bad_link = bytes;
    bad_link[1 + 172] = 9;  // link 1's version
    BOOST_TEST(!token::decode_chain(bad_link, &error).has_value());
    BOOST_TEST(error.find("link 1") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(base64url_round_trips_every_length_and_refuses_junk)
{
    std::mt19937 rng(7);
    for (std::size_t n = 0; n < 200; ++n) {
        std::vector<std::uint8_t> v(n);
        for (auto& b : v) b = static_cast<std::uint8_t>(rng());
        const auto text = token::base64url_encode(v);
        BOOST_TEST(text.size() == (n * 4 + 2) / 3);
        BOOST_TEST((token::base64url_decode(text).value() == v));
    }
    BOOST_TEST(token::base64url_encode(std::vector<std::uint8_t>{0xfb, 0xff}) == "-_8");
    BOOST_TEST(!token::base64url_decode("A").has_value());     // impossible length
    BOOST_TEST(!token::base64url_decode("AB=").has_value());   // padding is not used
    BOOST_TEST(!token::base64url_decode("AB+/").has_value());  // standard alphabet
    BOOST_TEST(!token::base64url_decode("AF").has_value());    // non-zero leftover bits
}

BOOST_AUTO_TEST_CASE(scope_text)
{
    BOOST_TEST(token::scope_string(0) == "none");
    BOOST_TEST(token::scope_string(token::scope::all) == "publish,subscribe,admin,delegate");
    BOOST_TEST(token::parse_scope("publish, subscribe").value() == (token::scope::publish | token::scope::subscribe));
    std::string bad;
    BOOST_TEST(!token::parse_scope("publish,root", &bad).has_value());
    BOOST_TEST(bad == "root");
    BOOST_TEST(!token::parse_scope("").has_value());
    BOOST_TEST(!token::parse_scope("publish,").has_value());
}

BOOST_AUTO_TEST_CASE(signing_fills_issuer_and_nonce_and_signatures_bind_every_field)
{
    const auto id = crypto::Identity::generate();
    token::Token t = sample();
    t.nonce = {};
    token::sign(t, id);
    BOOST_TEST((t.issuer == id.entity_public()));
    BOOST_TEST(std::any_of(t.nonce.begin(), t.nonce.end(), [](std::uint8_t b) { return b != 0; }));
    BOOST_TEST(token::signature_valid(t));
    token::Token changed = t;
    changed.not_after += 1;
    BOOST_TEST(!token::signature_valid(changed));
    // Subjects: a node-id subject matches the key that derives it.
    BOOST_TEST(token::Subject::of_node(id.derived().node_id).is_key(id.entity_public()));
    BOOST_TEST(token::Subject::of_key(id.entity_public()).node_id() == id.derived().node_id);
}
