// RFC 6298 estimator against values computed by hand (all times in microseconds).
#define BOOST_TEST_MODULE reliability_stream_logic
#include <boost/test/unit_test.hpp>

#include "rto_estimator.hpp"

using net::reliability::RtoEstimator;
using net::reliability::RtoLimits;

namespace {
constexpr RtoLimits kDefaults{50'000, 10'000, 2'000'000, 1'000};
}

BOOST_AUTO_TEST_CASE(rto_is_the_initial_value_before_any_sample)
{
    RtoEstimator rto(kDefaults);
    BOOST_TEST(rto.rto_us() == 50'000u);
    BOOST_TEST(!rto.has_sample());
    BOOST_TEST(rto.srtt_us() == 0u);
    // An initial value outside [min, max] is clamped too.
    BOOST_TEST(RtoEstimator(RtoLimits{5'000, 10'000, 2'000'000, 1'000}).rto_us() == 10'000u);
}

BOOST_AUTO_TEST_CASE(first_sample_sets_srtt_and_half_of_it_as_rttvar)
{
    RtoEstimator rto(kDefaults);
    rto.on_sample(100'000);
    // SRTT = R = 100000, RTTVAR = R/2 = 50000, RTO = 100000 + max(G, 4 * 50000) = 300000
    BOOST_TEST(rto.srtt_us() == 100'000u);
    BOOST_TEST(rto.rttvar_us() == 50'000u);
    BOOST_TEST(rto.rto_us() == 300'000u);
}

BOOST_AUTO_TEST_CASE(later_samples_update_rttvar_with_the_old_srtt_then_srtt)
{
    RtoEstimator rto(kDefaults);
    rto.on_sample(100'000);
    rto.on_sample(60'000);
    // RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 60000| = 47500
    // SRTT   = 7/8 * 100000 + 1/8 * 60000 = 95000
    // RTO    = 95000 + 4 * 47500 = 285000
    BOOST_TEST(rto.rttvar_us() == 47'500u);
    BOOST_TEST(rto.srtt_us() == 95'000u);
    BOOST_TEST(rto.rto_us() == 285'000u);
    rto.on_sample(95'000);
    // RTTVAR = 3/4 * 47500 + 1/4 * 0 = 35625; SRTT = 95000; RTO = 95000 + 142500 = 237500
    BOOST_TEST(rto.rttvar_us() == 35'625u);
    BOOST_TEST(rto.srtt_us() == 95'000u);
    BOOST_TEST(rto.rto_us() == 237'500u);
}

BOOST_AUTO_TEST_CASE(granularity_is_the_floor_of_the_variance_term)
{
    RtoEstimator rto(RtoLimits{50'000, 1'000, 2'000'000, 5'000});
    rto.on_sample(1'000);
    // 1000 + max(5000, 4 * 500) = 6000
    BOOST_TEST(rto.rto_us() == 6'000u);
}

BOOST_AUTO_TEST_CASE(rto_is_clamped_to_min_and_max)
{
    RtoEstimator low(kDefaults);
    low.on_sample(1'000);  // 1000 + max(1000, 2000) = 3000 -> 10000
    BOOST_TEST(low.rto_us() == 10'000u);
    RtoEstimator high(kDefaults);
    high.on_sample(1'000'000);  // 1000000 + 4 * 500000 = 3000000 -> 2000000
    BOOST_TEST(high.rto_us() == 2'000'000u);
}

BOOST_AUTO_TEST_CASE(timeouts_double_the_rto_up_to_max_and_a_new_sample_recomputes_it)
{
    RtoEstimator rto(kDefaults);
    rto.on_timeout();
    BOOST_TEST(rto.rto_us() == 100'000u);  // backoff also applies before the first sample
    rto.on_sample(100'000);
    BOOST_TEST(rto.rto_us() == 300'000u);
    rto.on_timeout();
    BOOST_TEST(rto.rto_us() == 600'000u);
    rto.on_timeout();
    BOOST_TEST(rto.rto_us() == 1'200'000u);
    rto.on_timeout();
    BOOST_TEST(rto.rto_us() == 2'000'000u);
    rto.on_timeout();
    BOOST_TEST(rto.rto_us() == 2'000'000u);
    rto.on_sample(100'000);
    // RTTVAR = 3/4 * 50000 + 0 = 37500; SRTT = 100000; RTO = 100000 + 150000 = 250000
    BOOST_TEST(rto.rto_us() == 250'000u);
}

BOOST_AUTO_TEST_CASE(collapsing_the_backoff_returns_to_the_last_computed_rto)
{
    RtoEstimator rto(kDefaults);
    rto.on_timeout();
    rto.collapse_backoff();
    BOOST_TEST(rto.rto_us() == 50'000u);
    rto.on_sample(100'000);
    rto.on_timeout();
    rto.on_timeout();
    BOOST_TEST(rto.rto_us() == 1'200'000u);
    BOOST_TEST(rto.base_rto_us() == 300'000u);
    rto.collapse_backoff();
    BOOST_TEST(rto.rto_us() == 300'000u);
}
