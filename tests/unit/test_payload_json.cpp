// Event bytes in admin answers: text when the bytes are UTF-8, hex otherwise.
#define BOOST_TEST_MODULE payload_json
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "net/kernel/admin/payload_json.hpp"

namespace admin = net::kernel::admin;

namespace {
bool utf8(const std::string& s)
{
    return admin::is_valid_utf8({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}
}  // namespace

BOOST_AUTO_TEST_CASE(accepts_ascii_and_well_formed_multibyte_text)
{
    BOOST_TEST(utf8(""));
    BOOST_TEST(utf8("hello {\"json\": 1}"));
    BOOST_TEST(utf8("caf\xC3\xA9"));             // é
    BOOST_TEST(utf8("\xE2\x82\xAC"));            // €
    BOOST_TEST(utf8("\xF0\x9F\x98\x80"));        // U+1F600
    BOOST_TEST(utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
}

BOOST_AUTO_TEST_CASE(refuses_truncated_overlong_surrogate_and_out_of_range_sequences)
{
    BOOST_TEST(!utf8("\xC3"));                   // cut after the lead byte
    BOOST_TEST(!utf8("ab\xE2\x82"));             // cut in the middle
    BOOST_TEST(!utf8("\xC0\xAF"));               // overlong '/'
    BOOST_TEST(!utf8("\xE0\x80\xAF"));           // overlong, 3 bytes
    BOOST_TEST(!utf8("\xED\xA0\x80"));           // surrogate U+D800
    BOOST_TEST(!utf8("\xF4\x90\x80\x80"));       // U+110000
    BOOST_TEST(!utf8("\x80"));                   // continuation without a lead
    BOOST_TEST(!utf8("\xFF"));
    BOOST_TEST(!utf8("a\xC3(b"));                // bad continuation
}

BOOST_AUTO_TEST_CASE(puts_text_as_payload_and_other_bytes_as_payload_hex)
{
    nlohmann::json text = nlohmann::json::object();
    const std::string hello = "hello";
    admin::put_payload(text, {reinterpret_cast<const std::uint8_t*>(hello.data()), hello.size()});
    BOOST_TEST(text.dump() == R"({"payload":"hello"})");

    nlohmann::json binary = nlohmann::json::object();
    const std::vector<std::uint8_t> bytes{0x00, 0xff, 0x10};
    admin::put_payload(binary, bytes);
    BOOST_TEST(binary.dump() == R"({"payload_hex":"00ff10"})");
}
