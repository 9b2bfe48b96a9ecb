// report_junit.cpp — JUnit XML as CI servers read it (testsuites/testsuite/testcase).
#include <cstdio>
#include <string>
#include <string_view>

#include "report.hpp"

namespace net::conformance {

namespace {

// Escapes for attribute and text content; drops control characters XML 1.0 cannot carry.
std::string xml_escape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            if (c < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') break;
            out += ch;
        }
    }
    return out;
}

std::string seconds(double ms)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", ms / 1000.0);
    return text;
}

}  // namespace

void write_junit(std::ostream& out, const std::vector<LibraryReport>& reports)
{
    const Summary total = summarize(reports);
    double total_ms = 0;
    for (const LibraryReport& r : reports) {
        for (const CheckResult& c : r.checks) total_ms += c.duration_ms;
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<testsuites name=\"net-conformance\" tests=\"" << total.checks << "\" failures=\"" << total.failed
        << "\" errors=\"" << total.crashed + total.timed_out << "\" skipped=\"" << total.skipped << "\" time=\""
        << seconds(total_ms) << "\">\n";
    for (const LibraryReport& r : reports) {
        const Summary s = summarize({r});
        double ms = 0;
        for (const CheckResult& c : r.checks) ms += c.duration_ms;
        const std::string suite = r.plugin_id.empty() ? r.path : r.plugin_id;
        out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << s.checks << "\" failures=\"" << s.failed
            << "\" errors=\"" << s.crashed + s.timed_out << "\" skipped=\"" << s.skipped << "\" time=\"" << seconds(ms)
            << "\">\n"
            << "    <properties><property name=\"path\" value=\"" << xml_escape(r.path) << "\"/></properties>\n";
        for (const CheckResult& c : r.checks) {
            out << "    <testcase classname=\"" << xml_escape(suite) << "\" name=\"" << xml_escape(c.name)
                << "\" time=\"" << seconds(c.duration_ms) << "\"";
            const std::string message = xml_escape(c.message);
            switch (c.verdict) {
            case Verdict::pass: out << "/>\n"; continue;
            case Verdict::fail: out << ">\n      <failure message=\"" << message << "\"/>\n"; break;
            case Verdict::crashed:
            case Verdict::timed_out:
                out << ">\n      <error type=\"" << verdict_name(c.verdict) << "\" message=\"" << message << "\"/>\n";
                break;
            case Verdict::skipped: out << ">\n      <skipped message=\"" << message << "\"/>\n"; break;
            }
            if (!c.output.empty()) out << "      <system-err>" << xml_escape(c.output) << "</system-err>\n";
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

}  // namespace net::conformance
