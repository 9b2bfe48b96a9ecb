// verdict.cpp — verdict names and the run summary.
#include "verdict.hpp"

namespace net::conformance {

std::string_view verdict_name(Verdict verdict) noexcept
{
    switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::crashed: return "crashed";
    case Verdict::timed_out: return "timed out";
    case Verdict::skipped: return "skipped";
    }
    return "?";
}

std::optional<Verdict> parse_verdict(std::string_view name) noexcept
{
    for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::crashed, Verdict::timed_out, Verdict::skipped}) {
        if (verdict_name(v) == name) return v;
    }
    return std::nullopt;
}

Summary summarize(const std::vector<LibraryReport>& reports) noexcept
{
    Summary s;
    s.libraries = reports.size();
    for (const LibraryReport& library : reports) {
        for (const CheckResult& check : library.checks) {
            ++s.checks;
            switch (check.verdict) {
            case Verdict::pass: ++s.passed; break;
            case Verdict::fail: ++s.failed; break;
            case Verdict::crashed: ++s.crashed; break;
            case Verdict::timed_out: ++s.timed_out; break;
            case Verdict::skipped: ++s.skipped; break;
            }
        }
    }
    return s;
}

}  // namespace net::conformance
