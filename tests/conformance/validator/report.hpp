// report.hpp — the three forms of the results: a table for people, JSON for tools, JUnit XML for CI.
#pragma once

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "verdict.hpp"

namespace net::conformance {

void write_table(std::ostream& out, const std::vector<LibraryReport>& reports);

// {"libraries":[{"path","plugin_id","checks":[{"name","verdict","message","duration_ms"[,"output"]}]}],
//  "summary":{...}}
nlohmann::json to_json(const std::vector<LibraryReport>& reports);

// One <testsuite> per library, one <testcase> per check: fail → <failure>, crashed and timed out
// → <error>, skipped → <skipped>.
void write_junit(std::ostream& out, const std::vector<LibraryReport>& reports);

}  // namespace net::conformance
