// report_table.cpp — fixed-width columns for library, check and verdict; the message runs on.
#include <algorithm>
#include <filesystem>
#include <string>

#include "report.hpp"

namespace net::conformance {

namespace {

void pad(std::ostream& out, const std::string& text, std::size_t width)
{
    out << text;
    for (std::size_t i = text.size(); i < width; ++i) out << ' ';
    out << "  ";
}

}  // namespace

void write_table(std::ostream& out, const std::vector<LibraryReport>& reports)
{
    std::size_t library_width = 7;
    std::size_t check_width = 5;
    for (const LibraryReport& r : reports) {
        library_width = std::max(library_width, std::filesystem::path(r.path).filename().string().size());
        for (const CheckResult& c : r.checks) check_width = std::max(check_width, c.name.size());
    }
    constexpr std::size_t verdict_width = 9;
    pad(out, "LIBRARY", library_width);
    pad(out, "CHECK", check_width);
    pad(out, "VERDICT", verdict_width);
    out << "MESSAGE\n";
    for (const LibraryReport& r : reports) {
        const std::string library = std::filesystem::path(r.path).filename().string();
        for (const CheckResult& c : r.checks) {
            pad(out, library, library_width);
            pad(out, c.name, check_width);
            pad(out, std::string(verdict_name(c.verdict)), verdict_width);
            out << c.message << '\n';
        }
    }
    const Summary s = summarize(reports);
    out << '\n'
        << s.libraries << " librar" << (s.libraries == 1 ? "y" : "ies") << ", " << s.checks << " checks: " << s.passed
        << " passed, " << s.failed << " failed, " << s.crashed << " crashed, " << s.timed_out << " timed out, "
        << s.skipped << " skipped — " << (s.conformant() ? "conformant" : "NOT conformant") << '\n';
}

}  // namespace net::conformance
