// main.cpp — net-conformance: runs the plugin conformance checks and reports the verdicts.
#include <fstream>
#include <iostream>

#include "library_runner.hpp"
#include "options.hpp"
#include "report.hpp"

namespace {

constexpr int kExitConformant = 0;
constexpr int kExitNotConformant = 1;
constexpr int kExitUsage = 2;

bool write_report(const std::filesystem::path& file, const char* what, auto&& write)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (out) write(out);
    out.close();
    if (out) return true;
    std::cerr << "net-conformance: cannot write the " << what << " report to " << file.string() << '\n';
    return false;
}

}  // namespace

int main(int argc, char** argv)
{
    using namespace net::conformance;
    Options options;
    try {
        options = parse_options(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "net-conformance: " << e.what() << "\n\n" << usage_text();
        return kExitUsage;
    }
    if (options.help) {
        std::cout << usage_text();
        return 0;
    }
    if (options.list_checks) {
        std::cout << check_list_text();
        return 0;
    }

    std::vector<LibraryReport> reports;
    for (const auto& library : options.libraries) reports.push_back(run_library(library, options));

    write_table(std::cout, reports);
    std::cout.flush();
    bool written = true;
    if (options.json_file) {
        written &= write_report(*options.json_file, "JSON",
                                [&](std::ostream& out) { out << to_json(reports).dump(2) << '\n'; });
    }
    if (options.junit_file) {
        written &= write_report(*options.junit_file, "JUnit", [&](std::ostream& out) { write_junit(out, reports); });
    }
    if (!written) return kExitUsage;
    return summarize(reports).conformant() ? kExitConformant : kExitNotConformant;
}
