// test_failure_detector.cpp — net::kernel::mesh::FailureDetector: transitions at their exact
// boundaries, once-only reporting, recovery, and configuration validation.
#define BOOST_TEST_MODULE failure_detector
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>

#include "net/kernel/mesh/failure_detector.hpp"

using net::kernel::mesh::FailureDetector;
using net::kernel::mesh::FailureDetectorConfig;
using net::kernel::mesh::HealthEvaluation;
using net::kernel::mesh::peer_health_name;
using net::kernel::mesh::PeerHealth;
using std::chrono::seconds;
using time_point = std::chrono::steady_clock::time_point;
using duration = std::chrono::steady_clock::duration;

namespace {

const time_point t0 = time_point{} + std::chrono::hours(1);
constexpr duration tick{1};  // the clock's finest step
// Defaults: 5 s interval × 2 misses = suspected after 10 s of silence, failed after 30 s.
constexpr duration suspicion = seconds(10);
constexpr duration timeout = seconds(30);

FailureDetectorConfig config(duration interval, unsigned misses, duration session_timeout)
{
    FailureDetectorConfig result;
    result.heartbeat_interval = interval;
    result.suspect_after_misses = misses;
    result.session_timeout = session_timeout;
    return result;
}

// The message of the std::invalid_argument that validate() throws, or "" if it does not throw.
std::string validation_error(const FailureDetectorConfig& c)
{
    try {
        c.validate();
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "";
}

void check_evaluation(const HealthEvaluation& got, PeerHealth health, PeerHealth previous, bool changed)
{
    BOOST_TEST(peer_health_name(got.health) == peer_health_name(health));
    BOOST_TEST(peer_health_name(got.previous) == peer_health_name(previous));
    BOOST_TEST(got.changed == changed);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(configuration)

BOOST_AUTO_TEST_CASE(defaults_are_5s_interval_2_misses_30s_timeout_and_valid)
{
    const FailureDetectorConfig defaults;
    BOOST_TEST((defaults.heartbeat_interval == seconds(5)));
    BOOST_TEST(defaults.suspect_after_misses == 2U);
    BOOST_TEST((defaults.session_timeout == seconds(30)));
    BOOST_TEST((defaults.suspect_after() == suspicion));
    BOOST_TEST(validation_error(defaults) == "");
}

BOOST_AUTO_TEST_CASE(non_positive_interval_is_rejected_with_a_clear_message)
{
    BOOST_TEST(validation_error(config(duration::zero(), 2, timeout)) ==
               "failure detector config: heartbeat_interval must be positive, got 0 ms");
    BOOST_TEST(validation_error(config(-seconds(1), 2, timeout)) ==
               "failure detector config: heartbeat_interval must be positive, got -1000 ms");
}

BOOST_AUTO_TEST_CASE(zero_misses_is_rejected_with_a_clear_message)
{
    BOOST_TEST(validation_error(config(seconds(5), 0, timeout)) ==
               "failure detector config: suspect_after_misses must be at least 1");
}

BOOST_AUTO_TEST_CASE(suspicion_equal_to_timeout_is_rejected_with_a_clear_message)
{
    BOOST_TEST(validation_error(config(seconds(5), 6, timeout)) ==
               "failure detector config: suspicion time (heartbeat_interval 5000 ms x suspect_after_misses 6) "
               "must be shorter than session_timeout 30000 ms");
}

BOOST_AUTO_TEST_CASE(suspicion_after_timeout_is_rejected)
{
    BOOST_TEST(validation_error(config(seconds(5), 7, timeout)).find("must be shorter than session_timeout") !=
               std::string::npos);
    BOOST_TEST(validation_error(config(seconds(5), 2, duration::zero())).find("session_timeout 0 ms") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(suspicion_one_tick_before_timeout_is_accepted)
{
    BOOST_TEST(validation_error(config(seconds(5), 6, timeout + tick)) == "");
    BOOST_TEST(validation_error(config(seconds(5), 5, timeout)) == "");
}

BOOST_AUTO_TEST_CASE(huge_misses_are_rejected_without_overflow)
{
    const unsigned huge = std::numeric_limits<unsigned>::max();
    BOOST_TEST(validation_error(config(std::chrono::hours(1000), huge, std::chrono::hours(2000))) != "");
    BOOST_TEST(validation_error(config(tick, huge, duration::max())) == "");
}

BOOST_AUTO_TEST_CASE(constructor_validates_the_config)
{
    BOOST_CHECK_THROW(FailureDetector(config(seconds(5), 0, timeout), t0), std::invalid_argument);
    BOOST_CHECK_THROW(FailureDetector(config(seconds(20), 2, timeout), t0), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transitions)

BOOST_AUTO_TEST_CASE(health_names_are_lowercase_words)
{
    BOOST_TEST(peer_health_name(PeerHealth::healthy) == "healthy");
    BOOST_TEST(peer_health_name(PeerHealth::suspected) == "suspected");
    BOOST_TEST(peer_health_name(PeerHealth::failed) == "failed");
}

BOOST_AUTO_TEST_CASE(new_peer_is_healthy_and_heard_at_creation)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    BOOST_TEST((detector.health() == PeerHealth::healthy));
    BOOST_TEST((detector.last_heard() == t0));
    BOOST_TEST(detector.transitions() == 0U);
    check_evaluation(detector.evaluate(t0), PeerHealth::healthy, PeerHealth::healthy, false);
}

BOOST_AUTO_TEST_CASE(suspected_just_above_interval_times_misses_not_at_it)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    check_evaluation(detector.evaluate(t0 + suspicion - tick), PeerHealth::healthy, PeerHealth::healthy, false);
    check_evaluation(detector.evaluate(t0 + suspicion), PeerHealth::healthy, PeerHealth::healthy, false);
    check_evaluation(detector.evaluate(t0 + suspicion + tick), PeerHealth::suspected, PeerHealth::healthy, true);
    BOOST_TEST((detector.health() == PeerHealth::suspected));
}

BOOST_AUTO_TEST_CASE(failed_just_above_session_timeout_not_at_it)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    check_evaluation(detector.evaluate(t0 + timeout - tick), PeerHealth::suspected, PeerHealth::healthy, true);
    check_evaluation(detector.evaluate(t0 + timeout), PeerHealth::suspected, PeerHealth::suspected, false);
    check_evaluation(detector.evaluate(t0 + timeout + tick), PeerHealth::failed, PeerHealth::suspected, true);
    BOOST_TEST((detector.health() == PeerHealth::failed));
}

BOOST_AUTO_TEST_CASE(each_transition_is_reported_once)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    int reported = 0;
    for (duration elapsed = duration::zero(); elapsed <= seconds(60); elapsed += std::chrono::milliseconds(250))
        if (detector.evaluate(t0 + elapsed).changed) ++reported;
    BOOST_TEST(reported == 2);  // healthy -> suspected -> failed
    BOOST_TEST(detector.transitions() == 2U);
    BOOST_TEST((detector.health() == PeerHealth::failed));
}

BOOST_AUTO_TEST_CASE(silence_past_the_timeout_goes_straight_from_healthy_to_failed)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    check_evaluation(detector.evaluate(t0 + seconds(31)), PeerHealth::failed, PeerHealth::healthy, true);
    BOOST_TEST(detector.transitions() == 1U);
}

BOOST_AUTO_TEST_CASE(heartbeats_in_time_keep_the_peer_healthy)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    for (int beat = 1; beat <= 20; ++beat) {
        const time_point now = t0 + beat * seconds(5);
        check_evaluation(detector.evaluate(now), PeerHealth::healthy, PeerHealth::healthy, false);
        detector.heard(now);
    }
    BOOST_TEST(detector.transitions() == 0U);
}

