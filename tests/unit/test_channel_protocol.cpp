// The membership and event-frame codecs: documented bytes, round trips, every truncation and
// trailing byte refused, bad kinds, versions, visibilities, subnets and names refused.
#define BOOST_TEST_MODULE channel_protocol
#include <boost/test/unit_test.hpp>

#include <vector>

#include "net/kernel/channel/protocol.hpp"
#include "net/kernel/wire/byte_order.hpp"
#include "net/kernel/wire/event_framing.hpp"

using namespace net::kernel;
using namespace net::kernel::channel;

namespace {

std::vector<std::uint8_t> encode(const Membership& m)
{
    std::vector<std::uint8_t> out(membership_size(m));
    BOOST_REQUIRE_EQUAL(encode_membership(m, out), out.size());
    return out;
}

Membership subscribe_msg(const std::vector<std::uint8_t>& chain)
{
    Membership m;
    m.kind = MessageKind::subscribe;
    m.incarnation = 0x1122334455667788ULL;
    m.visibility = Visibility::exported;
    m.subnet = *SubnetId::parse("10.3");
    m.name = "sensors/temp";
    m.chain = chain;
    return m;
}

}  // namespace

BOOST_AUTO_TEST_CASE(subscribe_bytes_are_as_documented_and_round_trip)
{
    const std::vector<std::uint8_t> chain{0};
    const auto bytes = encode(subscribe_msg(chain));
    BOOST_TEST(bytes.size() == 10u + 5 + 1 + 12 + 2 + 1);
    BOOST_TEST(bytes[0] == 1);  // kind subscribe
    BOOST_TEST(bytes[1] == 1);  // version
    BOOST_TEST(wire::load_le<std::uint64_t>(bytes.data() + 2) == 0x1122334455667788ULL);
    BOOST_TEST(bytes[10] == 2);  // exported
    BOOST_TEST(wire::load_le<std::uint32_t>(bytes.data() + 11) == 0x0A030000u);
    BOOST_TEST(bytes[15] == 12);  // name length
    BOOST_TEST(std::string(bytes.begin() + 16, bytes.begin() + 28) == "sensors/temp");
    BOOST_TEST(wire::load_le<std::uint16_t>(bytes.data() + 28) == 1u);
    BOOST_TEST(bytes[30] == 0);
    const auto m = decode_membership(bytes);
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST((m->kind == MessageKind::subscribe));
    BOOST_TEST(m->incarnation == 0x1122334455667788ULL);
    BOOST_TEST((m->visibility == Visibility::exported));
    BOOST_TEST(m->subnet.str() == "10.3");
    BOOST_TEST(m->name == "sensors/temp");
    BOOST_TEST(m->chain.size() == 1u);
    // Every truncation and any trailing byte is refused.
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        BOOST_TEST(!decode_membership(std::span(bytes.data(), n)).has_value(), n);
    }
    auto longer = bytes;
    longer.push_back(0);
    BOOST_TEST(!decode_membership(longer).has_value());
}

BOOST_AUTO_TEST_CASE(answers_unsubscribe_publisher_and_withdraw_round_trip)
{
    Membership a;
    a.kind = MessageKind::answer;
    a.incarnation = 5;
    a.about = MessageKind::publisher;
    a.answer = Answer::not_visible;
    a.link = 3;
    a.channel_hash = 0xdeadbeefcafef00dULL;
    const auto ab = encode(a);
    BOOST_TEST(ab.size() == 21u);
    BOOST_TEST(ab[10] == 4);
    BOOST_TEST(ab[11] == 64);
    BOOST_TEST(ab[12] == 3);
    const auto ad = decode_membership(ab).value();
    BOOST_TEST((ad.answer == Answer::not_visible));
    BOOST_TEST((ad.about == MessageKind::publisher));
    BOOST_TEST(ad.channel_hash == 0xdeadbeefcafef00dULL);

    for (MessageKind k : {MessageKind::unsubscribe, MessageKind::withdraw}) {
        Membership u;
        u.kind = k;
        u.incarnation = 9;
        u.name = "a/b";
        const auto ub = encode(u);
        BOOST_TEST(ub.size() == 14u);
        const auto ud = decode_membership(ub).value();
        BOOST_TEST((ud.kind == k));
        BOOST_TEST(ud.name == "a/b");
    }
    const std::vector<std::uint8_t> chain(1 + 172 * 2, 0x5a);
    auto p = subscribe_msg(chain);
    p.kind = MessageKind::publisher;
    const auto pd = decode_membership(encode(p)).value();
    BOOST_TEST((pd.kind == MessageKind::publisher));
    BOOST_TEST(pd.chain.size() == chain.size());
}

