// check.hpp — what a check is: a named function that runs inside a forked child process, gets the
// library path and the instance config, and returns a verdict with a message naming the problem.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "verdict.hpp"

namespace net::conformance {

struct CheckInput {
    std::filesystem::path library;
    // The config instances are created with: {} unless --config gave one.
    nlohmann::json config = nlohmann::json::object();
    bool config_given = false;
};

struct CheckOutcome {
    Verdict verdict = Verdict::pass;
    std::string message;
    std::string plugin_id;  // set by the load check
};

inline CheckOutcome pass(std::string message)
{
    return {Verdict::pass, std::move(message), {}};
}
inline CheckOutcome fail(std::string message)
{
    return {Verdict::fail, std::move(message), {}};
}
inline CheckOutcome skip(std::string message)
{
    return {Verdict::skipped, std::move(message), {}};
}

using CheckFn = CheckOutcome (*)(const CheckInput&);

struct CheckSpec {
    std::string_view name;
    std::string_view asserts;  // one line for --list-checks
    CheckFn run;
};

// Every check, in the order they run. "load" is first: it gates the others.
std::span<const CheckSpec> all_checks() noexcept;
const CheckSpec* find_check(std::string_view name) noexcept;

inline constexpr std::string_view kLoadCheck = "load";

}  // namespace net::conformance
