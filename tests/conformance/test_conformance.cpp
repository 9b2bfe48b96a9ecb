// test_conformance.cpp — runs the built net-conformance on every fixture and every shipped plugin
// and checks the verdicts and messages in its JSON report, its exit codes and its JUnit output.
#define BOOST_TEST_MODULE conformance_validator
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "identifiers.hpp"
#include "options.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::string> kChecks{"load",       "descriptor",        "abi-refusal", "config-schema",
                                       "bad-config", "unknown-interface", "lifecycle",   "no-leaked-references"};

// Every fixture but hangs_in_start, which has its own test with a short timeout.
const std::vector<std::string> kFixtures{
    "wrong_major",     "newer_minor",           "struct_too_small", "missing_function", "no_entry_symbol",
    "not_a_library",   "bad_metadata",          "throws_in_create", "crashes_in_start", "leaks_buffer",
    "accepts_garbage", "answers_any_interface", "forgets_timer"};

std::string fixture(const std::string& name)
{
    return std::string(NET_CONFORMANCE_FIXTURE_DIR) + "/lib" + name + ".so";
}

fs::path scratch_dir()
{
    static const fs::path dir = [] {
        // Overwritten by every run; kept afterwards so a failure can be looked at.
        fs::path d = fs::path(NET_TEST_BINARY_DIR) / "tests" / "conformance" / "scratch";
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

std::string slurp(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Run {
    int exit_code = -1;
    std::string table;   // stdout
    std::string errors;  // stderr
    json report;         // the --json file, null when none was written
};

// Runs the validator with `args`, plus --json into a scratch file when `with_json`.
Run run_validator(std::vector<std::string> args, bool with_json = true)
{
    static int runs = 0;
    const fs::path stem = scratch_dir() / ("run-" + std::to_string(++runs));
    const fs::path json_file = stem.string() + ".json";
    const fs::path stdout_file = stem.string() + ".out";
    const fs::path stderr_file = stem.string() + ".err";
    if (with_json) {
        args.push_back("--json");
        args.push_back(json_file.string());
    }
    std::vector<char*> argv;
    std::string program = NET_CONFORMANCE_VALIDATOR;
    argv.push_back(program.data());
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid == 0) {
        const int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out >= 0) ::dup2(out, STDOUT_FILENO);
        if (err >= 0) ::dup2(err, STDERR_FILENO);
        ::execv(program.c_str(), argv.data());
        ::_exit(127);
    }
    BOOST_REQUIRE(pid > 0);
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    Run run;
    BOOST_REQUIRE_MESSAGE(WIFEXITED(status), "net-conformance did not exit normally");
    run.exit_code = WEXITSTATUS(status);
    run.table = slurp(stdout_file);
    run.errors = slurp(stderr_file);
    if (with_json && fs::exists(json_file)) run.report = json::parse(slurp(json_file));
    return run;
}

// The full run: every fixture and the greeter, once for all the test cases that read it.
const Run& full_run()
{
    static const Run run = [] {
        std::vector<std::string> args{NET_CONFORMANCE_GREETER};
        for (const std::string& f : kFixtures) args.push_back(fixture(f));
        return run_validator(args);
    }();
    return run;
}

const json& library(const Run& run, const std::string& path)
{
    for (const json& lib : run.report.at("libraries")) {
        if (lib.at("path") == path) return lib;
    }
    BOOST_FAIL("no report for " << path);
    static const json none;
    return none;
}

const json& check(const json& lib, const std::string& name)
{
    for (const json& c : lib.at("checks")) {
        if (c.at("name") == name) return c;
    }
    BOOST_FAIL("no check " << name << " for " << lib.at("path"));
    static const json none;
    return none;
}

std::string verdict(const std::string& path, const std::string& name)
{
    return check(library(full_run(), path), name).at("verdict");
}

std::string message(const std::string& path, const std::string& name)
{
    return check(library(full_run(), path), name).at("message");
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

#define CHECK_CONTAINS(text, part) \
    BOOST_CHECK_MESSAGE(contains((text), (part)), "\"" << (text) << "\" lacks \"" << (part) << "\"")

}  // namespace

BOOST_AUTO_TEST_CASE(report_has_every_library_and_check)
{
    const Run& run = full_run();
    BOOST_REQUIRE(run.report.is_object());
    BOOST_TEST(run.exit_code == 1);
    BOOST_TEST(run.report.at("libraries").size() == kFixtures.size() + 1);
    for (const json& lib : run.report.at("libraries")) {
        BOOST_TEST_REQUIRE(lib.at("checks").size() == kChecks.size());
        for (std::size_t i = 0; i < kChecks.size(); ++i) {
            const json& c = lib.at("checks").at(i);
            BOOST_TEST(c.at("name") == kChecks[i]);
            BOOST_TEST(c.at("message").get<std::string>().size() > 0);
            BOOST_TEST(c.at("duration_ms").is_number());
            const std::string v = c.at("verdict");
            BOOST_TEST((v == "pass" || v == "fail" || v == "crashed" || v == "timed out" || v == "skipped"));
        }
    }
    const json& summary = run.report.at("summary");
    BOOST_TEST(summary.at("libraries") == kFixtures.size() + 1);
    BOOST_TEST(summary.at("checks") == (kFixtures.size() + 1) * kChecks.size());
    BOOST_TEST(summary.at("conformant") == false);
    BOOST_TEST(summary.at("crashed").get<int>() >= 1);
    CHECK_CONTAINS(run.table, "NOT conformant");
}

BOOST_AUTO_TEST_CASE(greeter_passes_every_check)
{
    const json& lib = library(full_run(), NET_CONFORMANCE_GREETER);
    BOOST_TEST(lib.at("plugin_id") == "org.example.greeter");
    for (const json& c : lib.at("checks")) {
        BOOST_TEST_MESSAGE(c.at("name").get<std::string>() << ": " << c.at("message").get<std::string>());
        BOOST_TEST(c.at("verdict") == "pass", c.at("name") << ": " << c.at("message"));
    }
    CHECK_CONTAINS(message(NET_CONFORMANCE_GREETER, "unknown-interface"), "org.example.greeter/1");
    CHECK_CONTAINS(message(NET_CONFORMANCE_GREETER, "abi-refusal"), "refused by host 2.0");
}

BOOST_AUTO_TEST_CASE(every_shipped_plugin_passes)
{
    std::vector<std::string> args;
    for (const auto& entry : fs::directory_iterator(NET_TEST_PLUGIN_DIR)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("lib") && entry.path().extension() == ".so") args.push_back(entry.path().string());
    }
    BOOST_REQUIRE(!args.empty());
    const std::size_t libraries = args.size();
    const Run run = run_validator(args);
    BOOST_TEST(run.exit_code == 0, run.table);
    BOOST_TEST(run.report.at("summary").at("conformant") == true);
    // Plugins that need another component's interface (the messenger needs the kernel's mesh,
    // bus-redex a RedEX instance) cannot start in the validator: their lifecycle and leak checks
    // are skipped, never failed. Every other plugin must pass them.
    const auto& summary = run.report.at("summary");
    BOOST_TEST(summary.at("pass").get<std::size_t>() + summary.at("skipped").get<std::size_t>() ==
               libraries * kChecks.size());
    for (const json& lib : run.report.at("libraries")) {
        for (const json& c : lib.at("checks")) {
            if (c.at("verdict") != "skipped") continue;
            const bool needs_another = lib.at("plugin_id") == "net.messenger" || lib.at("plugin_id") == "net.bus.redex";
            BOOST_TEST(needs_another, lib.at("plugin_id") << " skipped " << c.at("name"));
        }
    }
}

