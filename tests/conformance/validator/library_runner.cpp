// library_runner.cpp — the load gate, then one forked child per selected check.
#include "library_runner.hpp"

#include <algorithm>

#include "check.hpp"
#include "child_runner.hpp"

namespace net::conformance {

namespace {

CheckResult run_check(const CheckSpec& spec, const CheckInput& input, const Options& options, std::string* plugin_id)
{
    ChildRun run = run_in_child([&] { return spec.run(input); }, options.timeout);
    if (plugin_id != nullptr) *plugin_id = run.plugin_id;
    CheckResult result;
    result.name = std::string(spec.name);
    result.verdict = run.verdict;
    result.message = std::move(run.message);
    result.duration_ms = run.duration_ms;
    result.output = std::move(run.output);
    return result;
}

bool selected(const Options& options, std::string_view name)
{
    return options.checks.empty() ||
           std::find(options.checks.begin(), options.checks.end(), name) != options.checks.end();
}

}  // namespace

LibraryReport run_library(const std::filesystem::path& library, const Options& options)
{
    LibraryReport report;
    report.path = library.string();
    CheckInput input{library, options.config, options.config_given};

    CheckResult load = run_check(*find_check(kLoadCheck), input, options, &report.plugin_id);
    const bool loaded = load.verdict == Verdict::pass;
    const std::string why_not = load.verdict == Verdict::fail ? std::string("skipped: the library did not load")
                                                              : "skipped: the library did not load (load " +
                                                                    std::string(verdict_name(load.verdict)) + ")";
    report.checks.push_back(std::move(load));

    for (const CheckSpec& spec : all_checks()) {
        if (spec.name == kLoadCheck || !selected(options, spec.name)) continue;
        if (!loaded) {
            report.checks.push_back(CheckResult{std::string(spec.name), Verdict::skipped, why_not, 0, {}});
            continue;
        }
        report.checks.push_back(run_check(spec, input, options, nullptr));
    }
    return report;
}

}  // namespace net::conformance
