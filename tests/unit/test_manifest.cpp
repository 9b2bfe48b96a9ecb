// Manifest loading: syntax and schema errors (file, pointer, expectation), semantic checks,
// extends composition and merge rules, library resolution order, the shipped manifests.
#define BOOST_TEST_MODULE manifest
#include <boost/test/unit_test.hpp>

#include <stdlib.h>  // setenv, unsetenv

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include "net/kernel/manifest.hpp"
#include "net_test_support.hpp"

namespace fs = std::filesystem;
using namespace net::kernel;
using nlohmann::json;

namespace {

using net::test::TempDir;

// Sets (or unsets) NET_PLUGIN_PATH for one test and restores it afterwards.
class PluginPathEnv {
public:
    explicit PluginPathEnv(const std::optional<std::string>& value)
    {
        if (const char* old = getenv("NET_PLUGIN_PATH")) saved_ = old;
        if (value) {
            setenv("NET_PLUGIN_PATH", value->c_str(), 1);
        } else {
            unsetenv("NET_PLUGIN_PATH");
        }
    }
    ~PluginPathEnv()
    {
        if (saved_) {
            setenv("NET_PLUGIN_PATH", saved_->c_str(), 1);
        } else {
            unsetenv("NET_PLUGIN_PATH");
        }
    }
    PluginPathEnv(const PluginPathEnv&) = delete;
    PluginPathEnv& operator=(const PluginPathEnv&) = delete;

private:
    std::optional<std::string> saved_;
};

LoadOptions no_resolve()
{
    LoadOptions o;
    o.resolve_libraries = false;
    return o;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// Loading `file` fails with exactly this file and pointer, and a detail containing `part`.
ManifestError expect_error(const fs::path& file, const std::string& error_file, const std::string& pointer,
                           const std::string& part, const LoadOptions& options = no_resolve())
{
    try {
        load_manifest(file, options);
    } catch (const ManifestError& e) {
        BOOST_TEST_INFO("what(): " << e.what());
        BOOST_TEST(e.file == error_file);
        BOOST_TEST(e.pointer == pointer);
        BOOST_TEST(contains(e.detail, part), "detail lacks: " << part);
        return e;
    }
    BOOST_FAIL("loaded " + file.string());
    throw std::logic_error("unreachable");
}

const char* const minimal = R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "liba.so"}]})";

std::string read_text(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(syntax)

BOOST_AUTO_TEST_CASE(not_json_reports_line_and_column)
{
    TempDir dir;
    const auto file = dir.write("m.json", "{\n  \"node\": {\n    \"name\": \"x\",\n  }\n}\n");
    const auto e = expect_error(file, file.string(), "", "line 4, column 3");
    BOOST_TEST(e.line == 4u);
    BOOST_TEST(e.column == 3u);
    BOOST_TEST(contains(e.detail, "syntax error"));
    BOOST_TEST(std::string(e.what()) == file.string() + ": " + e.detail);
}

BOOST_AUTO_TEST_CASE(columns_count_characters_not_bytes)
{
    TempDir dir;
    const auto file = dir.write("m.json", "{\"node\": {\"name\": \"\u00e9\u00e9\"} x}");
    const auto e = expect_error(file, file.string(), "", "line 1, column 25");
    BOOST_TEST(e.column == 25u);
}

BOOST_AUTO_TEST_CASE(empty_and_truncated_files)
{
    TempDir dir;
    expect_error(dir.write("empty.json", ""), (dir.path() / "empty.json").string(), "", "line 1, column 1");
    expect_error(dir.write("cut.json", "{\"node\": "), (dir.path() / "cut.json").string(), "",
                 "unexpected end of input");
    expect_error(dir.write("two.json", "{} {}"), (dir.path() / "two.json").string(), "", "line 1, column 4");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_a_clear_error)
{
    TempDir dir;
    const auto file = dir.write("m.json", "{\"node\": {\"name\": \"a\xff\"}}");
    const auto e = expect_error(file, file.string(), "", "ill-formed UTF-8");
    BOOST_TEST(contains(e.detail, "\\xFF"));  // the raw byte is escaped, never copied
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_capped)
{
    TempDir dir;
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "a.so", )"
                                          R"("config": {"x": )" +
                                              deep + "}}]}");
    // The 65th container: root, plugins, entry, config, x, then 60 more arrays.
    std::string pointer = "/plugins/0/config/x";
    for (int i = 0; i < 60; ++i) pointer += "/0";
    expect_error(file, file.string(), pointer, "JSON nested deeper than 64 levels");
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_rejected)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": "a", "name": "b"}})");
    expect_error(file, file.string(), "/node/name", "duplicate key \"name\"");
}

