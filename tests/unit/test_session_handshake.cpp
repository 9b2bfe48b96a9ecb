// test_session_handshake.cpp — the NKpsk0 handshake state machines: both suites, mismatches with
// their reasons, wrong keys, retries, idempotent duplicates, timeouts and garbage.
#define BOOST_TEST_MODULE session_handshake
#include <boost/test/unit_test.hpp>

#include <botan/system_rng.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/kernel/session/handshake.hpp"
#include "net/kernel/session/session_frame.hpp"

using namespace net::kernel::session;
using net::kernel::crypto::NoiseCipher;

namespace {

using Bytes = std::vector<std::uint8_t>;
using TimePoint = std::chrono::steady_clock::time_point;

Bytes bytes_of(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

Botan::secure_vector<std::uint8_t> random_bytes(std::size_t n)
{
    Botan::secure_vector<std::uint8_t> b(n);
    Botan::system_rng().randomize(b.data(), b.size());
    return b;
}

struct Fixture {
    std::shared_ptr<TimePoint> now = std::make_shared<TimePoint>();
    InitiatorConfig initiator;
    ResponderConfig responder;

    explicit Fixture(NoiseCipher suite = NoiseCipher::chacha_poly)
    {
        const auto responder_static = net::kernel::crypto::noise_generate_private_key();
        const auto psk = random_bytes(32);
        Clock clock = [t = now] { return *t; };
        initiator.suite = responder.suite = suite;
        initiator.clock = responder.clock = clock;
        initiator.psk = responder.psk = psk;
        initiator.local_node_id = bytes_of("node-a");
        initiator.remote_node_id = responder.local_node_id = bytes_of("node-b");
        initiator.remote_static = net::kernel::crypto::noise_public_key(responder_static);
        responder.local_static = responder_static;
    }

    void advance(std::chrono::milliseconds d) { *now += d; }
};

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(handshake_completes_with_both_suites)
{
    for (auto suite : {NoiseCipher::chacha_poly, NoiseCipher::aes_gcm}) {
        Fixture f(suite);
        Initiator initiator(f.initiator);
        Responder responder(f.responder);
        Bytes first;
        BOOST_REQUIRE(initiator.start(first).ok());
        BOOST_TEST((initiator.state() == InitiatorState::awaiting_response));
        auto outcome = responder.handle_initiation(first);
        BOOST_REQUIRE_MESSAGE(outcome.result.ok(), outcome.result.reason);
        BOOST_REQUIRE(outcome.session);
        BOOST_TEST(!outcome.duplicate);
        std::unique_ptr<Session> client;
        const auto r = initiator.handle_response(outcome.response, client);
        BOOST_REQUIRE_MESSAGE(r.ok(), r.reason);
        BOOST_REQUIRE(client);
        BOOST_TEST((initiator.state() == InitiatorState::established));
        BOOST_TEST(client->id() == outcome.session->id());
        BOOST_TEST(client->id() != 0u);
        BOOST_TEST((client->suite() == suite));
        BOOST_TEST(initiator.counters().handshakes_completed == 1u);
        BOOST_TEST(responder.counters().handshakes_completed == 1u);

        Bytes packet, payload;
        BOOST_REQUIRE(client->seal(bytes_of("ping"), packet).ok());
        BOOST_REQUIRE(outcome.session->open(packet, payload).ok());
        BOOST_TEST(payload == bytes_of("ping"));
        BOOST_REQUIRE(outcome.session->seal(bytes_of("pong"), packet).ok());
        BOOST_REQUIRE(client->open(packet, payload).ok());
        BOOST_TEST(payload == bytes_of("pong"));
    }
}

BOOST_AUTO_TEST_CASE(suite_mismatch_fails_with_reason)
{
    Fixture f;
    f.initiator.suite = NoiseCipher::aes_gcm;
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first;
    BOOST_REQUIRE(initiator.start(first).ok());
    const auto outcome = responder.handle_initiation(first);
    BOOST_TEST((outcome.result.error == SessionError::suite_mismatch));
    BOOST_TEST(contains(outcome.result.reason, "suite mismatch: initiator uses AESGCM, this node uses ChaChaPoly"),
               outcome.result.reason);
    BOOST_TEST(!outcome.session);
    BOOST_TEST(outcome.response.empty());
    BOOST_TEST(responder.counters().handshake_messages_rejected == 1u);
}

BOOST_AUTO_TEST_CASE(node_id_mismatch_fails_with_reason)
{
    Fixture f;
    f.initiator.remote_node_id = bytes_of("node-c");
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first;
    BOOST_REQUIRE(initiator.start(first).ok());
    const auto outcome = responder.handle_initiation(first);
    BOOST_TEST((outcome.result.error == SessionError::node_id_mismatch));
    BOOST_TEST(contains(outcome.result.reason, "node id mismatch"), outcome.result.reason);
    BOOST_TEST(contains(outcome.result.reason, describe_node_id(bytes_of("node-c"))), outcome.result.reason);
    BOOST_TEST(!outcome.session);
}

BOOST_AUTO_TEST_CASE(prologue_binds_the_cleartext_ids)
{
    Fixture f;
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first;
    BOOST_REQUIRE(initiator.start(first).ok());
    first[4] ^= 0x01;  // first byte of the initiator id: "node-a" becomes "oode-a"
    const auto outcome = responder.handle_initiation(first);
    BOOST_TEST((outcome.result.error == SessionError::auth_failed));
    BOOST_TEST(responder.counters().handshakes_failed == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_psk_and_wrong_responder_key_fail)
{
    {
        Fixture f;
        f.initiator.psk = random_bytes(32);
        Initiator initiator(f.initiator);
        Responder responder(f.responder);
        Bytes first;
        BOOST_REQUIRE(initiator.start(first).ok());
        const auto outcome = responder.handle_initiation(first);
        BOOST_TEST((outcome.result.error == SessionError::auth_failed));
        BOOST_TEST(contains(outcome.result.reason, "failed authentication"), outcome.result.reason);
        BOOST_TEST(!outcome.session);
    }
    {
        Fixture f;
        f.initiator.remote_static =
            net::kernel::crypto::noise_public_key(net::kernel::crypto::noise_generate_private_key());
        Initiator initiator(f.initiator);
        Responder responder(f.responder);
        Bytes first;
        BOOST_REQUIRE(initiator.start(first).ok());
        const auto outcome = responder.handle_initiation(first);
        BOOST_TEST((outcome.result.error == SessionError::auth_failed));
        BOOST_TEST(responder.counters().handshakes_failed == 1u);
    }
}

BOOST_AUTO_TEST_CASE(initiator_retries_after_a_lost_first_message)
{
    Fixture f;
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first, again;
    BOOST_REQUIRE(initiator.start(first).ok());  // lost
    f.advance(std::chrono::milliseconds(999));
    BOOST_REQUIRE(initiator.poll(again).ok());
    BOOST_TEST(again.empty());
    f.advance(std::chrono::milliseconds(1));
    BOOST_REQUIRE(initiator.poll(again).ok());
    BOOST_TEST(again == first);
    BOOST_TEST(initiator.attempts() == 2u);
    auto outcome = responder.handle_initiation(again);
    BOOST_REQUIRE(outcome.result.ok());
    std::unique_ptr<Session> client;
    BOOST_REQUIRE(initiator.handle_response(outcome.response, client).ok());
    BOOST_TEST(initiator.counters().handshake_retransmits == 1u);
    BOOST_TEST(client->id() == outcome.session->id());
}

BOOST_AUTO_TEST_CASE(responder_answers_a_duplicate_idempotently)
{
    Fixture f;
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first;
    BOOST_REQUIRE(initiator.start(first).ok());
    auto one = responder.handle_initiation(first);
    auto two = responder.handle_initiation(first);
    BOOST_REQUIRE(one.result.ok());
    BOOST_REQUIRE(two.result.ok());
    BOOST_TEST(two.duplicate);
    BOOST_TEST(!two.session);
    BOOST_TEST(two.response == one.response);
    BOOST_TEST(responder.counters().handshakes_completed == 1u);
    BOOST_TEST(responder.counters().handshake_duplicates_answered == 1u);

    // The first response was lost; the duplicate's answer completes the same session.
    std::unique_ptr<Session> client;
    BOOST_REQUIRE(initiator.handle_response(two.response, client).ok());
    BOOST_TEST(client->id() == one.session->id());
    // A late copy of the response is rejected without harm.
    std::unique_ptr<Session> extra;
    BOOST_TEST((initiator.handle_response(one.response, extra).error == SessionError::bad_state));
    BOOST_TEST(!extra);
    BOOST_TEST((initiator.state() == InitiatorState::established));
}

BOOST_AUTO_TEST_CASE(responder_answers_a_repeat_afresh_once_its_session_is_forgotten)
{
    Fixture f;
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first;
    BOOST_REQUIRE(initiator.start(first).ok());
    auto one = responder.handle_initiation(first);
    BOOST_REQUIRE(one.result.ok());
    BOOST_REQUIRE(one.session);
    responder.forget(one.session->id() + 1);  // another session: the cached answer stays
    BOOST_TEST(responder.handle_initiation(first).duplicate);

    // The responder dropped that session and its answer was lost: the initiator's retry gets a
    // new session, not the old answer, and both ends then hold the same one.
    responder.forget(one.session->id());
    auto again = responder.handle_initiation(first);
    BOOST_REQUIRE(again.result.ok());
    BOOST_TEST(!again.duplicate);
    BOOST_REQUIRE(again.session);
    BOOST_TEST(again.session->id() != one.session->id());
    BOOST_TEST(again.response != one.response);
    std::unique_ptr<Session> client;
    BOOST_REQUIRE(initiator.handle_response(again.response, client).ok());
    BOOST_TEST(client->id() == again.session->id());
    BOOST_TEST(responder.counters().handshakes_completed == 2u);
}

BOOST_AUTO_TEST_CASE(initiator_times_out_after_its_retries)
{
    Fixture f;
    f.initiator.handshake_retries = 5;
    Initiator initiator(f.initiator);
    Bytes first, again;
    BOOST_REQUIRE(initiator.start(first).ok());
    for (int i = 0; i < 5; ++i) {
        f.advance(std::chrono::seconds(1));
        BOOST_REQUIRE(initiator.poll(again).ok());
        BOOST_TEST(again == first);
    }
    f.advance(std::chrono::seconds(1));
    const auto r = initiator.poll(again);
    BOOST_TEST((r.error == SessionError::timed_out));
    BOOST_TEST(r.reason == "handshake timed out after 6 attempts");
    BOOST_TEST(again.empty());
    BOOST_TEST((initiator.state() == InitiatorState::failed));
    BOOST_TEST(initiator.failure().reason == r.reason);
    BOOST_TEST(initiator.counters().handshake_retransmits == 5u);
    BOOST_TEST(initiator.counters().handshakes_failed == 1u);
    // Still failed later, and a late response does not revive it.
    BOOST_TEST((initiator.poll(again).error == SessionError::timed_out));
    Responder responder(f.responder);
    auto outcome = responder.handle_initiation(first);
    std::unique_ptr<Session> client;
    BOOST_TEST(!initiator.handle_response(outcome.response, client).ok());
    BOOST_TEST(!client);
}

BOOST_AUTO_TEST_CASE(garbage_handshake_messages_are_rejected_and_counted)
{
    Fixture f;
    Initiator initiator(f.initiator);
    Responder responder(f.responder);
    Bytes first;
    BOOST_REQUIRE(initiator.start(first).ok());

    const auto random_noise = random_bytes(kNoiseMessageSize);
    std::vector<Bytes> garbage = {
        {},
        {1},
        Bytes(first.begin(), first.end() - 1),    // truncated
        Bytes(first.begin(), first.begin() + 5),  // truncated inside an id
        Bytes(2000, 0x01),                        // oversized
        [&] {
            auto b = first;
            b.push_back(0);
            return b;
        }(),  // trailing byte
        [&] {
            auto b = first;
            b[0] = 9;
            return b;
        }(),  // unknown kind
        [&] {
            auto b = first;
            b[1] = 2;
            return b;
        }(),  // unknown version
        [&] {
            auto b = first;
            b.back() ^= 0x80;
            return b;
        }(),  // tag does not verify
        [&] {
            auto b = first;
            std::copy(random_noise.begin(), random_noise.end(), b.end() - kNoiseMessageSize);
            return b;
        }(),
    };
    for (const auto& g : garbage) {
        const auto outcome = responder.handle_initiation(g);
        BOOST_TEST(!outcome.result.ok());
        BOOST_TEST(!outcome.result.reason.empty());
        BOOST_TEST(!outcome.session);
    }
    BOOST_TEST(responder.counters().handshake_messages_rejected == garbage.size());
    BOOST_TEST(responder.counters().handshakes_completed == 0u);

    // Garbage responses leave the initiator waiting.
    auto outcome = responder.handle_initiation(first);
    BOOST_REQUIRE(outcome.result.ok());
    std::unique_ptr<Session> client;
    std::vector<Bytes> bad_responses = {
        {},
        Bytes(outcome.response.begin(), outcome.response.end() - 3),
        [&] {
            auto b = outcome.response;
            b.back() ^= 0x01;
            return b;
        }(),
        [&] {
            auto b = outcome.response;
            b[2] = 2;
            return b;
        }(),    // other suite
        first,  // not a response
    };
    for (const auto& g : bad_responses) {
        const auto r = initiator.handle_response(g, client);
        BOOST_TEST(!r.ok());
        BOOST_TEST(!r.reason.empty());
        BOOST_TEST(!client);
        BOOST_TEST((initiator.state() == InitiatorState::awaiting_response));
    }
    BOOST_TEST(initiator.counters().handshake_messages_rejected == bad_responses.size());
    // A resend after the rejections is still the same first message.
    f.advance(std::chrono::seconds(1));
    Bytes again;
    BOOST_REQUIRE(initiator.poll(again).ok());
    BOOST_TEST(again == first);
    const auto r = initiator.handle_response(outcome.response, client);
    BOOST_REQUIRE_MESSAGE(r.ok(), r.reason);
    BOOST_TEST(client->id() == outcome.session->id());
}
