// Control payloads byte by byte (docs/reliability.md, "Control packets").
#include <boost/test/unit_test.hpp>

#include <vector>

#include "control_codec.hpp"

using namespace net::reliability;

namespace {
net_bytes_t view(const std::vector<std::uint8_t>& v) { return net_bytes_t{v.data(), v.size()}; }
}  // namespace

BOOST_AUTO_TEST_CASE(selective_nack_is_16_little_endian_bytes)
{
    std::uint8_t out[16];
    encode_selective_nack(0x0102030405060708u, 0x8000000000000005u, out);
    const std::vector<std::uint8_t> expected{0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                             0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80};
    BOOST_TEST(std::vector<std::uint8_t>(out, out + 16) == expected, boost::test_tools::per_element());
    std::uint64_t next = 0, missing = 0;
    decode_selective_nack(out, next, missing);
    BOOST_TEST(next == 0x0102030405060708u);
    BOOST_TEST(missing == 0x8000000000000005u);
}

BOOST_AUTO_TEST_CASE(ack_nack_and_reset_have_fixed_layouts)
{
    std::array<std::uint8_t, kMaxControlBytes> out{};
    BOOST_TEST(encode_control(ControlMessage{ControlKind::ack, 3, 0, 0x10000}, out) == 17u);
    const std::vector<std::uint8_t> ack{0x01, 3, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0};
    BOOST_TEST(std::vector<std::uint8_t>(out.begin(), out.begin() + 17) == ack, boost::test_tools::per_element());

    BOOST_TEST(encode_control(ControlMessage{ControlKind::nack, 9, 0b101, 70000}, out) == 25u);
    BOOST_TEST(out[0] == 0x02);
    BOOST_TEST(out[1] == 9);
    BOOST_TEST(out[9] == 0b101);
    const auto nack = decode_control(net_bytes_t{out.data(), 25});
    BOOST_REQUIRE(nack.has_value());
    BOOST_TEST((nack->kind == ControlKind::nack));
    BOOST_TEST(nack->next_expected == 9u);
    BOOST_TEST(nack->missing == 0b101u);
    BOOST_TEST(nack->credit_limit == 70000u);

    BOOST_TEST(encode_control(ControlMessage{ControlKind::reset, 0, 0, 0}, out) == 1u);
    BOOST_TEST(out[0] == 0x03);
    BOOST_TEST((decode_control(net_bytes_t{out.data(), 1})->kind == ControlKind::reset));
}

BOOST_AUTO_TEST_CASE(malformed_control_payloads_are_refused)
{
    BOOST_TEST(!decode_control(net_bytes_t{nullptr, 0}).has_value());
    BOOST_TEST(!decode_control(view({0x01, 1, 2})).has_value());                 // ack too short
    BOOST_TEST(!decode_control(view(std::vector<std::uint8_t>(18, 0x01))).has_value());  // ack too long
    BOOST_TEST(!decode_control(view(std::vector<std::uint8_t>(17, 0x02))).has_value());  // nack with an ack's size
    BOOST_TEST(!decode_control(view({0x03, 0})).has_value());                    // reset with a body
    BOOST_TEST(!decode_control(view(std::vector<std::uint8_t>(17, 0x7f))).has_value());  // unknown kind
}