BOOST_AUTO_TEST_CASE(huge_numbers)
{
    TempDir dir;
    const auto a = dir.write("a.json", R"({"node": {"name": "n", "threads": 1e400}})");
    expect_error(a, a.string(), "", "number overflow");
    const auto b = dir.write("b.json", R"({"node": {"name": "n", "threads": 99999999999999999999999}})");
    expect_error(b, b.string(), "/node/threads", "must be <= 256, got 9.999999999999999e+22");
    const auto c = dir.write("c.json", R"({"node": {"name": "n", "threads": 18446744073709551615}})");
    expect_error(c, c.string(), "/node/threads", "must be <= 256, got 18446744073709551615");
}

BOOST_AUTO_TEST_CASE(missing_file_and_directory)
{
    TempDir dir;
    expect_error(dir.path() / "nope.json", (dir.path() / "nope.json").string(), "", "No such file");
    expect_error(dir.path(), dir.path().string(), "", "is a directory");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(wrong_types)
{
    TempDir dir;
    const auto a = dir.write("a.json", R"({"node": {"name": "n", "threads": "two"}})");
    expect_error(a, a.string(), "/node/threads", R"(expected integer, got string "two")");
    const auto b = dir.write("b.json", R"({"node": {"name": "n"}, "plugins": {"name": "a"}})");
    expect_error(b, b.string(), "/plugins", "expected array, got object");
    const auto c =
        dir.write("c.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "a.so", "config": []}]})");
    expect_error(c, c.string(), "/plugins/0/config", "expected object, got array");
    const auto d = dir.write("d.json", R"({"node": {"name": "n", "threads": 0}})");
    expect_error(d, d.string(), "/node/threads", "must be >= 1, got 0");
    const auto e = dir.write("e.json", R"({"node": {"name": "n", "log_level": "verbose"}})");
    expect_error(e, e.string(), "/node/log_level",
                 R"(must be one of "trace", "debug", "info", "warn", "error", got "verbose")");
    const auto f = dir.write("f.json", "[]");
    expect_error(f, f.string(), "", "expected object, got array");
    const auto g = dir.write(
        "g.json",
        R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "a.so", "depends_on": ["b", "b"]}]})");
    expect_error(g, g.string(), "/plugins/0/depends_on/1", "duplicate item \"b\"");
}

BOOST_AUTO_TEST_CASE(unknown_top_level_key_suggests_the_closest)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugin": []})");
    const auto e =
        expect_error(file, file.string(), "/plugin", R"(unknown property "plugin" (did you mean "plugins"?))");
    BOOST_TEST(std::string(e.what()) ==
               file.string() + R"(: /plugin: unknown property "plugin" (did you mean "plugins"?))");
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_plugin_entry)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "a", "library": "a.so"},
        {"name": "b", "library": "b.so", "confg": {}}]})");
    expect_error(file, file.string(), "/plugins/1/confg", R"(unknown property "confg" (did you mean "config"?))");
    const auto node = dir.write("n.json", R"({"node": {"name": "n", "thread": 4}})");
    expect_error(node, node.string(), "/node/thread", R"((did you mean "threads"?))");
}

BOOST_AUTO_TEST_CASE(further_violations_are_kept)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": 1, "threads": 0}, "plugns": []})");
    const auto e = expect_error(file, file.string(), "/node/name", "expected string, got integer 1");
    BOOST_REQUIRE_EQUAL(e.further_violations.size(), 2u);
    BOOST_TEST(e.further_violations[0].pointer == "/node/threads");
    BOOST_TEST(e.further_violations[1].pointer == "/plugns");
}

BOOST_AUTO_TEST_CASE(missing_required_fields)
{
    TempDir dir;
    const auto a = dir.write("a.json", R"({"node": {"name": "n"}, "plugins": [{"library": "a.so"}]})");
    expect_error(a, a.string(), "/plugins/0", R"(missing required property "name")");
    const auto b = dir.write("b.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a"}]})");
    expect_error(b, b.string(), "/plugins/0", R"(missing required property "library")");
    const auto c = dir.write("c.json", R"({"plugins": []})");
    expect_error(c, c.string(), "", R"(missing required property "name" of "node")");
    const auto d = dir.write("d.json", R"({"node": {"threads": 3}})");
    expect_error(d, d.string(), "/node", R"(missing required property "name" of "node")");
}

