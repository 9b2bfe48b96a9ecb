// The pieces that need no server: entry fields (encode/decode), entry ids, error classification,
// config parsing.
#define BOOST_TEST_MODULE bus_redis_format
#include <boost/test/unit_test.hpp>

#include <hiredis/hiredis.h>

#include <cerrno>
#include <string>
#include <vector>

#include "entry_format.hpp"
#include "redis_config.hpp"
#include "redis_errors.hpp"

using namespace net::bus_redis;

namespace {

std::vector<FieldValue> fields_of(const EncodedMeta& m, std::string_view payload)
{
    return {{kFieldDedupId, m.dedup_id},           {kFieldProducerId, m.producer_id},
            {kFieldProducerSequence, m.producer_sequence}, {kFieldChannelHash, m.channel_hash},
            {kFieldTimestampNs, m.timestamp_ns},   {kFieldPayload, payload}};
}

std::string decode_error(std::vector<FieldValue> fields)
{
    std::string why;
    BOOST_TEST(!decode_entry(fields, &why).has_value());
    return why;
}

}  // namespace

BOOST_AUTO_TEST_CASE(meta_round_trips_including_extremes)
{
    EncodedMeta m;
    encode_meta(0xFFFFFFFFFFFFFFFFULL, 0, UINT64_MAX, 0x0123456789abcdefULL, INT64_MIN, m);
    BOOST_TEST(m.dedup_id == "ffffffffffffffff");
    BOOST_TEST(m.producer_id == "0000000000000000");
    BOOST_TEST(m.producer_sequence == "18446744073709551615");
    BOOST_TEST(m.channel_hash == "0123456789abcdef");
    BOOST_TEST(m.timestamp_ns == "-9223372036854775808");
    const std::string payload("\0\r\nbin", 6);
    std::string why;
    const auto e = decode_entry(fields_of(m, payload), &why);
    BOOST_REQUIRE_MESSAGE(e.has_value(), why);
    BOOST_TEST(e->dedup_id == 0xFFFFFFFFFFFFFFFFULL);
    BOOST_TEST(e->producer_id == 0u);
    BOOST_TEST(e->producer_sequence == UINT64_MAX);
    BOOST_TEST(e->channel_hash == 0x0123456789abcdefULL);
    BOOST_TEST(e->timestamp_ns == INT64_MIN);
    BOOST_TEST(e->payload == payload);
}

BOOST_AUTO_TEST_CASE(fields_in_any_order_and_unknown_fields_are_ignored)
{
    EncodedMeta m;
    encode_meta(1, 2, 3, 4, 5, m);
    std::vector<FieldValue> f = fields_of(m, "p");
    std::reverse(f.begin(), f.end());
    f.push_back({"added_later", "x"});
    const auto e = decode_entry(f, nullptr);
    BOOST_REQUIRE(e.has_value());
    BOOST_TEST(e->producer_sequence == 3u);
}

BOOST_AUTO_TEST_CASE(malformed_fields_are_named)
{
    EncodedMeta m;
    encode_meta(1, 2, 3, 4, 5, m);
    std::vector<FieldValue> f = fields_of(m, "p");
    BOOST_TEST(decode_error({f.begin(), f.end() - 1}) == "missing field payload");
    std::vector<FieldValue> twice = f;
    twice.push_back({kFieldTimestampNs, "6"});
    BOOST_TEST(decode_error(twice) == "field timestamp_ns given twice");
    std::vector<FieldValue> bad = f;
    bad[0].value = "00000000000000zz";
    BOOST_TEST(decode_error(bad) == "field dedup_id: expected 16 hex digits, got \"00000000000000zz\"");
    bad = f;
    bad[0].value = "1";
    BOOST_TEST(decode_error(bad).find("expected 16 hex digits") != std::string::npos);
    bad = f;
    bad[2].value = "-3";
    BOOST_TEST(decode_error(bad).find("producer_sequence: expected an unsigned decimal") != std::string::npos);
    bad[2].value = "18446744073709551616";  // 2^64
    BOOST_TEST(decode_error(bad).find("producer_sequence") != std::string::npos);
    bad[2].value = " 3";
    BOOST_TEST(decode_error(bad).find("producer_sequence") != std::string::npos);
    bad = f;
    bad[4].value = std::string_view("1\0", 2);
    BOOST_TEST(decode_error(bad) == "field timestamp_ns: expected a signed decimal, got \"1\\x00\"");
}

