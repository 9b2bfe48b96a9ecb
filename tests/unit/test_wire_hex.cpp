// Hex via lookup tables: every byte value both ways, either case, odd length, every non-hex
// character with its index, output capacity, and seeded random round trips.
#define BOOST_TEST_MODULE wire_hex
#include <boost/test/unit_test.hpp>

#include <array>
#include <cctype>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "net/kernel/wire/hex.hpp"

namespace net::kernel::wire {
// Lets BOOST_TEST print errors by name.
std::ostream& operator<<(std::ostream& os, WireError e)
{
    return os << wire_error_name(e);
}
}  // namespace net::kernel::wire

namespace wire = net::kernel::wire;
using wire::WireError;

BOOST_AUTO_TEST_CASE(every_byte_encodes_to_lowercase_and_back)
{
    std::vector<std::uint8_t> all(256);
    for (std::size_t i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
    std::string text(512, '?');
    const auto n = wire::hex_encode(all, text);
    BOOST_TEST_REQUIRE(n.ok());
    BOOST_TEST(*n == 512u);
    BOOST_TEST(text.substr(0, 6) == "000102");
    BOOST_TEST(text.substr(500) == "fafbfcfdfeff");
    std::vector<std::uint8_t> back(256);
    BOOST_TEST(*wire::hex_decode(text, back) == 256u);
    BOOST_TEST(back == all, boost::test_tools::per_element());

    std::string upper = text;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::fill(back.begin(), back.end(), 0);
    BOOST_TEST(*wire::hex_decode(upper, back) == 256u);
    BOOST_TEST(back == all, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_input_is_fine)
{
    std::array<char, 1> out{};
    BOOST_TEST(*wire::hex_encode({}, out) == 0u);
    BOOST_TEST(*wire::hex_decode("", {}) == 0u);
}

BOOST_AUTO_TEST_CASE(odd_length_is_refused)
{
    std::array<std::uint8_t, 4> out{};
    const auto r = wire::hex_decode("abc", out);
    BOOST_TEST(r.error() == WireError::odd_length);
    BOOST_TEST(r.offset() == 3u);
}

BOOST_AUTO_TEST_CASE(every_non_hex_character_is_refused_with_its_index)
{
    std::array<std::uint8_t, 3> out{};
    for (int c = 0; c < 256; ++c) {
        const bool hex = std::isxdigit(c) != 0;
        for (std::size_t at = 0; at < 6; ++at) {
            std::string text = "a1b2c3";
            text[at] = static_cast<char>(c);
            const auto r = wire::hex_decode(text, out);
            if (hex) {
                BOOST_TEST_REQUIRE(r.ok());
            } else {
                BOOST_TEST_REQUIRE(r.error() == WireError::not_hex);
                BOOST_TEST_REQUIRE(r.offset() == at);
            }
        }
    }
    // Both characters of a pair bad: the first is reported.
    BOOST_TEST(wire::hex_decode("00zz", out).offset() == 2u);
}

BOOST_AUTO_TEST_CASE(short_outputs_are_refused_untouched)
{
    const std::array<std::uint8_t, 3> in{1, 2, 3};
    std::array<char, 5> small{};
    small.fill('#');
    const auto e = wire::hex_encode(in, small);
    BOOST_TEST(e.error() == WireError::buffer_too_small);
    BOOST_TEST(e.offset() == 5u);
    for (char c : small) BOOST_TEST(c == '#');
    std::array<std::uint8_t, 2> out{};
    BOOST_TEST(wire::hex_decode("010203", out).error() == WireError::buffer_too_small);
    std::array<std::uint8_t, 8> big{};
    BOOST_TEST(*wire::hex_decode("010203", big) == 3u);
}

BOOST_AUTO_TEST_CASE(random_bytes_round_trip)
{
    std::mt19937_64 rng(0x5EED0005);
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> in(rng() % 100);
        for (auto& b : in) b = static_cast<std::uint8_t>(rng());
        std::string text(wire::hex_encoded_size(in.size()), '\0');
        BOOST_TEST_REQUIRE(wire::hex_encode(in, text).ok());
        std::vector<std::uint8_t> out(wire::hex_decoded_size(text.size()));
        BOOST_TEST_REQUIRE(wire::hex_decode(text, out).ok());
        BOOST_TEST_REQUIRE((out == in));
    }
}