BOOST_AUTO_TEST_CASE(one_missed_heartbeat_is_not_suspicious)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    detector.heard(t0 + seconds(5));
    // The heartbeat at 10 s is lost; the one at 15 s arrives.
    check_evaluation(detector.evaluate(t0 + seconds(15)), PeerHealth::healthy, PeerHealth::healthy, false);
}

BOOST_AUTO_TEST_CASE(heard_makes_a_suspected_peer_healthy)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    detector.evaluate(t0 + seconds(11));
    detector.heard(t0 + seconds(12));
    BOOST_TEST((detector.health() == PeerHealth::healthy));
    BOOST_TEST((detector.last_heard() == t0 + seconds(12)));
    check_evaluation(detector.evaluate(t0 + seconds(12)), PeerHealth::healthy, PeerHealth::suspected, true);
    // Suspicion restarts from the new last_heard.
    check_evaluation(detector.evaluate(t0 + seconds(22)), PeerHealth::healthy, PeerHealth::healthy, false);
    check_evaluation(detector.evaluate(t0 + seconds(22) + tick), PeerHealth::suspected, PeerHealth::healthy, true);
    BOOST_TEST(detector.transitions() == 3U);
}

BOOST_AUTO_TEST_CASE(failed_peer_heard_again_recovers_to_healthy)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    detector.evaluate(t0 + seconds(11));
    detector.evaluate(t0 + seconds(31));
    BOOST_TEST((detector.health() == PeerHealth::failed));
    detector.heard(t0 + seconds(40));
    check_evaluation(detector.evaluate(t0 + seconds(40)), PeerHealth::healthy, PeerHealth::failed, true);
    BOOST_TEST(detector.transitions() == 3U);
    check_evaluation(detector.evaluate(t0 + seconds(41)), PeerHealth::healthy, PeerHealth::healthy, false);
}

