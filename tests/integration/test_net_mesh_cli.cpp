// net-mesh as an operator uses it: every bad input exits non-zero with one message naming the
// file, the JSON pointer or plugin, and what was expected; good input checks, runs and stops
// cleanly on SIGINT. Runs the real binary on manifests written to a temp folder.
#define BOOST_TEST_MODULE net_mesh_cli
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "net_test_support.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kMesh = NET_MESH_BIN;
const std::string kFixtures = NET_FIXTURE_DIR;
const std::string kGreeter = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-greeter.so";

struct Result {
    int code;
    std::string output;
};

std::string quote(const std::string& s) { return "'" + s + "'"; }
std::string quote(const fs::path& p) { return quote(p.string()); }

Result run(const std::string& args)
{
    const std::string cmd = quote(kMesh) + " " + args + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

using net::test::TempDir;

std::string manifest_with(const std::string& library, const nlohmann::json& config = nlohmann::json::object())
{
    return nlohmann::json{{"node", {{"name", "t"}}},
                          {"plugins", {{{"name", "p"}, {"library", library}, {"config", config}}}}}
        .dump(2);
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(manifest_that_is_not_json_names_file_line_and_column)
{
    TempDir t;
    const auto file = t.write("broken.json", "{\n  \"node\": {\"name\": \"x\"},\n  oops\n}\n");
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "broken.json"), r.output);
    BOOST_TEST(contains(r.output, "3"), r.output);  // the line of the error
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_pointer_and_the_expected_type)
{
    TempDir t;
    const auto file = t.write("m.json", R"({"node": {"name": "x", "threads": "two"}, "plugins": []})");
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "m.json: /node/threads"), r.output);
    BOOST_TEST(contains(r.output, "expected integer"), r.output);
}

BOOST_AUTO_TEST_CASE(unknown_key_suggests_the_closest_one)
{
    TempDir t;
    const auto file = t.write("m.json", R"({"node": {"name": "x"}, "plugns": []})");
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "plugns"), r.output);
    BOOST_TEST(contains(r.output, "did you mean \"plugins\""), r.output);
}

BOOST_AUTO_TEST_CASE(missing_plugin_file_lists_the_places_tried)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with("net-does-not-exist"));
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "m.json: /plugins/0/library"), r.output);
    BOOST_TEST(contains(r.output, "libnet-does-not-exist.so"), r.output);
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_shared_library_is_refused)
{
    TempDir t;
    t.write("libfake.so", "this is text, not ELF\n");
    const auto file = t.write("m.json", manifest_with("./libfake.so"));
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 4, r.output);
    BOOST_TEST(contains(r.output, "m.json: /plugins/0/library"), r.output);
    BOOST_TEST(contains(r.output, "not a shared library"), r.output);
}

BOOST_AUTO_TEST_CASE(library_without_the_entry_symbol_is_refused)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with(kFixtures + "/libno_entry_symbol.so"));
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 4, r.output);
    BOOST_TEST(contains(r.output, "net_plugin_entry"), r.output);
}

BOOST_AUTO_TEST_CASE(abi_mismatch_names_the_plugin_and_both_versions)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with(kFixtures + "/libwrong_major.so"));
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 4, r.output);
    BOOST_TEST(contains(r.output, "libwrong_major.so"), r.output);
    BOOST_TEST(contains(r.output, "ABI 2.0"), r.output);
    BOOST_TEST(contains(r.output, "ABI 1.0"), r.output);
}

BOOST_AUTO_TEST_CASE(config_rejected_by_the_plugin_schema_names_the_config_pointer)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with(kGreeter, {{"interval_ms", 5}}));
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "m.json: /plugins/0/config/interval_ms"), r.output);
    BOOST_TEST(contains(r.output, "10"), r.output);
    BOOST_TEST(contains(r.output, "org.example.greeter"), r.output);
}