BOOST_AUTO_TEST_CASE(bad_instance_name_pattern)
{
    TempDir dir;
    for (const std::string& name : std::vector<std::string>{"Greeter", "-x", "", "a b", std::string(65, 'a')}) {
        const auto file = dir.write(
            "m.json", json{{"node", {{"name", "n"}}}, {"plugins", {{{"name", name}, {"library", "a.so"}}}}}.dump());
        BOOST_TEST_CONTEXT("name " << name)
        {
            expect_error(file, file.string(), "/plugins/0/name", "must match pattern");
        }
    }
    const auto ok = dir.write(
        "ok.json",
        json{{"node", {{"name", "n"}}}, {"plugins", {{{"name", "a0._-" + std::string(59, 'z')}, {"library", "a.so"}}}}}
            .dump());
    BOOST_TEST(load_manifest(ok, no_resolve()).plugins.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(semantics)

BOOST_AUTO_TEST_CASE(duplicate_instance_names)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "a", "library": "a.so"}, {"name": "b", "library": "b.so"}, {"name": "a", "library": "c.so"}]})");
    expect_error(file, file.string(), "/plugins/2/name",
                 R"(duplicate instance name "a" (first declared at /plugins/0))");
}

BOOST_AUTO_TEST_CASE(unknown_depends_on)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "greeter", "library": "a.so"},
        {"name": "b", "library": "b.so", "depends_on": ["greeter", "greter"]}]})");
    expect_error(
        file, file.string(), "/plugins/1/depends_on/1",
        R"(depends on unknown instance "greter" (did you mean "greeter"?); declared instances: "greeter", "b")");
}

BOOST_AUTO_TEST_CASE(depends_on_a_disabled_instance)
{
    TempDir dir;
    const auto off = dir.write("off.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "a", "library": "a.so", "enabled": false}, {"name": "b", "library": "b.so", "depends_on": ["a"]}]})");
    expect_error(off, off.string(), "/plugins/1/depends_on/0",
                 "which is disabled (" + off.string() + ": /plugins/0/enabled)");
}