BOOST_AUTO_TEST_CASE(change_undone_between_evaluations_is_not_reported)
{
    FailureDetector detector(FailureDetectorConfig{}, t0);
    detector.heard(t0 + seconds(20));  // silent for 20 s, but nobody evaluated meanwhile
    check_evaluation(detector.evaluate(t0 + seconds(20)), PeerHealth::healthy, PeerHealth::healthy, false);
    BOOST_TEST(detector.transitions() == 0U);
}

BOOST_AUTO_TEST_CASE(heard_with_an_earlier_time_does_not_move_last_heard_back)
{
    FailureDetector detector(FailureDetectorConfig{}, t0 + seconds(10));
    detector.heard(t0);
    BOOST_TEST((detector.last_heard() == t0 + seconds(10)));
    check_evaluation(detector.evaluate(t0 + seconds(20)), PeerHealth::healthy, PeerHealth::healthy, false);
}

BOOST_AUTO_TEST_CASE(evaluating_before_last_heard_counts_as_healthy)
{
    FailureDetector detector(FailureDetectorConfig{}, t0 + seconds(10));
    check_evaluation(detector.evaluate(t0), PeerHealth::healthy, PeerHealth::healthy, false);
}

BOOST_AUTO_TEST_CASE(custom_config_moves_the_boundaries)
{
    FailureDetector detector(config(std::chrono::milliseconds(100), 3, seconds(1)), t0);
    const duration custom_suspicion = std::chrono::milliseconds(300);
    check_evaluation(detector.evaluate(t0 + custom_suspicion), PeerHealth::healthy, PeerHealth::healthy, false);
    check_evaluation(detector.evaluate(t0 + custom_suspicion + tick), PeerHealth::suspected, PeerHealth::healthy, true);
    check_evaluation(detector.evaluate(t0 + seconds(1)), PeerHealth::suspected, PeerHealth::suspected, false);
    check_evaluation(detector.evaluate(t0 + seconds(1) + tick), PeerHealth::failed, PeerHealth::suspected, true);
}

BOOST_AUTO_TEST_SUITE_END()
