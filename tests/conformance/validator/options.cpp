// options.cpp — parses the command line; every mistake is a UsageError (exit code 2).
#include "options.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

#include "check.hpp"

namespace net::conformance {

namespace {

std::string read_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UsageError("--config: cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

nlohmann::json parse_config(std::string_view argument)
{
    const std::string text =
        argument.starts_with('@') ? read_file(std::string(argument.substr(1))) : std::string(argument);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw UsageError("--config is not valid JSON: " + std::string(e.what()));
    }
}

std::chrono::milliseconds parse_timeout(std::string_view text)
{
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) || seconds <= 0 ||
        seconds > 86400) {
        throw UsageError("--timeout wants a number of seconds > 0, got \"" + std::string(text) + "\"");
    }
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
}

void add_checks(std::string_view list, std::vector<std::string>& out)
{
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        if (find_check(name) == nullptr) {
            std::string known;
            for (const CheckSpec& spec : all_checks()) known += (known.empty() ? "" : ", ") + std::string(spec.name);
            throw UsageError("unknown check \"" + std::string(name) + "\" (checks: " + known + ")");
        }
        out.emplace_back(name);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
}

}  // namespace

Options parse_options(int argc, const char* const* argv)
{
    Options o;
    bool only_paths = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string_view option) -> std::string_view {
            if (i + 1 >= argc) throw UsageError(std::string(option) + " needs a value");
            return argv[++i];
        };
        if (only_paths || arg.empty() || arg[0] != '-' || arg == "-") {
            o.libraries.emplace_back(arg);
        } else if (arg == "--") {
            only_paths = true;
        } else if (arg == "--help" || arg == "-h") {
            o.help = true;
        } else if (arg == "--list-checks") {
            o.list_checks = true;
        } else if (arg == "--json") {
            o.json_file = std::filesystem::path(value(arg));
        } else if (arg == "--junit") {
            o.junit_file = std::filesystem::path(value(arg));
        } else if (arg == "--check") {
            add_checks(value(arg), o.checks);
        } else if (arg == "--timeout") {
            o.timeout = parse_timeout(value(arg));
        } else if (arg == "--config") {
            o.config = parse_config(value(arg));
            o.config_given = true;
        } else {
            throw UsageError("unknown option " + std::string(arg));
        }
    }
    if (!o.help && !o.list_checks && o.libraries.empty()) throw UsageError("no plugin library given");
    return o;
}

std::string usage_text()
{
    return "usage: net-conformance <plugin.so>... [--json FILE] [--junit FILE] [--check NAME]...\n"
           "                       [--timeout SECONDS] [--config JSON|@FILE]\n"
           "\n"
           "Runs the Net plugin conformance checks on each library, each check in its own child\n"
           "process, and prints a table of verdicts (pass, fail, crashed, timed out, skipped).\n"
           "\n"
           "  --json FILE        also write the results as JSON\n"
           "  --junit FILE       also write the results as JUnit XML\n"
           "  --check NAME       run only this check (repeat, or NAME,NAME); load always runs\n"
           "  --timeout SECONDS  per check, default 10; a child still running is killed\n"
           "  --config JSON      instance config for the checks that create instances (default {});\n"
           "                     @FILE reads it from a file\n"
           "  --list-checks      list the checks and what each asserts\n"
           "  --help             this text\n"
           "\n"
           "Exit status: 0 every check passed (or was skipped), 1 a check failed, crashed or timed out,\n"
           "2 usage error or unwritable report.\n";
}

std::string check_list_text()
{
    std::string out;
    for (const CheckSpec& spec : all_checks()) {
        std::string name(spec.name);
        name.resize(22, ' ');
        out += name + std::string(spec.asserts) + "\n";
    }
    return out;
}

}  // namespace net::conformance