BOOST_AUTO_TEST_CASE(dependency_cycles_are_left_to_the_plugin_host)
{
    // The host orders instances by depends_on and needs/provides together, so it owns cycle errors.
    TempDir dir;
    const auto cycle = dir.write("cycle.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "a", "library": "a.so", "depends_on": ["b"]}, {"name": "b", "library": "b.so", "depends_on": ["a"]}]})");
    BOOST_TEST(load_manifest(cycle, no_resolve()).plugins.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_disabled_instance_is_not_checked)
{
    TempDir dir;
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "a", "library": "a.so", "enabled": false, "depends_on": ["a"]}]})");
    BOOST_TEST(load_manifest(file, no_resolve()).plugins.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(composition)

BOOST_AUTO_TEST_CASE(cyclic_extends_of_two_files)
{
    TempDir dir;
    dir.write("a.json", R"({"extends": "b.json", "node": {"name": "n"}})");
    const auto b = dir.write("b.json", R"({"extends": "a.json"})");
    const auto a = dir.path() / "a.json";
    expect_error(a, b.string(), "/extends",
                 "cyclic extends: " + a.string() + " \u2192 " + b.string() + " \u2192 " + a.string());
}

BOOST_AUTO_TEST_CASE(cyclic_extends_of_three_files_through_a_subfolder)
{
    TempDir dir;
    dir.write("a.json", R"({"extends": "sub/b.json", "node": {"name": "n"}})");
    dir.write("sub/b.json", R"({"extends": "../c.json"})");
    const auto c = dir.write("c.json", R"({"extends": "./a.json"})");
    const auto e = expect_error(dir.path() / "a.json", c.string(), "/extends", "cyclic extends: ");
    BOOST_TEST(contains(e.detail, "a.json \u2192 " + (dir.path() / "sub/b.json").string() + " \u2192 " + c.string() +
                                      " \u2192 " + (dir.path() / "a.json").string()));
}

BOOST_AUTO_TEST_CASE(self_extends)
{
    TempDir dir;
    const auto a = dir.write("a.json", R"({"extends": "a.json"})");
    expect_error(a, a.string(), "/extends", "cyclic extends");
}

BOOST_AUTO_TEST_CASE(extends_of_a_missing_file)
{
    TempDir dir;
    const auto a = dir.write("a.json", R"({"extends": "missing.json", "node": {"name": "n"}})");
    expect_error(
        a, a.string(), "/extends",
        "cannot read base manifest \"missing.json\" (" + (dir.path() / "missing.json").string() + "): No such file");
}

BOOST_AUTO_TEST_CASE(errors_in_a_base_name_the_base)
{
    TempDir dir;
    const auto base = dir.write("base/base.json", R"({"node": {"name": "n", "threads": "x"}})");
    const auto top = dir.write("top.json", R"({"extends": "base/base.json"})");
    expect_error(top, base.string(), "/node/threads", "expected integer");
}

BOOST_AUTO_TEST_CASE(override_config_field_append_instance_disable_instance)
{
    TempDir dir;
    dir.write("base.json", R"({
        "node": {"name": "base", "threads": 4, "log_level": "debug"},
        "plugins": [
            {"name": "a", "library": "a.so", "config": {"greeting": "hi", "nested": {"x": 1, "y": 2}, "list": [1, 2]}},
            {"name": "b", "library": "b.so"},
            {"name": "c", "library": "c.so", "depends_on": ["a"]}
        ]})");
    const auto top = dir.write("top.json", R"({
        "extends": "base.json",
        "node": {"name": "top"},
        "plugins": [
            {"name": "a", "config": {"interval_ms": 5, "nested": {"y": 3}, "list": [9]}},
            {"name": "b", "enabled": false},
            {"name": "d", "library": "d.so", "depends_on": ["c"]}
        ]})");
    const Manifest m = load_manifest(top, no_resolve());
    BOOST_TEST(m.file == top);
    BOOST_TEST(m.node.name == "top");
    BOOST_TEST(m.node.threads == 4u);
    BOOST_TEST(m.node.log_level == "debug");
    BOOST_REQUIRE_EQUAL(m.plugins.size(), 3u);
    BOOST_TEST(m.plugins[0].name == "a");
    BOOST_TEST(m.plugins[1].name == "c");
    BOOST_TEST(m.plugins[2].name == "d");
    BOOST_TEST(m.plugins[0].config ==
               json::parse(R"({"greeting": "hi", "interval_ms": 5, "nested": {"x": 1, "y": 3}, "list": [9]})"));
    BOOST_TEST(m.plugins[0].declared_in == dir.path() / "base.json");
    BOOST_TEST(m.plugins[0].pointer == "/plugins/0");
    BOOST_TEST(m.plugins[2].declared_in == top);
    BOOST_TEST(m.plugins[2].pointer == "/plugins/2");
    BOOST_TEST(m.plugins[2].depends_on == std::vector<std::string>{"c"});
    BOOST_TEST(m.plugins[1].config == json::object());
    BOOST_TEST(m.plugins[0].library_path.empty());

    BOOST_TEST(!m.merged.contains("extends"));
    BOOST_TEST(m.merged["plugins"].size() == 3u);
    BOOST_TEST(manifest_schema().validate(m.merged).empty());
}

BOOST_AUTO_TEST_CASE(reenable_and_override_library)
{
    TempDir dir;
    dir.write("base.json",
              R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "a.so", "enabled": false}]})");
    const auto mid =
        dir.write("sub/mid.json", R"({"extends": "../base.json", "plugins": [{"name": "a", "enabled": true}]})");
    const auto top =
        dir.write("top.json", R"({"extends": "sub/mid.json", "plugins": [{"name": "a", "library": "other.so"}]})");
    const Manifest m = load_manifest(mid, no_resolve());
    BOOST_REQUIRE_EQUAL(m.plugins.size(), 1u);
    BOOST_TEST(m.plugins[0].declared_in == dir.path() / "base.json");
    const Manifest t = load_manifest(top, no_resolve());
    BOOST_REQUIRE_EQUAL(t.plugins.size(), 1u);
    BOOST_TEST(t.plugins[0].library == "other.so");
    BOOST_TEST(t.plugins[0].declared_in == top);
}