BOOST_AUTO_TEST_CASE(libraries_that_do_not_load)
{
    const std::map<std::string, std::vector<std::string>> expected{
        {"wrong_major", {"major", "2.0", "1.0"}},
        {"newer_minor", {"newer", "1.1"}},
        {"struct_too_small", {"smaller than the ABI 1.0 layout", "40"}},
        {"missing_function", {"stop"}},
        {"no_entry_symbol", {"net_plugin_entry"}},
        {"not_a_library", {"not a shared library"}},
    };
    for (const auto& [name, words] : expected) {
        BOOST_TEST_CONTEXT("fixture " << name)
        {
            const json& lib = library(full_run(), fixture(name));
            BOOST_TEST(lib.at("plugin_id") == "");
            BOOST_TEST(verdict(fixture(name), "load") == "fail");
            for (const std::string& word : words) CHECK_CONTAINS(message(fixture(name), "load"), word);
            for (std::size_t i = 1; i < kChecks.size(); ++i) {
                BOOST_TEST(verdict(fixture(name), kChecks[i]) == "skipped");
                CHECK_CONTAINS(message(fixture(name), kChecks[i]), "did not load");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_metadata_fails_the_descriptor_check)
{
    const std::string lib = fixture("bad_metadata");
    BOOST_TEST(verdict(lib, "load") == "pass");
    BOOST_TEST(verdict(lib, "descriptor") == "fail");
    const std::string m = message(lib, "descriptor");
    CHECK_CONTAINS(m, "\"Bad_Metadata\" is not reverse-DNS");
    CHECK_CONTAINS(m, "\"1.0\" is not a semantic version");
    CHECK_CONTAINS(m, "description is missing");
    CHECK_CONTAINS(m, "provides[0] \"org.net.conformance.bad-metadata\" is not a versioned interface id");
    CHECK_CONTAINS(m, "needs[0] \"Net.Transport/1\"");
    CHECK_CONTAINS(m, "needs[1] is an empty string");
    for (const char* other : {"abi-refusal", "bad-config", "unknown-interface", "lifecycle", "no-leaked-references"}) {
        BOOST_TEST(verdict(lib, other) == "pass", other << ": " << message(lib, other));
    }
}

BOOST_AUTO_TEST_CASE(throws_in_create_fails_lifecycle_without_crashing)
{
    const std::string lib = fixture("throws_in_create");
    BOOST_TEST(verdict(lib, "lifecycle") == "fail");
    CHECK_CONTAINS(message(lib, "lifecycle"), "create failed with NET_E_EXCEPTION");
    CHECK_CONTAINS(message(lib, "lifecycle"), "boom in create");
    // It refuses every config, so bad-config holds; what needs an instance is skipped.
    BOOST_TEST(verdict(lib, "bad-config") == "pass");
    CHECK_CONTAINS(message(lib, "bad-config"), "boom in create");
    BOOST_TEST(verdict(lib, "unknown-interface") == "skipped");
    BOOST_TEST(verdict(lib, "no-leaked-references") == "skipped");
    for (const json& c : library(full_run(), lib).at("checks")) BOOST_TEST(c.at("verdict") != "crashed");
}

BOOST_AUTO_TEST_CASE(crashes_in_start_is_reported_and_the_run_goes_on)
{
    const std::string lib = fixture("crashes_in_start");
    BOOST_TEST(verdict(lib, "lifecycle") == "crashed");
    CHECK_CONTAINS(message(lib, "lifecycle"), "SIGSEGV");
    CHECK_CONTAINS(message(lib, "lifecycle"), "start");
    BOOST_TEST(verdict(lib, "no-leaked-references") == "crashed");
    for (const char* other :
         {"load", "descriptor", "abi-refusal", "config-schema", "bad-config", "unknown-interface"}) {
        BOOST_TEST(verdict(lib, other) == "pass", other << ": " << message(lib, other));
    }
    // The libraries after it in the run were still checked.
    BOOST_TEST(verdict(fixture("forgets_timer"), "lifecycle") == "pass");
}

BOOST_AUTO_TEST_CASE(leaks_buffer_fails_no_leaked_references_with_the_count)
{
    const std::string lib = fixture("leaks_buffer");
    BOOST_TEST(verdict(lib, "no-leaked-references") == "fail");
    CHECK_CONTAINS(message(lib, "no-leaked-references"), "1 buffer reference(s)");
    CHECK_CONTAINS(message(lib, "no-leaked-references"), "buffer_refs_outstanding() = 1");
    BOOST_TEST(verdict(lib, "lifecycle") == "pass");
}

BOOST_AUTO_TEST_CASE(accepts_garbage_fails_bad_config)
{
    const std::string lib = fixture("accepts_garbage");
    BOOST_TEST(verdict(lib, "bad-config") == "fail");
    CHECK_CONTAINS(message(lib, "bad-config"), "create accepted malformed JSON");
    CHECK_CONTAINS(message(lib, "lifecycle"), "not forced");
}

BOOST_AUTO_TEST_CASE(answers_any_interface_fails_unknown_interface)
{
    const std::string lib = fixture("answers_any_interface");
    BOOST_TEST(verdict(lib, "unknown-interface") == "fail");
    CHECK_CONTAINS(message(lib, "unknown-interface"), "org.net.conformance.does-not-exist/1");
}

BOOST_AUTO_TEST_CASE(forgets_timer_passes_with_a_warning)
{
    // The kernel cancels a forgotten timer at stop, so this is a warning, not a failure.
    const std::string lib = fixture("forgets_timer");
    BOOST_TEST(verdict(lib, "no-leaked-references") == "pass");
    CHECK_CONTAINS(message(lib, "no-leaked-references"), "warning: stop left 1 timer(s) armed");
}

BOOST_AUTO_TEST_CASE(hangs_in_start_times_out)
{
    const Run run = run_validator({fixture("hangs_in_start"), "--timeout", "1", "--check", "lifecycle"});
    BOOST_TEST(run.exit_code == 1);
    const json& lib = run.report.at("libraries").at(0);
    BOOST_TEST_REQUIRE(lib.at("checks").size() == 2u);
    BOOST_TEST(check(lib, "load").at("verdict") == "pass");
    BOOST_TEST(check(lib, "lifecycle").at("verdict") == "timed out");
    CHECK_CONTAINS(check(lib, "lifecycle").at("message").get<std::string>(), "timed out after 1 s");
    CHECK_CONTAINS(check(lib, "lifecycle").at("message").get<std::string>(), "start");
    BOOST_TEST(check(lib, "lifecycle").at("duration_ms").get<double>() < 5000);
}

BOOST_AUTO_TEST_CASE(check_selection_and_config)
{
    const Run only = run_validator({NET_CONFORMANCE_GREETER, "--check", "descriptor", "--check", "bad-config"});
    BOOST_TEST(only.exit_code == 0);
    const json& checks = only.report.at("libraries").at(0).at("checks");
    BOOST_TEST_REQUIRE(checks.size() == 3u);
    BOOST_TEST(checks.at(0).at("name") == "load");
    BOOST_TEST(checks.at(1).at("name") == "descriptor");
    BOOST_TEST(checks.at(2).at("name") == "bad-config");

    const Run good = run_validator({NET_CONFORMANCE_GREETER, "--config", R"({"greeting":"hi","interval_ms":10})"});
    BOOST_TEST(good.exit_code == 0, good.table);

    const Run bad =
        run_validator({NET_CONFORMANCE_GREETER, "--config", R"({"interval_ms":1})", "--check", "config-schema"});
    BOOST_TEST(bad.exit_code == 1);
    const json& schema = check(bad.report.at("libraries").at(0), "config-schema");
    BOOST_TEST(schema.at("verdict") == "fail");
    CHECK_CONTAINS(schema.at("message").get<std::string>(), "/interval_ms");
}

BOOST_AUTO_TEST_CASE(junit_report)
{
    const fs::path file = scratch_dir() / "report.xml";
    const Run run = run_validator({NET_CONFORMANCE_GREETER, fixture("leaks_buffer"), fixture("crashes_in_start"),
                                   fixture("wrong_major"), "--junit", file.string()},
                                  false);
    BOOST_TEST(run.exit_code == 1);
    const std::string xml = slurp(file);
    CHECK_CONTAINS(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    CHECK_CONTAINS(xml, "<testsuites name=\"net-conformance\" tests=\"32\"");
    CHECK_CONTAINS(xml,
                   "<testsuite name=\"org.example.greeter\" tests=\"8\" failures=\"0\" errors=\"0\" skipped=\"0\"");
    CHECK_CONTAINS(xml, "<testcase classname=\"org.net.conformance.leaks-buffer\" name=\"no-leaked-references\"");
    CHECK_CONTAINS(xml, "<failure message=\"create→start→stop→destroy: the instance still holds 1 buffer reference(s)");
    CHECK_CONTAINS(xml, "<error type=\"crashed\" message=\"crashed with SIGSEGV");
    CHECK_CONTAINS(xml, "<skipped message=\"skipped: the library did not load\"/>");
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    const std::vector<std::pair<std::vector<std::string>, std::string>> bad{
        {{}, "no plugin library given"},
        {{"--bogus", NET_CONFORMANCE_GREETER}, "unknown option --bogus"},
        {{NET_CONFORMANCE_GREETER, "--check", "no-such-check"}, "unknown check \"no-such-check\""},
        {{NET_CONFORMANCE_GREETER, "--timeout", "soon"}, "--timeout wants a number of seconds"},
        {{NET_CONFORMANCE_GREETER, "--timeout", "0"}, "--timeout wants a number of seconds"},
        {{NET_CONFORMANCE_GREETER, "--config", "{"}, "--config is not valid JSON"},
        {{NET_CONFORMANCE_GREETER, "--json"}, "--json needs a value"},
    };
    for (const auto& [args, why] : bad) {
        BOOST_TEST_CONTEXT("expecting: " << why)
        {
            const Run run = run_validator(args, false);
            BOOST_TEST(run.exit_code == 2);
            CHECK_CONTAINS(run.errors, why);
            CHECK_CONTAINS(run.errors, "usage: net-conformance");
        }
    }
    const Run help = run_validator({"--help"}, false);
    BOOST_TEST(help.exit_code == 0);
    CHECK_CONTAINS(help.table, "usage: net-conformance");
    const Run list = run_validator({"--list-checks"}, false);
    BOOST_TEST(list.exit_code == 0);
    for (const std::string& name : kChecks) CHECK_CONTAINS(list.table, name);
}

BOOST_AUTO_TEST_CASE(unwritable_report_exits_2)
{
    const Run run =
        run_validator({NET_CONFORMANCE_GREETER, "--check", "load", "--json", "/nonexistent-dir/x.json"}, false);
    BOOST_TEST(run.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(identifier_shapes)
{
    using namespace net::conformance;
    for (const char* good : {"org.example.greeter", "net.transport.udp", "a.b", "org.x_y.z-1", "com.0day.x"}) {
        BOOST_TEST(is_reverse_dns(good), good);
    }
    for (const char* bad :
         {"", "greeter", "Org.example", "org..x", ".org.x", "org.x.", "org_x.y", "org.x/1", "org.é"}) {
        BOOST_TEST(!is_reverse_dns(bad), bad);
    }
    for (const char* good : {"net.transport/1", "org.example.greeter/0", "net.bus.adapter/12"}) {
        BOOST_TEST(is_interface_id(good), good);
    }
    for (const char* bad :
         {"net.transport", "net.transport/", "net.transport/01", "transport/1", "net.transport/1a", "/1"}) {
        BOOST_TEST(!is_interface_id(bad), bad);
    }
    for (const char* good :
         {"0.0.0", "1.0.0", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
          "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0-rc.1+build.01"}) {
        BOOST_TEST(is_semver(good), good);
    }
    for (const char* bad : {"", "1", "1.0", "1.0.0.0", "01.0.0", "1.02.0", "v1.0.0", "1.0.0-", "1.0.0-01", "1.0.0+",
                            "1.0.0-a..b", "1.0.0-é", "1.0.0 "}) {
        BOOST_TEST(!is_semver(bad), bad);
    }
}

BOOST_AUTO_TEST_CASE(option_parsing)
{
    using namespace net::conformance;
    const char* argv[] = {"net-conformance", "a.so",       "--check", "lifecycle,descriptor", "--timeout", "2.5",
                          "--config",        R"({"x":1})", "--",      "--odd-name.so"};
    const Options o = parse_options(static_cast<int>(std::size(argv)), argv);
    BOOST_TEST(o.libraries.size() == 2u);
    BOOST_TEST(o.libraries[1].string() == "--odd-name.so");
    BOOST_TEST(o.checks.size() == 2u);
    BOOST_TEST(o.timeout.count() == 2500);
    BOOST_TEST(o.config_given);
    BOOST_TEST(o.config.at("x") == 1);
}
