// Channel names (canonical form, every validation error), the two hashes, subnet ids and the
// visibility table.
#define BOOST_TEST_MODULE channel_name
#include <boost/test/unit_test.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <set>

#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/channel/visibility.hpp"

using namespace net::kernel::channel;

BOOST_AUTO_TEST_CASE(canonical_form_lowercases_and_unifies_separators)
{
    BOOST_TEST(ChannelName::from("Sensors.Temp/Room-1").str() == "sensors/temp/room-1");
    BOOST_TEST((ChannelName::from("a.b") == ChannelName::from("A/B")));
    BOOST_TEST(ChannelName::from("x_y-9").str() == "x_y-9");

    BOOST_TEST(ChannelName::parse(std::string(64, 'a') + "/" + std::string(64, 'b') + "/" + std::string(64, 'c') + "/" +
                                  std::string(60, 'd'))
                   .has_value());

}

BOOST_AUTO_TEST_CASE(every_error_names_its_offset)
{
    const struct {
        std::string text;
        NameError error;
        std::size_t offset;
    } cases[] = {
        {"", NameError::empty, 0},
        {std::string(256, 'a'), NameError::too_long, 255},
        {"a b", NameError::bad_character, 1},
        {"caf\xc3\xa9", NameError::bad_character, 3},
        {"a*", NameError::bad_character, 1},
        {"/a", NameError::empty_segment, 0},
        {"a//b", NameError::empty_segment, 2},
        {"a.", NameError::empty_segment, 2},
        {"a./b", NameError::empty_segment, 2},
        {std::string(65, 'a'), NameError::segment_too_long, 64},
        {"a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", NameError::too_many_segments, 31},
    };
    for (const auto& c : cases) {
        NameCheck check;
        BOOST_TEST(!ChannelName::parse(c.text, &check).has_value(), c.text);
        BOOST_TEST((check.error == c.error), c.text << ": " << name_error_name(check.error));
        BOOST_TEST(check.offset == c.offset, c.text);
        BOOST_TEST(check.message(c.text).find(std::string(" at offset ") + std::to_string(c.offset)) != std::string::npos);
    }
    BOOST_TEST(ChannelName::parse("a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p").has_value());  // 16 segments
    BOOST_CHECK_THROW(ChannelName::from("a//b"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(hashes_are_xxh3_of_the_canonical_name_and_its_fold)
{
    const auto n = ChannelName::from("Sensors.Temp");
    BOOST_TEST(n.hash64() == XXH3_64bits("sensors/temp", 12));
    const std::uint64_t h = n.hash64();
    std::uint16_t folded = static_cast<std::uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48));
    if (folded == 0) folded = 1;
    BOOST_TEST(n.hash16() == folded);
    BOOST_TEST(fold_hash16(0) == 1);  // 0 means "no channel" in a packet header
    BOOST_TEST(fold_hash16(0x0001000100010001ULL) == 1);
    BOOST_TEST(fold_hash16(0x0000000000001234ULL) == 0x1234);
    // Distinct names, distinct 64-bit hashes (a sanity sample, not a proof).
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(ChannelName::from("chan/" + std::to_string(i)).hash64());
    BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(subnet_ids_parse_print_and_nest)
{
    BOOST_TEST(SubnetId::parse("0").value().packed() == 0u);
    BOOST_TEST(SubnetId::parse("10.3").value().packed() == 0x0A030000u);
    BOOST_TEST(SubnetId::parse("10.3.7.255").value().str() == "10.3.7.255");
    for (const char* bad : {"", "0.1", "10..3", "256", "1.2.3.4.5", "10.", "a", "1.0", "0010"}) {
        BOOST_TEST(!SubnetId::parse(bad).has_value(), bad);
    }
    BOOST_TEST(!SubnetId::from_u32(0x0A000300u).has_value());
    BOOST_TEST(SubnetId::from_u32(0x0A030000u).has_value());
    const auto s = *SubnetId::parse("10.3.7");
    BOOST_TEST(s.depth() == 3u);
    BOOST_TEST(s.parent().str() == "10.3");
    BOOST_TEST(s.parent().parent().parent().str() == "0");
    BOOST_TEST(SubnetId::root().parent().str() == "0");
    BOOST_TEST(SubnetId::parse("10.3").value().contains(s));
    BOOST_TEST(!s.contains(*SubnetId::parse("10.3")));
    BOOST_TEST(SubnetId::root().contains(s));
    BOOST_TEST(!SubnetId::parse("10.4").value().contains(s));
}

BOOST_AUTO_TEST_CASE(visibility_table)
{
    const auto p = *SubnetId::parse("10.3");    // publisher
    const auto same = p;
    const auto parent = *SubnetId::parse("10");
    const auto sibling = *SubnetId::parse("10.4");
    const auto nephew = *SubnetId::parse("10.4.1");
    const auto child = *SubnetId::parse("10.3.1");
    const auto cousin = *SubnetId::parse("11.3");
    const auto root = SubnetId::root();
    struct Row {
        Visibility v;
        bool same, parent, sibling, nephew, child, cousin, root;
    };
    const Row rows[] = {
        {Visibility::subnet_local, true, false, false, false, false, false, false},
        {Visibility::parent_visible, true, true, false, false, false, false, false},
        {Visibility::exported, true, true, true, true, true, false, false},
        {Visibility::global, true, true, true, true, true, true, true},
    };
    for (const auto& r : rows) {
        BOOST_TEST(visible(r.v, p, same) == r.same, visibility_name(r.v));
        BOOST_TEST(visible(r.v, p, parent) == r.parent, visibility_name(r.v));
        BOOST_TEST(visible(r.v, p, sibling) == r.sibling, visibility_name(r.v));
        BOOST_TEST(visible(r.v, p, nephew) == r.nephew, visibility_name(r.v));
        BOOST_TEST(visible(r.v, p, child) == r.child, visibility_name(r.v));
        BOOST_TEST(visible(r.v, p, cousin) == r.cousin, visibility_name(r.v));
        BOOST_TEST(visible(r.v, p, root) == r.root, visibility_name(r.v));
    }
    // A root publisher: local and parent-visible reach root nodes only; exported reaches everyone.
    BOOST_TEST(visible(Visibility::parent_visible, root, root));
    BOOST_TEST(!visible(Visibility::parent_visible, root, p));
    BOOST_TEST(visible(Visibility::exported, root, p));
    BOOST_TEST((parse_visibility("parent_visible").value() == Visibility::parent_visible));
    BOOST_TEST((parse_visibility("subnet-local").value() == Visibility::subnet_local));
    BOOST_TEST(!parse_visibility("public").has_value());
    BOOST_TEST(!visibility_from_byte(4).has_value());
}