BOOST_AUTO_TEST_CASE(overrides_of_unknown_instances_are_errors)
{
    TempDir dir;
    dir.write("base.json", R"({"node": {"name": "n"}, "plugins": [{"name": "greeter", "library": "a.so"}]})");
    const auto off =
        dir.write("off.json", R"({"extends": "base.json", "plugins": [{"name": "gretter", "enabled": false}]})");
    expect_error(off, off.string(), "/plugins/0/name",
                 R"(disables instance "gretter", which no base manifest declares (did you mean "greeter"?))");
    const auto cfg =
        dir.write("cfg.json", R"({"extends": "base.json", "plugins": [{"name": "greter", "config": {}}]})");
    expect_error(cfg, cfg.string(), "/plugins/0", R"(missing required property "library" (no base manifest declares)");
}

BOOST_AUTO_TEST_CASE(node_name_may_come_from_the_base_only)
{
    TempDir dir;
    dir.write("base.json", R"({"node": {"name": "from-base"}})");
    const auto top = dir.write("top.json", R"({"extends": "base.json", "node": {"threads": 8}})");
    const Manifest m = load_manifest(top, no_resolve());
    BOOST_TEST(m.node.name == "from-base");
    BOOST_TEST(m.node.threads == 8u);
    BOOST_TEST(m.node.log_level == "info");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(libraries)

BOOST_AUTO_TEST_CASE(search_order_options_then_env_then_manifest_dir)
{
    TempDir dir;
    const auto opt = dir.touch("opt/libfoo.so");
    const auto env = dir.touch("env/libfoo.so");
    const auto local = dir.touch("m/libfoo.so");
    const auto file = dir.write("m/m.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "foo"}]})");
    PluginPathEnv guard(dir.path().string() + "/nothing-here::" + (dir.path() / "env").string());
    LoadOptions options;
    options.plugin_path = {dir.path() / "opt"};

    BOOST_TEST(load_manifest(file, options).plugins.at(0).library_path == opt);
    fs::remove(opt);
    BOOST_TEST(load_manifest(file, options).plugins.at(0).library_path == env);
    fs::remove(env);
    BOOST_TEST(load_manifest(file, options).plugins.at(0).library_path == local);
}

BOOST_AUTO_TEST_CASE(candidate_names_in_order)
{
    TempDir dir;
    PluginPathEnv guard(std::nullopt);
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "foo"}]})");
    const auto plain = dir.touch("foo");
    BOOST_TEST(load_manifest(file).plugins.at(0).library_path == plain);
    const auto so = dir.touch("foo.so");
    BOOST_TEST(load_manifest(file).plugins.at(0).library_path == so);
    const auto lib = dir.touch("libfoo.so");
    BOOST_TEST(load_manifest(file).plugins.at(0).library_path == lib);
    fs::create_directories(dir.path() / "libbar.so");  // a directory is not a library
    const auto bar = dir.touch("bar.so");
    const auto file2 = dir.write("m2.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "bar"}]})");
    BOOST_TEST(load_manifest(file2).plugins.at(0).library_path == bar);
}

BOOST_AUTO_TEST_CASE(path_with_slash_is_relative_to_the_declaring_file)
{
    TempDir dir;
    PluginPathEnv guard(std::nullopt);
    const auto lib = dir.touch("base/plugins/libx.so");
    dir.touch("plugins/libx.so");  // beside the top manifest: must not be picked
    dir.write("base/base.json",
              R"({"node": {"name": "n"}, "plugins": [{"name": "x", "library": "./plugins/libx.so"}]})");
    const auto top =
        dir.write("top.json", R"({"extends": "base/base.json", "plugins": [{"name": "x", "config": {"k": 1}}]})");
    BOOST_TEST(load_manifest(top).plugins.at(0).library_path == lib);

    const auto so = dir.touch("base/y.so");  // ends in .so: a path, not searched
    LoadOptions options;
    options.plugin_path = {dir.path()};
    dir.touch("y.so");
    dir.write("base/y.json", R"({"node": {"name": "n"}, "plugins": [{"name": "y", "library": "y.so"}]})");
    BOOST_TEST(load_manifest(dir.path() / "base/y.json", options).plugins.at(0).library_path == so);
}