BOOST_AUTO_TEST_CASE(cyclic_extends_names_the_chain)
{
    TempDir t;
    t.write("a.json", R"({"extends": "b.json", "node": {"name": "a"}})");
    t.write("b.json", R"({"extends": "a.json"})");
    const Result r = run("check " + quote((t.path() / "a.json").string()));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "a.json"), r.output);
    BOOST_TEST(contains(r.output, "b.json"), r.output);
    BOOST_TEST(contains(r.output, "cycl"), r.output);
}

BOOST_AUTO_TEST_CASE(cyclic_plugin_dependencies_name_the_cycle)
{
    TempDir t;
    const nlohmann::json m{{"node", {{"name", "x"}}},
                           {"plugins",
                            {{{"name", "a"}, {"library", kGreeter}, {"depends_on", {"b"}}},
                             {{"name", "b"}, {"library", kGreeter}, {"depends_on", {"a"}}}}}};
    const auto file = t.write("m.json", m.dump());
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "cyclic plugin dependencies: a -> b -> a"), r.output);
}

BOOST_AUTO_TEST_CASE(duplicate_instance_names_point_at_the_second)
{
    TempDir t;
    const nlohmann::json m{{"node", {{"name", "x"}}},
                           {"plugins", {{{"name", "a"}, {"library", kGreeter}}, {{"name", "a"}, {"library", kGreeter}}}}};
    const auto file = t.write("m.json", m.dump());
    const Result r = run("check " + quote(file));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "/plugins/1"), r.output);
    BOOST_TEST(contains(r.output, "duplicate"), r.output);
}

BOOST_AUTO_TEST_CASE(plugin_failing_in_create_exits_5_with_its_last_error)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with(kFixtures + "/libthrows_in_create.so"));
    const Result r = run("run " + quote(file) + " --duration 5");
    BOOST_TEST(r.code == 5, r.output);
    BOOST_TEST(contains(r.output, "instance \"p\""), r.output);
    BOOST_TEST(contains(r.output, "boom in create"), r.output);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    BOOST_TEST(run("").code == 2);
    BOOST_TEST(run("frobnicate").code == 2);
    BOOST_TEST(run("check").code == 2);
    BOOST_TEST(run("check a.json --bogus").code == 2);
    BOOST_TEST(run("run a.json --duration -1").code == 2);
    BOOST_TEST(run("plugins").code == 2);
    const Result help = run("check --help");
    BOOST_TEST(help.code == 0);
    BOOST_TEST(contains(help.output, "exit codes"));
}

BOOST_AUTO_TEST_CASE(check_and_inspect_speak_json)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with(kGreeter, {{"greeting", "hi"}}));
    const Result ok = run("check --json " + quote(file));
    BOOST_TEST(ok.code == 0, ok.output);
    const auto j = nlohmann::json::parse(ok.output);
    BOOST_TEST(j["ok"].get<bool>());
    BOOST_TEST(j["instances"][0]["plugin"] == "org.example.greeter");

    const Result bad = run("check --json " + quote(t.write("bad.json", "[]")));
    BOOST_TEST(bad.code == 3);
    const auto jb = nlohmann::json::parse(bad.output);
    BOOST_TEST(!jb["ok"].get<bool>());
    BOOST_TEST(contains(jb["error"].get<std::string>(), "bad.json"));

    const Result inspect = run("plugins inspect --json " + quote(kGreeter));
    BOOST_TEST(inspect.code == 0, inspect.output);
    const auto ji = nlohmann::json::parse(inspect.output);
    BOOST_TEST(ji["id"] == "org.example.greeter");
    BOOST_TEST(ji["abi"] == "1.0");
    BOOST_TEST(ji["provides"][0] == "org.example.greeter/1");
    BOOST_TEST(ji["config_schema"]["properties"].contains("interval_ms"));

    const Result missing = run("plugins inspect " + quote((t.path() / "nope.so").string()));
    BOOST_TEST(missing.code == 4);
    BOOST_TEST(contains(missing.output, "no such file"), missing.output);
}

