// verdict.hpp — what one check concludes about one library, and the per-library report.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::conformance {

enum class Verdict { pass, fail, crashed, timed_out, skipped };

// "pass", "fail", "crashed", "timed out", "skipped" (the words of the JSON report).
std::string_view verdict_name(Verdict verdict) noexcept;
std::optional<Verdict> parse_verdict(std::string_view name) noexcept;

struct CheckResult {
    std::string name;
    Verdict verdict = Verdict::skipped;
    std::string message;
    double duration_ms = 0;
    // What the check's child process wrote to stdout/stderr (truncated), for diagnosis.
    std::string output;
};

struct LibraryReport {
    std::string path;
    std::string plugin_id;  // empty when the library did not load
    std::vector<CheckResult> checks;
};

struct Summary {
    std::size_t libraries = 0;
    std::size_t checks = 0;
    std::size_t passed = 0;
    std::size_t failed = 0;
    std::size_t crashed = 0;
    std::size_t timed_out = 0;
    std::size_t skipped = 0;
    bool conformant() const noexcept { return failed == 0 && crashed == 0 && timed_out == 0; }
};

Summary summarize(const std::vector<LibraryReport>& reports) noexcept;

}  // namespace net::conformance