BOOST_AUTO_TEST_CASE(not_found_lists_the_places_tried)
{
    TempDir dir;
    PluginPathEnv guard((dir.path() / "env").string());
    const auto file = dir.write("m.json", R"({"node": {"name": "n"}, "plugins": [
        {"name": "a", "library": "a.so"}, {"name": "b", "library": "missing"}]})");
    dir.touch("a.so");
    LoadOptions options;
    options.plugin_path = {dir.path() / "opt"};
    const auto e = expect_error(file, file.string(), "/plugins/1/library",
                                "plugin library \"missing\" not found; tried ", options);
    for (const char* tried : {"opt/libmissing.so", "opt/missing.so", "opt/missing", "env/libmissing.so", "env/missing",
                              "/libmissing.so", "/missing.so"}) {
        BOOST_TEST(contains(e.detail, tried), "not listed: " << tried);
    }
    BOOST_TEST(e.detail.find("opt/missing") < e.detail.find("env/libmissing.so"));
    const auto explicit_path =
        dir.write("p.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "lib/none.so"}]})");
    expect_error(explicit_path, explicit_path.string(), "/plugins/0/library",
                 "tried " + (dir.path() / "lib/none.so").string(), options);
}

BOOST_AUTO_TEST_CASE(library_error_in_base_points_at_the_base)
{
    TempDir dir;
    PluginPathEnv guard(std::nullopt);
    const auto base =
        dir.write("base.json", R"({"node": {"name": "n"}, "plugins": [{"name": "a", "library": "nowhere"}]})");
    const auto top = dir.write("top.json", R"({"extends": "base.json", "plugins": [{"name": "a", "config": {}}]})");
    expect_error(top, base.string(), "/plugins/0/library", "not found", LoadOptions{});
}

BOOST_AUTO_TEST_CASE(plugin_search_path_from_env_splits_on_colons)
{
    {
        PluginPathEnv guard(std::string("/a::/b/c:"));
        const auto dirs = plugin_search_path_from_env();
        BOOST_REQUIRE_EQUAL(dirs.size(), 2u);
        BOOST_TEST(dirs[0] == fs::path("/a"));
        BOOST_TEST(dirs[1] == fs::path("/b/c"));
    }
    {
        PluginPathEnv guard(std::nullopt);
        BOOST_TEST(plugin_search_path_from_env().empty());
    }
    {
        PluginPathEnv guard(std::string(""));
        BOOST_TEST(plugin_search_path_from_env().empty());
    }
}

BOOST_AUTO_TEST_CASE(resolve_plugin_library_reports_candidates)
{
    TempDir dir;
    const auto r = resolve_plugin_library("x", dir.path() / "m", {dir.path() / "a"});
    BOOST_TEST(!r.path);
    BOOST_REQUIRE_EQUAL(r.tried.size(), 6u);
    BOOST_TEST(r.tried[0] == dir.path() / "a/libx.so");
    BOOST_TEST(r.tried[5] == dir.path() / "m/x");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shipped)

const fs::path source_dir = NET_TEST_SOURCE_DIR;

BOOST_AUTO_TEST_CASE(embedded_schema_equals_the_file_on_disk)
{
    BOOST_TEST(std::string(manifest_schema_text()) == read_text(source_dir / "manifests/schema/manifest.schema.json"));
    BOOST_TEST(manifest_schema().accepts(json::parse(minimal)));
}

BOOST_AUTO_TEST_CASE(single_node)
{
    const Manifest m = load_manifest(source_dir / "manifests/single-node.json", no_resolve());
    BOOST_TEST(m.node.name == "single-node");
    BOOST_REQUIRE_EQUAL(m.plugins.size(), 1u);
    BOOST_TEST(m.plugins[0].name == "greeter");
    BOOST_TEST(m.plugins[0].library == "net-greeter");
    BOOST_TEST(m.plugins[0].config == json::parse(R"({"greeting": "hello from Net", "interval_ms": 1000})"));
}

BOOST_AUTO_TEST_CASE(base_and_two_greeters)
{
    const Manifest base = load_manifest(source_dir / "manifests/base.json", no_resolve());
    BOOST_TEST(base.plugins.size() == 1u);
    const Manifest m = load_manifest(source_dir / "manifests/two-greeters.json", no_resolve());
    BOOST_TEST(m.node.name == "two-greeters");
    BOOST_REQUIRE_EQUAL(m.plugins.size(), 2u);
    BOOST_TEST(m.plugins[0].config == json::parse(R"({"greeting": "hello from Net", "interval_ms": 500})"));
    BOOST_TEST(m.plugins[0].declared_in == source_dir / "manifests/base.json");
    BOOST_TEST(m.plugins[1].name == "greeter-2");
    BOOST_TEST(m.plugins[1].depends_on == std::vector<std::string>{"greeter"});
}

