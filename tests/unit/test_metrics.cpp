// MetricsRegistry: names are unique per kind, updates from many threads add up, histograms place
// samples in power-of-two buckets.
#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/kernel/metrics.hpp"

using net::kernel::MetricsRegistry;

BOOST_AUTO_TEST_CASE(register_returns_one_handle_per_name_and_refuses_kind_clashes)
{
    MetricsRegistry r;
    auto* a = r.register_metric(NET_METRIC_COUNTER, "x.sent");
    BOOST_TEST(a != nullptr);
    BOOST_TEST(r.register_metric(NET_METRIC_COUNTER, "x.sent") == a);
    BOOST_TEST(r.register_metric(NET_METRIC_GAUGE, "x.sent") == nullptr);
    BOOST_TEST(r.register_metric(NET_METRIC_GAUGE, "") == nullptr);
    BOOST_TEST(r.find("x.sent") == a);
    BOOST_TEST(r.find("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(concurrent_adds_are_not_lost)
{
    MetricsRegistry r;
    auto* c = r.register_metric(NET_METRIC_COUNTER, "c");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([c] {
            for (int i = 0; i < 100000; ++i) c->add(1);
        });
    }
    for (auto& t : threads) t.join();
    BOOST_TEST(r.snapshot()["c"].get<std::int64_t>() == 400000);
}

BOOST_AUTO_TEST_CASE(gauges_set_and_histograms_summarise)
{
    MetricsRegistry r;
    auto* g = r.register_metric(NET_METRIC_GAUGE, "g");
    g->set(42);
    g->add(-2);
    auto* h = r.register_metric(NET_METRIC_HISTOGRAM, "h");
    for (int i = 0; i < 99; ++i) h->observe(100);  // bucket [64, 127]
    h->observe(5000);                               // bucket [4096, 8191]
    const auto s = r.snapshot();
    BOOST_TEST(s["g"].get<std::int64_t>() == 40);
    BOOST_TEST(s["h"]["count"].get<std::uint64_t>() == 100u);
    BOOST_TEST(s["h"]["sum"].get<std::uint64_t>() == 99u * 100u + 5000u);
    BOOST_TEST(s["h"]["p50"].get<std::uint64_t>() == 127u);
    BOOST_TEST(s["h"]["p99"].get<std::uint64_t>() == 8191u);
    BOOST_TEST(s["h"]["max"].get<std::uint64_t>() == 8191u);
    h->observe(0);
    BOOST_TEST(r.snapshot()["h"]["count"].get<std::uint64_t>() == 101u);
}
