// parse_bus_config: defaults, every field, and errors that name the JSON pointer of the bad field.
#define BOOST_TEST_MODULE bus_config
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "net/kernel/bus/bus_config.hpp"

namespace bus = net::kernel::bus;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The pointer of the BusConfigError that parsing `section` throws ("" when it does not throw).
std::string error_pointer(const json& section, const std::string& prefix = "/bus")
{
    try {
        bus::parse_bus_config(section, prefix);
    } catch (const bus::BusConfigError& e) {
        BOOST_TEST(std::string(e.what()).rfind(e.pointer() + ": ", 0) == 0u);
        return e.pointer();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(defaults)
{
    for (const json& section : {json(), json::object()}) {
        const bus::BusConfig c = bus::parse_bus_config(section);
        BOOST_TEST(c.adapter == "");
        BOOST_TEST(c.shards == 4u);
        BOOST_TEST(c.ring_capacity == 8192u);
        BOOST_TEST(bus::policy_name(c.policy) == std::string("fail"));
        BOOST_TEST(c.sample_rate == 10u);
        BOOST_TEST(c.sample_high_water == 0u);
        BOOST_TEST(c.batch_max_events == 512u);
        BOOST_TEST(c.batch_max_bytes == 1048576u);
        BOOST_TEST(c.batch_max_delay.count() == 500);
        BOOST_TEST(c.batch_min_delay.count() == 20);
        BOOST_TEST(c.adaptive_delay);
        BOOST_TEST(c.retry_initial_backoff.count() == 5);
        BOOST_TEST(c.retry_max_backoff.count() == 1000);
        BOOST_TEST(c.retry_timeout.count() == 10000);
    }
}

BOOST_AUTO_TEST_CASE(every_field)
{
    const json section = json::parse(R"({
        "adapter": "redis-1", "shards": 16, "ring_capacity": 1000, "policy": "sample",
        "sample": {"rate": 8, "high_water": 900},
        "batch": {"max_events": 100, "max_bytes": 65536, "max_delay_us": 2000, "min_delay_us": 50, "adaptive": false},
        "retry": {"initial_backoff_ms": 2, "max_backoff_ms": 200, "timeout_ms": 3000}
    })");
    const bus::BusConfig c = bus::parse_bus_config(section);
    BOOST_TEST(c.adapter == "redis-1");
    BOOST_TEST(c.shards == 16u);
    BOOST_TEST(c.ring_capacity == 1000u);
    BOOST_TEST(bus::policy_name(c.policy) == std::string("sample"));
    BOOST_TEST(c.sample_rate == 8u);
    BOOST_TEST(c.sample_high_water == 900u);  // the ring rounds up to 1024
    BOOST_TEST(c.batch_max_events == 100u);
    BOOST_TEST(c.batch_max_bytes == 65536u);
    BOOST_TEST(c.batch_max_delay == 2000us);
    BOOST_TEST(c.batch_min_delay == 50us);
    BOOST_TEST(!c.adaptive_delay);
    BOOST_TEST(c.retry_initial_backoff == 2ms);
    BOOST_TEST(c.retry_max_backoff == 200ms);
    BOOST_TEST(c.retry_timeout == 3000ms);
    for (const char* p : {"drop_oldest", "drop_newest", "fail", "sample"}) {
        BOOST_TEST(bus::policy_name(bus::parse_bus_config(json{{"policy", p}}).policy) == std::string(p));
    }
}

BOOST_AUTO_TEST_CASE(errors_name_the_pointer_of_the_bad_field)
{
    BOOST_TEST(error_pointer(json::array()) == "/bus");
    BOOST_TEST(error_pointer(json{{"shards", 0}}) == "/bus/shards");
    BOOST_TEST(error_pointer(json{{"shards", 257}}) == "/bus/shards");
    BOOST_TEST(error_pointer(json{{"shards", "4"}}) == "/bus/shards");
    BOOST_TEST(error_pointer(json{{"shards", 2.5}}) == "/bus/shards");
    BOOST_TEST(error_pointer(json{{"shards", -1}}) == "/bus/shards");
    BOOST_TEST(error_pointer(json{{"ring_capacity", 1}}) == "/bus/ring_capacity");
    BOOST_TEST(error_pointer(json{{"policy", "block"}}) == "/bus/policy");
    BOOST_TEST(error_pointer(json{{"policy", 3}}) == "/bus/policy");
    BOOST_TEST(error_pointer(json{{"adapter", false}}) == "/bus/adapter");
    BOOST_TEST(error_pointer(json{{"shard", 4}}) == "/bus/shard");
    BOOST_TEST(error_pointer(json{{"a/b~c", 4}}) == "/bus/a~1b~0c");
    BOOST_TEST(error_pointer(json{{"sample", {{"rate", 0}}}}) == "/bus/sample/rate");
    BOOST_TEST(error_pointer(json{{"ring_capacity", 64}, {"sample", {{"high_water", 65}}}}) == "/bus/sample/high_water");
    BOOST_TEST(error_pointer(json{{"sample", 5}}) == "/bus/sample");
    BOOST_TEST(error_pointer(json{{"batch", {{"max_events", 0}}}}) == "/bus/batch/max_events");
    BOOST_TEST(error_pointer(json{{"batch", {{"max_events", "10"}}}}) == "/bus/batch/max_events");
    BOOST_TEST(error_pointer(json{{"batch", {{"max_bytes", 0}}}}) == "/bus/batch/max_bytes");
    BOOST_TEST(error_pointer(json{{"batch", {{"adaptive", 1}}}}) == "/bus/batch/adaptive");
    BOOST_TEST(error_pointer(json{{"batch", {{"max_delay_us", 100}, {"min_delay_us", 200}}}}) == "/bus/batch/min_delay_us");
    BOOST_TEST(error_pointer(json{{"batch", {{"max_delay", 100}}}}) == "/bus/batch/max_delay");
    BOOST_TEST(error_pointer(json{{"retry", {{"initial_backoff_ms", 0}}}}) == "/bus/retry/initial_backoff_ms");
    BOOST_TEST(error_pointer(json{{"retry", {{"initial_backoff_ms", 50}, {"max_backoff_ms", 10}}}}) ==
               "/bus/retry/max_backoff_ms");
    BOOST_TEST(error_pointer(json{{"retry", {{"timeout_ms", -5}}}}) == "/bus/retry/timeout_ms");
    BOOST_TEST(error_pointer(json{{"shards", 0}}, "/nodes/2/bus") == "/nodes/2/bus/shards");
    // A small max_delay_us pulls the default min_delay_us down with it; a large initial backoff
    // raises the default max backoff.
    BOOST_TEST(error_pointer(json{{"batch", {{"max_delay_us", 5}}}}) == "");
    BOOST_TEST(error_pointer(json{{"retry", {{"initial_backoff_ms", 5000}}}}) == "");
    try {
        bus::parse_bus_config(json{{"batch", {{"max_events", 0}}}});
    } catch (const bus::BusConfigError& e) {
        BOOST_TEST(std::string(e.what()) == "/bus/batch/max_events: must be an integer in 1..1048576 (got 0)");
    }
}

BOOST_AUTO_TEST_CASE(configs_built_in_code_are_checked_too)
{
    bus::BusConfig c;
    BOOST_CHECK_NO_THROW(bus::validate_bus_config(c));
    c.sample_high_water = 100000;
    try {
        bus::validate_bus_config(c, "/x");
        BOOST_FAIL("expected BusConfigError");
    } catch (const bus::BusConfigError& e) {
        BOOST_TEST(e.pointer() == "/x/sample/high_water");
    }
}