BOOST_AUTO_TEST_CASE(bad_fields_are_refused)
{
    const std::vector<std::uint8_t> chain{0};
    const auto good = encode(subscribe_msg(chain));
    auto refused = [&](std::size_t at, std::uint8_t value) {
        auto copy = good;
        copy[at] = value;
        return !decode_membership(copy).has_value();
    };
    BOOST_TEST(refused(0, 0));     // kind
    BOOST_TEST(refused(0, 6));
    BOOST_TEST(refused(1, 2));     // version
    BOOST_TEST(refused(10, 4));    // visibility
    BOOST_TEST(refused(11, 7));    // subnet 0x0A030007: a used level after a zero one
    BOOST_TEST(refused(16, 'S'));  // upper case is not canonical
    BOOST_TEST(refused(24, '/'));  // "sensors//emp": a doubled separator
    BOOST_TEST(refused(16, '/'));  // leading separator
    BOOST_TEST(refused(15, 0));    // empty name
    BOOST_TEST(refused(28, 2));    // chain length beyond the end

    Membership a;
    a.kind = MessageKind::answer;
    a.channel_hash = 1;
    auto ab = encode(a);
    ab[10] = 2;  // "about" must be subscribe or publisher
    BOOST_TEST(!decode_membership(ab).has_value());
    ab[10] = 1;
    ab[11] = 13;  // not an answer value
    BOOST_TEST(!decode_membership(ab).has_value());
    ab[11] = 0;
    ab[12] = 16;  // links are 0..15 or 0xFF
    BOOST_TEST(!decode_membership(ab).has_value());
    ab[12] = kNoLink;
    BOOST_TEST(decode_membership(ab).has_value());
}

BOOST_AUTO_TEST_CASE(encoder_refuses_what_does_not_fit)
{
    const std::vector<std::uint8_t> chain{0};
    const auto m = subscribe_msg(chain);
    std::vector<std::uint8_t> small(membership_size(m) - 1);
    BOOST_TEST(encode_membership(m, small) == 0u);
}

BOOST_AUTO_TEST_CASE(event_frames_round_trip_and_refuse_inconsistent_counts)
{
    std::vector<std::uint8_t> frame(kEventFrameHeader + 64);
    wire::EventWriter w(std::span(frame.data() + kEventFrameHeader, 64));
    const std::uint8_t a[] = {1, 2, 3};
    BOOST_TEST(w.append(a).ok());
    BOOST_TEST(w.append(std::span<const std::uint8_t>()).ok());
    EventFrameHeader h{2, 0xabcdef, 41};
    encode_event_frame_header(h, frame.data());
    frame.resize(kEventFrameHeader + w.size());
    BOOST_TEST(frame[0] == 1);
    BOOST_TEST(wire::load_le<std::uint16_t>(frame.data() + 2) == 2u);
    BOOST_TEST(wire::load_le<std::uint64_t>(frame.data() + 4) == 0xabcdefu);
    BOOST_TEST(wire::load_le<std::uint64_t>(frame.data() + 12) == 41u);
    std::span<const std::uint8_t> events;
    const auto d = decode_event_frame(frame, events);
    BOOST_REQUIRE(d.has_value());
    BOOST_TEST(d->count == 2u);
    BOOST_TEST(d->first_sequence == 41u);
    BOOST_TEST(events.size() == 4u + 3 + 4);

    auto bad = frame;
    wire::store_le<std::uint16_t>(bad.data() + 2, 3);  // more events claimed than framed
    BOOST_TEST(!decode_event_frame(bad, events).has_value());
    wire::store_le<std::uint16_t>(bad.data() + 2, 0);  // empty frames are not sent
    BOOST_TEST(!decode_event_frame(bad, events).has_value());
    bad = frame;
    bad[1] = 1;  // flags reserved
    BOOST_TEST(!decode_event_frame(bad, events).has_value());
    for (std::size_t n = 0; n < frame.size(); ++n) {
        BOOST_TEST(!decode_event_frame(std::span(frame.data(), n), events).has_value(), n);
    }
}

BOOST_AUTO_TEST_CASE(answer_names)
{
    BOOST_TEST(answer_name(Answer::accepted) == "accepted");
    BOOST_TEST(answer_name(answer_of(token::Reason::expired)) == "expired");
    BOOST_TEST(answer_name(Answer::visibility_mismatch) == "visibility_mismatch");
    BOOST_TEST(!answer_from_byte(63).has_value());
    BOOST_TEST(!answer_from_byte(67).has_value());
    BOOST_TEST(answer_from_byte(12).has_value());
}
