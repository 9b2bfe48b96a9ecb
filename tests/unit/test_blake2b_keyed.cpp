// Keyed BLAKE2b against the official keyed known answers, and unkeyed against Botan's BLAKE2b for
// every output length and many input lengths (block boundaries included).
#define BOOST_TEST_MODULE blake2b_keyed
#include <boost/test/unit_test.hpp>

#include <botan/blake2b.h>
#include <botan/hex.h>

#include <random>
#include <vector>

#include "net/kernel/crypto/blake2b_keyed.hpp"

using net::kernel::crypto::Blake2bKeyed;

namespace {

std::vector<std::uint8_t> keyed(std::span<const std::uint8_t> key, std::span<const std::uint8_t> msg, std::size_t n)
{
    Blake2bKeyed h(n, key);
    h.update(msg);
    std::vector<std::uint8_t> out(n);
    h.finish(out);
    return out;
}

}  // namespace

// Source: the BLAKE2 reference test vectors (testvectors/blake2b-kat.txt, keyed section): key =
// 00 01 .. 3f, inputs "" and "00", 64-byte output.
BOOST_AUTO_TEST_CASE(matches_the_official_keyed_known_answers)
{
    std::vector<std::uint8_t> key(64);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
    BOOST_TEST(Botan::hex_encode(keyed(key, {}, 64), false) ==
               "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
               "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568");
    const std::uint8_t zero = 0;
    BOOST_TEST(Botan::hex_encode(keyed(key, {&zero, 1}, 64), false) ==
               "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4"
               "187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd");
}

BOOST_AUTO_TEST_CASE(unkeyed_matches_botan_for_all_output_lengths)
{
    std::mt19937 rng(7);
    for (std::size_t out_len = 1; out_len <= 64; ++out_len) {
        for (std::size_t len : {0u, 1u, 127u, 128u, 129u, 255u, 256u, 257u, 1000u}) {
            std::vector<std::uint8_t> msg(len);
            for (auto& b : msg) b = static_cast<std::uint8_t>(rng());
            Botan::BLAKE2b reference(out_len * 8);
            const auto expected = reference.process(msg);
            BOOST_TEST(keyed({}, msg, out_len) == std::vector<std::uint8_t>(expected.begin(), expected.end()),
                       "out_len " << out_len << " len " << len);
        }
    }
}

BOOST_AUTO_TEST_CASE(streaming_equals_one_shot_and_keys_change_the_digest)
{
    std::vector<std::uint8_t> msg(1000, 0x5a), key_a(32, 1), key_b(32, 2);
    Blake2bKeyed h(32, key_a);
    for (std::size_t i = 0; i < msg.size(); i += 7) h.update(std::span(msg).subspan(i, std::min<std::size_t>(7, msg.size() - i)));
    std::vector<std::uint8_t> out(32);
    h.finish(out);
    BOOST_TEST(out == keyed(key_a, msg, 32));
    BOOST_TEST(keyed(key_a, msg, 32) != keyed(key_b, msg, 32));
    BOOST_CHECK_THROW(Blake2bKeyed(0, {}), std::invalid_argument);
    BOOST_CHECK_THROW(Blake2bKeyed(65, {}), std::invalid_argument);
    std::vector<std::uint8_t> long_key(65);
    BOOST_CHECK_THROW(Blake2bKeyed(32, long_key), std::invalid_argument);
}
