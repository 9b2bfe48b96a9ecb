// test_noise_handshake.cpp — round trips for every pattern and cipher with random keys, and every
// kind of bad input: truncated, oversized, garbage, flipped bytes, wrong PSK, wrong responder
// static key, suite and prologue mismatches, calls out of order.
#define BOOST_TEST_MODULE noise_handshake
#include <boost/test/unit_test.hpp>

#include <botan/system_rng.h>

#include <string>
#include <vector>

#include "net/kernel/crypto/noise_handshake.hpp"

using namespace net::kernel::crypto;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text)
{
    return Bytes(text.begin(), text.end());
}

Botan::secure_vector<std::uint8_t> random_psk()
{
    Botan::secure_vector<std::uint8_t> psk(kNoisePskLen);
    Botan::system_rng().randomize(psk.data(), psk.size());
    return psk;
}

std::string protocol_name(const std::string& pattern, NoiseCipher cipher)
{
    return "Noise_" + pattern + "_25519_" + noise_cipher_name(cipher) + "_BLAKE2b";
}

struct Configs {
    NoiseHandshakeConfig initiator;
    NoiseHandshakeConfig responder;
};

// Random static keys and PSKs; each side gets what the pattern needs.
Configs make_configs(const std::string& pattern, NoiseCipher cipher)
{
    Configs c;
    NoisePattern p;
    BOOST_REQUIRE(find_noise_pattern(pattern, p).ok());
    c.initiator.protocol_name = c.responder.protocol_name = protocol_name(pattern, cipher);
    c.initiator.role = NoiseRole::initiator;
    c.responder.role = NoiseRole::responder;
    c.initiator.prologue = c.responder.prologue = bytes_of("net/1 node-a node-b");
    const auto initiator_static = noise_generate_private_key();
    const auto responder_static = noise_generate_private_key();
    if (p.needs_local_static(NoiseRole::initiator)) c.initiator.local_static = initiator_static;
    if (p.needs_local_static(NoiseRole::responder)) c.responder.local_static = responder_static;
    if (p.needs_remote_static(NoiseRole::initiator)) c.initiator.remote_static = noise_public_key(responder_static);
    if (p.needs_remote_static(NoiseRole::responder)) c.responder.remote_static = noise_public_key(initiator_static);
    for (std::size_t i = 0; i < p.psk_count(); ++i) {
        c.initiator.psks.push_back(random_psk());
        c.responder.psks.push_back(c.initiator.psks.back());
    }
    return c;
}

// Runs the handshake; `tamper(i, message)` may change message i on the wire. Returns the first
// failed result, or success with both sides complete.
template <class Tamper>
NoiseResult run_handshake(NoiseHandshake& initiator, NoiseHandshake& responder, Tamper&& tamper,
                          const Bytes& payload = bytes_of("hello"))
{
    Bytes wire, received;
    bool payload_changed = false;  // possible in an unencrypted first message; h must catch it later
    for (std::size_t i = 0; !initiator.is_complete() || !responder.is_complete(); ++i) {
        const bool from_initiator = i % 2 == 0;
        auto& sender = from_initiator ? initiator : responder;
        auto& receiver = from_initiator ? responder : initiator;
        if (auto r = sender.write_message(payload, wire); !r) return r;
        tamper(i, wire);
        if (auto r = receiver.read_message(wire, received); !r) return r;
        payload_changed = payload_changed || received != payload;
        if (i > 8) return NoiseResult::failure(NoiseStatus::internal_error, "handshake does not end");
    }
    if (payload_changed) return NoiseResult::failure(NoiseStatus::internal_error, "payload changed undetected");
    return NoiseResult::success();
}

NoiseResult run_handshake(NoiseHandshake& initiator, NoiseHandshake& responder)
{
    return run_handshake(initiator, responder, [](std::size_t, Bytes&) {});
}

void initialize(NoiseHandshake& initiator, NoiseHandshake& responder, const Configs& c)
{
    BOOST_REQUIRE(initiator.initialize(c.initiator).ok());
    BOOST_REQUIRE(responder.initialize(c.responder).ok());
}

const std::vector<std::string> kPatterns = {"NN", "NK", "IK", "XX", "NKpsk0", "XXpsk3", "IKpsk2"};
const std::vector<NoiseCipher> kCiphers = {NoiseCipher::chacha_poly, NoiseCipher::aes_gcm};

