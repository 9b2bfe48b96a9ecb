// report_json.cpp — the machine-readable results (the format README.md documents).
#include <cmath>

#include "report.hpp"

namespace net::conformance {

nlohmann::json to_json(const std::vector<LibraryReport>& reports)
{
    nlohmann::json libraries = nlohmann::json::array();
    for (const LibraryReport& r : reports) {
        nlohmann::json checks = nlohmann::json::array();
        for (const CheckResult& c : r.checks) {
            nlohmann::json check{{"name", c.name},
                                 {"verdict", verdict_name(c.verdict)},
                                 {"message", c.message},
                                 {"duration_ms", std::round(c.duration_ms * 10) / 10}};
            if (!c.output.empty()) check["output"] = c.output;
            checks.push_back(std::move(check));
        }
        libraries.push_back({{"path", r.path}, {"plugin_id", r.plugin_id}, {"checks", std::move(checks)}});
    }
    const Summary s = summarize(reports);
    return {{"libraries", std::move(libraries)},
            {"summary",
             {{"libraries", s.libraries},
              {"checks", s.checks},
              {"pass", s.passed},
              {"fail", s.failed},
              {"crashed", s.crashed},
              {"timed_out", s.timed_out},
              {"skipped", s.skipped},
              {"conformant", s.conformant()}}}};
}

}  // namespace net::conformance