BOOST_AUTO_TEST_CASE(run_stops_cleanly_on_sigint)
{
    TempDir t;
    const auto file = t.write("m.json", manifest_with(kGreeter, {{"greeting", "tick"}, {"interval_ms", 20}}));
    const auto log = (t.path() / "out.log").string();
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        std::freopen(log.c_str(), "w", stderr);
        ::execl(kMesh.c_str(), kMesh.c_str(), "run", file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    const auto read_log = [&] {
        std::ifstream in(log);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    for (int i = 0; i < 300 && !contains(read_log(), "tick (#3)"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BOOST_TEST(contains(read_log(), "tick (#3)"), read_log());
    ::kill(pid, SIGINT);
    int status = 0;
    ::waitpid(pid, &status, 0);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    const std::string out = read_log();
    BOOST_TEST(contains(out, "received signal 2"), out);
    BOOST_TEST(contains(out, "[p] stopped after"), out);
    BOOST_TEST(contains(out, "stopped cleanly"), out);
}

BOOST_AUTO_TEST_CASE(selftest_noise_passes_the_shipped_vectors_and_fails_a_corrupted_one)
{
    const std::string vectors = std::string(NET_TEST_SOURCE_DIR) + "/tests/vectors/noise.json";
    const Result ok = run("selftest noise " + quote(vectors) + " --json");
    BOOST_TEST(ok.code == 0, ok.output);
    const auto j = nlohmann::json::parse(ok.output.substr(ok.output.find('{')));
    int passed = 0, unsupported = 0;
    for (const auto& v : j["results"]) {
        const std::string verdict = v["result"].get<std::string>();
        passed += verdict == "pass";
        unsupported += verdict == "unsupported";
    }
    BOOST_TEST(passed == 6, ok.output);
    BOOST_TEST(unsupported == 2, ok.output);

    TempDir t;
    auto doc = nlohmann::json::parse(std::ifstream(vectors));
    auto& ct = doc["vectors"][0]["messages"][0]["ciphertext"].get_ref<std::string&>();
    ct[0] = ct[0] == '0' ? '1' : '0';
    const Result bad = run("selftest noise " + quote(t.write("bad.json", doc.dump())));
    BOOST_TEST(bad.code == 1, bad.output);
    BOOST_TEST(contains(bad.output, "fail"), bad.output);
    BOOST_TEST(run("selftest noise " + quote((t.path() / "missing.json").string())).code == 1);
    BOOST_TEST(run("selftest").code == 2);
}

BOOST_AUTO_TEST_CASE(identity_generate_show_and_fingerprint)
{
    TempDir t;
    const std::string key = (t.path() / "node.key").string();
    const Result gen = run("identity generate " + quote(key));
    BOOST_TEST(gen.code == 0, gen.output);
    BOOST_TEST(((fs::status(key).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write)));
    BOOST_TEST(run("identity generate " + quote(key)).code == 1, "refuses to overwrite without --force");
    const Result show = run("identity show --json " + quote(key));
    BOOST_TEST(show.code == 0, show.output);
    const auto j = nlohmann::json::parse(show.output);
    BOOST_TEST(j["entity_public"].get<std::string>().size() == 64u);
    BOOST_TEST(j["node_id"].get<std::string>().size() == 16u);
    const Result fp = run("identity fingerprint " + quote(key));
    BOOST_TEST(fp.code == 0);
    BOOST_TEST(fp.output == j["fingerprint"].get<std::string>() + "\n");
    fs::permissions(key, fs::perms::others_read, fs::perm_options::add);
    const Result open = run("identity show " + quote(key));
    BOOST_TEST(open.code == 3, open.output);
    BOOST_TEST(contains(open.output, "chmod 600"), open.output);
    BOOST_TEST(run("identity frobnicate x").code == 2);
}