std::size_t handshake_length(const std::string& pattern)
{
    NoisePattern p;
    BOOST_REQUIRE(find_noise_pattern(pattern, p).ok());
    return p.messages.size();
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_every_pattern_and_cipher)
{
    for (const auto& pattern : kPatterns) {
        for (auto cipher : kCiphers) {
            BOOST_TEST_CONTEXT(protocol_name(pattern, cipher))
            {
                const auto c = make_configs(pattern, cipher);
                NoiseHandshake initiator, responder;
                initialize(initiator, responder, c);
                const auto r = run_handshake(initiator, responder);
                BOOST_REQUIRE_MESSAGE(r.ok(), r.message);
                BOOST_TEST(initiator.handshake_hash().size() == kNoiseHashLen);
                BOOST_TEST(std::equal(initiator.handshake_hash().begin(), initiator.handshake_hash().end(),
                                      responder.handshake_hash().begin(), responder.handshake_hash().end()));
                if (pattern.starts_with("XX") || pattern.starts_with("IK")) {
                    BOOST_TEST(responder.remote_static().has_value());
                    BOOST_TEST((*responder.remote_static() == noise_public_key(c.initiator.local_static)));
                }
                NoiseTransport a, b;
                BOOST_REQUIRE(initiator.split(a).ok());
                BOOST_REQUIRE(responder.split(b).ok());
                Bytes wire, out;
                for (int round = 0; round < 3; ++round) {
                    BOOST_REQUIRE(a.encrypt(bytes_of("ping"), wire).ok());
                    BOOST_REQUIRE(b.decrypt(wire, out).ok());
                    BOOST_TEST((out == bytes_of("ping")));
                    BOOST_REQUIRE(b.encrypt(bytes_of("pong"), wire).ok());
                    BOOST_REQUIRE(a.decrypt(wire, out).ok());
                    BOOST_TEST((out == bytes_of("pong")));
                }
                // Rekey on one direction: both ends must rekey together.
                BOOST_REQUIRE(a.rekey_send().ok());
                BOOST_REQUIRE(a.encrypt(bytes_of("after rekey"), wire).ok());
                BOOST_TEST((b.decrypt(wire, out).status == NoiseStatus::decrypt_failed));
                BOOST_REQUIRE(b.rekey_receive().ok());
                BOOST_REQUIRE(b.decrypt(wire, out).ok());
                BOOST_TEST((out == bytes_of("after rekey")));
                // A second split is refused.
                NoiseTransport again;
                BOOST_TEST((initiator.split(again).status == NoiseStatus::bad_state));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(random_ephemerals_differ_between_handshakes)
{
    const auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    NoiseHandshake a1, a2;
    BOOST_REQUIRE(a1.initialize(c.initiator).ok());
    BOOST_REQUIRE(a2.initialize(c.initiator).ok());
    Bytes m1, m2;
    BOOST_REQUIRE(a1.write_message({}, m1).ok());
    BOOST_REQUIRE(a2.write_message({}, m2).ok());
    BOOST_TEST(m1.size() == 32u + 16u);
    BOOST_TEST((m1 != m2));
}

BOOST_AUTO_TEST_CASE(suite_mismatch_fails_the_handshake)
{
    auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    c.responder.protocol_name = protocol_name("NKpsk0", NoiseCipher::aes_gcm);
    NoiseHandshake initiator, responder;
    initialize(initiator, responder, c);
    const auto r = run_handshake(initiator, responder);
    BOOST_TEST((r.status == NoiseStatus::decrypt_failed));
    BOOST_TEST(r.message.find("handshake message 1: payload: decryption failed") != std::string::npos, r.message);
    BOOST_TEST(r.message.find("cipher suite") != std::string::npos, r.message);
    BOOST_TEST(responder.has_failed());
}

BOOST_AUTO_TEST_CASE(prologue_mismatch_fails_the_handshake)
{
    auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    c.responder.prologue = bytes_of("net/1 node-a node-c");
    NoiseHandshake initiator, responder;
    initialize(initiator, responder, c);
    BOOST_TEST((run_handshake(initiator, responder).status == NoiseStatus::decrypt_failed));
}

BOOST_AUTO_TEST_CASE(wrong_psk_fails_the_handshake)
{
    for (auto cipher : kCiphers) {
        auto c = make_configs("NKpsk0", cipher);
        c.responder.psks[0] = random_psk();
        NoiseHandshake initiator, responder;
        initialize(initiator, responder, c);
        const auto r = run_handshake(initiator, responder);
        BOOST_TEST((r.status == NoiseStatus::decrypt_failed), r.message);
        BOOST_TEST(responder.has_failed());
        Bytes out;
        BOOST_TEST((responder.write_message({}, out).status == NoiseStatus::bad_state));
    }
}

BOOST_AUTO_TEST_CASE(wrong_responder_static_key_fails_the_handshake)
{
    for (const std::string pattern : {"NK", "NKpsk0", "IK"}) {
        auto c = make_configs(pattern, NoiseCipher::chacha_poly);
        c.initiator.remote_static = noise_public_key(noise_generate_private_key());
        NoiseHandshake initiator, responder;
        initialize(initiator, responder, c);
        const auto r = run_handshake(initiator, responder);
        BOOST_TEST_CONTEXT(pattern)
        {
            BOOST_TEST((r.status == NoiseStatus::decrypt_failed), r.message);
            BOOST_TEST(responder.has_failed());
            BOOST_TEST(!initiator.is_complete());
        }
    }
}

BOOST_AUTO_TEST_CASE(truncated_messages_are_rejected)
{
    for (const std::string pattern : {"NKpsk0", "NK", "IK", "XX"}) {
        for (std::size_t index = 0; index < handshake_length(pattern); ++index) {
            // Every strict prefix of message `index`.
            for (std::size_t keep = 0;; ++keep) {
                const auto c = make_configs(pattern, NoiseCipher::aes_gcm);
                NoiseHandshake initiator, responder;
                initialize(initiator, responder, c);
                bool cut = false;
                const auto r = run_handshake(initiator, responder, [&](std::size_t i, Bytes& wire) {
                    if (i == index && keep < wire.size()) {
                        wire.resize(keep);
                        cut = true;
                    }
                });
                if (!cut) break;
                BOOST_TEST_CONTEXT(pattern << " message " << index << " cut to " << keep)
                {
                    BOOST_TEST(!r.ok());
                    BOOST_TEST((r.status == NoiseStatus::truncated || r.status == NoiseStatus::decrypt_failed),
                               noise_status_name(r.status) << ": " << r.message);
                    BOOST_TEST(!(initiator.is_complete() && responder.is_complete()));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_truncated_first_message_names_what_is_missing)
{
    const auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    NoiseHandshake responder;
    BOOST_REQUIRE(responder.initialize(c.responder).ok());
    Bytes payload;
    const auto r = responder.read_message(Bytes(20, 7), payload);
    BOOST_TEST((r.status == NoiseStatus::truncated));
    BOOST_TEST(r.message == "handshake message 1 truncated: ephemeral key needs 32 bytes, 20 left");
    BOOST_TEST(responder.has_failed());
    BOOST_TEST((responder.read_message(Bytes(48, 7), payload).status == NoiseStatus::bad_state));

    NoiseHandshake responder2;
    BOOST_REQUIRE(responder2.initialize(c.responder).ok());
    const auto r2 = responder2.read_message(Bytes(40, 7), payload);
    BOOST_TEST((r2.status == NoiseStatus::truncated));
    BOOST_TEST(r2.message.find("payload needs at least 16 bytes") != std::string::npos, r2.message);
}

BOOST_AUTO_TEST_CASE(oversized_messages_are_rejected)
{
    const auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    NoiseHandshake initiator, responder;
    initialize(initiator, responder, c);
    Bytes out, payload;
    BOOST_TEST(
        (responder.read_message(Bytes(kNoiseMaxMessage + 1, 1), payload).status == NoiseStatus::message_too_large));
    BOOST_TEST(responder.has_failed());
    // 65535 - 48 bytes of overhead is the largest payload; one more is refused.
    const auto r = initiator.write_message(Bytes(kNoiseMaxMessage - 32 - 16 + 1, 1), out);
    BOOST_TEST((r.status == NoiseStatus::message_too_large), r.message);
    BOOST_TEST(initiator.has_failed());

    NoiseHandshake initiator2, responder2;
    initialize(initiator2, responder2, c);
    BOOST_REQUIRE(initiator2.write_message(Bytes(kNoiseMaxMessage - 32 - 16, 1), out).ok());
    BOOST_TEST(out.size() == kNoiseMaxMessage);
    BOOST_REQUIRE(responder2.read_message(out, payload).ok());
    BOOST_TEST(payload.size() == kNoiseMaxMessage - 48);
    BOOST_REQUIRE(responder2.write_message({}, out).ok());
    BOOST_REQUIRE(initiator2.read_message(out, payload).ok());
    NoiseTransport t;
    BOOST_REQUIRE(initiator2.split(t).ok());
    BOOST_TEST((t.encrypt(Bytes(kNoiseMaxMessage - 15, 0), out).status == NoiseStatus::message_too_large));
    BOOST_TEST((t.decrypt(Bytes(kNoiseMaxMessage + 1, 0), out).status == NoiseStatus::message_too_large));
}

BOOST_AUTO_TEST_CASE(garbage_messages_are_rejected)
{
    Botan::System_RNG rng;
    for (auto cipher : kCiphers) {
        const auto c = make_configs("NKpsk0", cipher);
        for (std::size_t size : {0u, 1u, 31u, 32u, 47u, 48u, 49u, 100u, 1000u}) {
            NoiseHandshake initiator, responder;
            initialize(initiator, responder, c);
            Bytes garbage(size), out, payload;
            rng.randomize(garbage.data(), garbage.size());
            BOOST_TEST(!responder.read_message(garbage, payload).ok());
            BOOST_TEST(responder.has_failed());
            BOOST_REQUIRE(initiator.write_message({}, out).ok());
            BOOST_TEST(!initiator.read_message(garbage, payload).ok());
            BOOST_TEST(initiator.has_failed());
        }
    }
}

BOOST_AUTO_TEST_CASE(low_order_ephemeral_is_rejected)
{
    const auto c = make_configs("NK", NoiseCipher::chacha_poly);
    NoiseHandshake responder;
    BOOST_REQUIRE(responder.initialize(c.responder).ok());
    Bytes message(48, 0), payload;  // e = 0 is a low-order point: DH gives all zeros
    const auto r = responder.read_message(message, payload);
    BOOST_TEST((r.status == NoiseStatus::dh_failed), r.message);
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_in_any_handshake_message_is_rejected)
{
    for (const auto& pattern : kPatterns) {
        for (auto cipher : kCiphers) {
            const auto c = make_configs(pattern, cipher);
            for (std::size_t index = 0; index < handshake_length(pattern); ++index) {
                for (std::size_t position = 0;; ++position) {
                    NoiseHandshake initiator, responder;
                    initialize(initiator, responder, c);
                    bool flipped = false;
                    const auto r = run_handshake(initiator, responder, [&](std::size_t i, Bytes& wire) {
                        if (i == index && position < wire.size()) {
                            wire[position] ^= 0x01;
                            flipped = true;
                        }
                    });
                    if (!flipped) break;
                    // Plaintext parts (an unencrypted first message) are caught later through h.
                    BOOST_TEST_CONTEXT(protocol_name(pattern, cipher) << " message " << index << " byte " << position)
                    {
                        BOOST_TEST(!r.ok());
                    }
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(calls_out_of_order_are_refused)
{
    const auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    Bytes out, payload;
    NoiseHandshake uninitialized;
    BOOST_TEST((uninitialized.write_message({}, out).status == NoiseStatus::bad_state));
    NoiseTransport t;
    BOOST_TEST((uninitialized.split(t).status == NoiseStatus::bad_state));
    BOOST_TEST((t.encrypt({}, out).status == NoiseStatus::bad_state));

    NoiseHandshake responder;
    BOOST_REQUIRE(responder.initialize(c.responder).ok());
    BOOST_TEST((responder.split(t).status == NoiseStatus::bad_state));
    BOOST_TEST((responder.write_message({}, out).status == NoiseStatus::bad_state));
    BOOST_TEST(responder.has_failed());

    NoiseHandshake initiator, responder2;
    initialize(initiator, responder2, c);
    BOOST_REQUIRE(run_handshake(initiator, responder2).ok());
    BOOST_TEST((initiator.write_message({}, out).status == NoiseStatus::bad_state));
}

BOOST_AUTO_TEST_CASE(bad_configurations_are_reported)
{
    auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    NoiseHandshake h;
    auto bad = c.responder;
    bad.local_static.clear();
    auto r = h.initialize(bad);
    BOOST_TEST((r.status == NoiseStatus::invalid_argument));
    BOOST_TEST(r.message == "NKpsk0 needs the responder's static private key");
    BOOST_TEST(!h.is_initialized());

    bad = c.initiator;
    bad.remote_static.reset();
    BOOST_TEST((h.initialize(bad).status == NoiseStatus::invalid_argument));
    bad = c.initiator;
    bad.psks.clear();
    r = h.initialize(bad);
    BOOST_TEST(r.message == "NKpsk0 needs 1 PSK(s), 0 given");
    bad = c.initiator;
    bad.psks[0].resize(31);
    BOOST_TEST((h.initialize(bad).status == NoiseStatus::invalid_argument));
    bad = c.responder;
    bad.local_static.resize(31);
    BOOST_TEST((h.initialize(bad).status == NoiseStatus::invalid_argument));
    bad = c.initiator;
    bad.protocol_name = "Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s";
    r = h.initialize(bad);
    BOOST_TEST((r.status == NoiseStatus::unsupported));
    BOOST_TEST(r.message == "unsupported: BLAKE2s");
}

BOOST_AUTO_TEST_CASE(a_given_static_public_key_is_used_and_must_match)
{
    auto c = make_configs("NKpsk0", NoiseCipher::chacha_poly);
    c.responder.local_static_public = noise_public_key(c.responder.local_static);
    NoiseHandshake initiator, responder;
    initialize(initiator, responder, c);
    BOOST_TEST(run_handshake(initiator, responder).ok());

    c.responder.local_static_public = noise_public_key(noise_generate_private_key());
    NoiseHandshake initiator2, responder2;
    initialize(initiator2, responder2, c);
    BOOST_TEST((run_handshake(initiator2, responder2).status == NoiseStatus::decrypt_failed));
}
