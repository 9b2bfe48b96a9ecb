// options.hpp — the net-conformance command line.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace net::conformance {

struct Options {
    std::vector<std::filesystem::path> libraries;
    std::optional<std::filesystem::path> json_file;
    std::optional<std::filesystem::path> junit_file;
    std::vector<std::string> checks;  // empty: all of them
    std::chrono::milliseconds timeout{10'000};
    nlohmann::json config = nlohmann::json::object();
    bool config_given = false;
    bool help = false;
    bool list_checks = false;
};

// A command line that cannot be run; what() says why.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws UsageError.
Options parse_options(int argc, const char* const* argv);
std::string usage_text();
std::string check_list_text();

}  // namespace net::conformance