BOOST_AUTO_TEST_CASE(entry_ids_parse_and_step)
{
    BOOST_TEST(parse_entry_id("1700000000000-5").value().ms == 1700000000000u);
    BOOST_TEST(parse_entry_id("1700000000000-5").value().seq == 5u);
    BOOST_TEST(!parse_entry_id("17").has_value());
    BOOST_TEST(!parse_entry_id("-5").has_value());
    BOOST_TEST(!parse_entry_id("1-").has_value());
    BOOST_TEST(format_entry_id(next_entry_id({0, 0}).value()) == "0-1");
    BOOST_TEST(format_entry_id(next_entry_id({7, UINT64_MAX}).value()) == "8-0");
    BOOST_TEST(!next_entry_id({UINT64_MAX, UINT64_MAX}).has_value());
}

BOOST_AUTO_TEST_CASE(server_errors_are_classified)
{
    for (const char* transient : {"LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script",
                                  "TRYAGAIN Multiple keys request during rehashing", "MASTERDOWN Link with MASTER is down",
                                  "READONLY You can't write against a read only replica.", "CLUSTERDOWN The cluster is down",
                                  "OOM command not allowed when used memory > 'maxmemory'.",
                                  "ERR max number of clients reached"}) {
        BOOST_TEST_CONTEXT(transient) { BOOST_TEST(classify_error_reply(transient).status == NET_E_UNAVAILABLE); }
    }
    BOOST_TEST(classify_error_reply("WRONGTYPE Operation against a key holding the wrong kind of value").status == NET_E_CONFIG);
    BOOST_TEST(classify_error_reply("WRONGPASS invalid username-password pair").status == NET_E_DENIED);
    BOOST_TEST(classify_error_reply("ERR syntax error").status == NET_E_INTERNAL);
    BOOST_TEST(!classify_error_reply("ERR syntax error").drop_connection);
    BOOST_TEST(classify_error_reply("ERR syntax error").message == "redis replied: ERR syntax error");
}

BOOST_AUTO_TEST_CASE(connection_errors_are_transient_and_drop_the_connection)
{
    const Failure refused = classify_connection_error(REDIS_ERR_IO, ECONNREFUSED, "Connection refused");
    BOOST_TEST(refused.status == NET_E_UNAVAILABLE);
    BOOST_TEST(refused.drop_connection);
    BOOST_TEST(classify_connection_error(REDIS_ERR_IO, EAGAIN, "Resource temporarily unavailable").status == NET_E_TIMEOUT);
    BOOST_TEST(classify_connection_error(REDIS_ERR_EOF, 0, "Server closed the connection").status == NET_E_UNAVAILABLE);
    BOOST_TEST(classify_connection_error(REDIS_ERR_PROTOCOL, 0, "Protocol error").status == NET_E_IO);
    BOOST_TEST(classify_connection_error(REDIS_ERR_PROTOCOL, 0, "Protocol error").transient());
}

BOOST_AUTO_TEST_CASE(config_defaults_and_refusals)
{
    const RedisConfig d = parse_redis_config("");
    BOOST_TEST(d.endpoint() == "127.0.0.1:6379");
    BOOST_TEST(d.key_prefix == "net:bus");
    BOOST_TEST(d.pool_size == 2u);
    BOOST_TEST(!d.max_stream_length.has_value());
    BOOST_TEST(parse_redis_config(R"({"socket": "/run/r.sock"})").endpoint() == "unix:/run/r.sock");
    auto refusal = [](const char* json) {
        try {
            parse_redis_config(json);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    BOOST_TEST(refusal(R"({"port": 0})") == "config field \"port\": 0 is out of range [1, 65535]");
    BOOST_TEST(refusal(R"({"port": "6379"})").find("config field \"port\": wrong type") == 0u);
    BOOST_TEST(refusal(R"({"hots": "x"})") == "config field \"hots\": unknown field");
    BOOST_TEST(refusal(R"({"username": "u"})").find("\"username\": needs \"password\"") != std::string::npos);
    BOOST_TEST(refusal(R"({)").find("config: ") == 0u);
}