BOOST_AUTO_TEST_CASE(every_shipped_manifest_loads_and_configs_fit_the_greeter_schema)
{
    // A copy of the example plugin's config schema (sdk/examples/greeter/src/greeter.cpp).
    const auto greeter = JsonSchema::compile(json::parse(R"({
        "type": "object", "additionalProperties": false,
        "properties": {
            "greeting": {"type": "string", "minLength": 1, "maxLength": 200},
            "interval_ms": {"type": "integer", "minimum": 10, "maximum": 60000},
            "count": {"type": "integer", "minimum": 0}}})"));
    int loaded = 0;
    for (const auto& entry : fs::directory_iterator(source_dir / "manifests")) {
        if (entry.path().extension() != ".json") continue;
        BOOST_TEST_CONTEXT(entry.path())
        {
            const Manifest m = load_manifest(entry.path(), no_resolve());
            BOOST_TEST(manifest_schema().validate(m.merged).empty());
            for (const auto& p : m.plugins) {
                if (p.library == "net-greeter") BOOST_TEST(greeter.validate(p.config).empty());
            }
            ++loaded;
        }
    }
    BOOST_TEST(loaded >= 3);
}

BOOST_AUTO_TEST_CASE(single_node_resolves_the_built_greeter)
{
    LoadOptions options;
    options.plugin_path = {NET_TEST_PLUGIN_DIR};
    const Manifest m = load_manifest(source_dir / "manifests/single-node.json", options);
    BOOST_TEST(m.plugins.at(0).library_path == fs::path(NET_TEST_PLUGIN_DIR) / "libnet-greeter.so");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(robustness)

// What a fuzzer would do, briefly: mutate a valid manifest and check that only ManifestError
// ever comes out of parse_manifest_document.
BOOST_AUTO_TEST_CASE(mutated_documents_only_throw_manifest_error)
{
    const std::string seed = read_text(fs::path(NET_TEST_SOURCE_DIR) / "manifests/two-greeters.json");
    const std::string alphabet = "{}[]\":,0123456789-+.eE \\u\xff\xc3\xa9truefalsenull";
    std::mt19937 rng(42);
    int accepted = 0;
    for (int round = 0; round < 5000; ++round) {
        std::string text = seed;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < edits; ++i) {
            const std::size_t at = rng() % (text.size() + 1);
            switch (rng() % 3) {
                case 0:
                    text.insert(at, 1, alphabet[rng() % alphabet.size()]);
                    break;
                case 1:
                    if (at < text.size()) text.erase(at, 1);
                    break;
                default:
                    if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()];
                    break;
            }
        }
        try {
            (void)parse_manifest_document(text, "fuzz.json");
            ++accepted;
        } catch (const ManifestError& e) {
            BOOST_TEST(!e.detail.empty());
        }
    }
    BOOST_TEST(accepted > 0);
}

BOOST_AUTO_TEST_CASE(hostile_documents)
{
    const std::vector<std::string> inputs = {
        "",
        std::string(1, '\0'),
        std::string(100000, '['),
        std::string(100000, '{'),
        "{\"node\": {\"name\": \"" + std::string(1 << 20, 'x') + "\"}}",
        "{\"plugins\": [" + std::string(50, '[') + "]}",
        "{\"node\": {\"name\": \"\\ud800\"}}",
        "{\"node\": {\"name\": \"n\", \"threads\": -1e999}}",
        "{\"" + std::string(1 << 20, 'k') + "\": 1}",
        std::string(17 << 20, ' '),
    };
    for (const auto& text : inputs) {
        BOOST_CHECK_THROW(parse_manifest_document(text, "hostile.json"), ManifestError);
    }
}

BOOST_AUTO_TEST_CASE(error_what_format)
{
    BOOST_TEST(std::string(ManifestError("f.json", "/a", "bad").what()) == "f.json: /a: bad");
    BOOST_TEST(std::string(ManifestError("f.json", "", "bad").what()) == "f.json: bad");
}

BOOST_AUTO_TEST_SUITE_END()
