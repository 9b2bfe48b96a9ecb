// Channels as an operator uses them: three real `net-mesh run` processes a — b — c on loopback
// (a and c know no address for each other), tokens signed by a root key with `net-mesh token
// issue`, then `net-mesh subscribe`, `net-mesh publish` and `net-mesh log tail` against the
// running nodes. c persists "chat" to RedEX on disk; b holds no token and is told why.
#define BOOST_TEST_MODULE channels_cli
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mesh_lab.hpp"
#include "net_test_support.hpp"

extern char** environ;

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kMesh = std::string(NET_TEST_BINARY_DIR) + "/kernel/app/net-mesh";

struct Result {
    int code;
    std::string output;
};

std::string quote(const std::string& s) { return "'" + s + "'"; }
std::string quote(const fs::path& p) { return quote(p.string()); }

Result run(const std::string& args, const std::string& redirect = "2>&1")
{
    const std::string cmd = quote(kMesh) + " " + args + " " + redirect;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed");
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::vector<json> json_lines(const std::string& text)
{
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.front() == '{') out.push_back(json::parse(line));
    }
    return out;
}

struct NodeFiles {
    std::string name;
    std::uint16_t port = 0;
    json id;  // `identity show --json`
    fs::path manifest;
    fs::path log;
    pid_t pid = -1;
};

// Three nodes in a line, each a `net-mesh run` child process.
class Line {
public:
    Line()
    {
        const fs::path psk = dir_.path() / "psk";
        {
            std::ofstream(psk) << "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        }
        fs::permissions(psk, fs::perms::owner_read | fs::perms::owner_write);
        for (const char* name : {"root", "a", "b", "c"}) {
            const fs::path key = dir_.path() / (std::string(name) + ".key");
            BOOST_REQUIRE_EQUAL(run("identity generate " + quote(key)).code, 0);
            const Result shown = run("identity show " + quote(key) + " --json", "2>/dev/null");
            BOOST_REQUIRE_EQUAL(shown.code, 0);
            ids_[name] = json::parse(shown.output);
        }
        issue("a", "publish", "a-chat.token");
        issue("c", "subscribe", "c-chat.token");
        for (const char* name : {"a", "b", "c"}) {
            NodeFiles& n = nodes_[name];
            n.name = name;
            n.port = net::test::reserve_udp_port();
            n.id = ids_[name];
            n.manifest = dir_.path() / (std::string(name) + ".json");
            n.log = dir_.path() / (std::string(name) + ".log");
        }
        write_manifest("a", {{"b", true}, {"c", false}}, {{"tokens", {"a-chat.token"}}});
        write_manifest("b", {{"a", true}, {"c", true}}, json::object());
        write_manifest("c", {{"b", true}, {"a", false}},
                       {{"tokens", {"c-chat.token"}}, {"persist", {{{"channel", "chat"}}}}},
                       {{{"name", "log"},
                         {"library", "net-redex"},
                         {"config", {{"directory", (dir_.path() / "redex-c").string()}, {"fsync", "every"}}}}});
        for (const char* name : {"b", "a", "c"}) start(nodes_[name]);
        for (const char* name : {"a", "b", "c"}) wait_until_serving(nodes_[name]);
        // a reaches c through b once the pingwaves have spread.
        BOOST_REQUIRE(net::test::eventually(
            [&] { return contains(run("ping " + address("c") + " " + quote(nodes_["a"].manifest) + " --count 1").output, "1 received"); },
            std::chrono::seconds(15)));
    }

    ~Line()
    {
        for (auto& [name, n] : nodes_) {
            if (n.pid > 0) ::kill(n.pid, SIGINT);
        }
        for (auto& [name, n] : nodes_) {
            if (n.pid > 0) ::waitpid(n.pid, nullptr, 0);
        }
    }

    // Stops every node with SIGINT; true when all exited 0.
    bool stop_all()
    {
        bool clean = true;
        for (auto& [name, n] : nodes_) ::kill(n.pid, SIGINT);
        for (auto& [name, n] : nodes_) {
            int status = 0;
            ::waitpid(n.pid, &status, 0);
            n.pid = -1;
            clean = clean && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
        return clean;
    }

    std::string manifest(const std::string& name) { return quote(nodes_.at(name).manifest); }
    std::string address(const std::string& name) { return ids_.at(name)["address"].get<std::string>(); }
    fs::path path(const std::string& file) const { return dir_.path() / file; }
    std::string node_log(const std::string& name)
    {
        std::ifstream in(nodes_.at(name).log);
        return {std::istreambuf_iterator<char>(in), {}};
    }

private:
    void issue(const std::string& subject, const std::string& scope, const std::string& file)
    {
        const Result r = run("token issue --key " + quote(dir_.path() / "root.key") + " --subject " +
                             quote(dir_.path() / (subject + ".key")) + " --channel chat --scope " + scope +
                             " --ttl 1h --out " + quote(dir_.path() / file));
        BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
    }

    void write_manifest(const std::string& name, const std::vector<std::pair<std::string, bool>>& peers,
                        json channels, json extra_plugins = json::array())
    {
        NodeFiles& n = nodes_[name];
        json peer_list = json::array();
        for (const auto& [peer, with_endpoint] : peers) {
            json p{{"name", peer},
                   {"entity_key", ids_[peer]["entity_public"]},
                   {"static_key", ids_[peer]["static_public"]}};
            if (with_endpoint) p["endpoint"] = "127.0.0.1:" + std::to_string(nodes_[peer].port);
            peer_list.push_back(p);
        }
        channels["trust"] = {ids_["root"]["entity_public"]};
        channels["announce_interval_ms"] = 200;
        channels["entry_ttl_ms"] = 1000;
        json plugins = json::array({{{"name", "udp"},
                                     {"library", "net-transport-udp"},
                                     {"config", {{"bind", "127.0.0.1:" + std::to_string(n.port)}}}},
                                    {{"name", "stream"}, {"library", "net-reliability-stream"}},
                                    {{"name", "fire"}, {"library", "net-reliability-fire"}}});
        for (const auto& p : extra_plugins) plugins.push_back(p);
        const json manifest{{"node", {{"name", "chan-" + name}, {"threads", 2}}},
                            {"mesh",
                             {{"identity", name + ".key"},
                              {"psk_file", "psk"},
                              {"admin_socket", name + ".sock"},
                              {"heartbeat_interval_ms", 200},
                              {"session_timeout_ms", 2000},
                              {"pingwave_interval_ms", 100},
                              {"peers", peer_list}}},
                            {"channels", channels},
                            {"plugins", plugins}};
        std::ofstream(n.manifest) << manifest.dump(2);
    }

    void start(NodeFiles& n)
    {
        const std::string manifest = n.manifest.string();
        const std::string log = n.log.string();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        std::vector<char*> argv{const_cast<char*>(kMesh.c_str()), const_cast<char*>("run"),
                                const_cast<char*>(manifest.c_str()), nullptr};
        const int rc = posix_spawn(&n.pid, kMesh.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        BOOST_REQUIRE_EQUAL(rc, 0);
    }

    void wait_until_serving(const NodeFiles& n)
    {
        const bool up = net::test::eventually(
            [&] { return run("status " + quote(n.manifest) + " --json", "2>/dev/null").code == 0; },
            std::chrono::seconds(10));
        BOOST_REQUIRE_MESSAGE(up, "node " + n.name + " did not start:\n" + node_log(n.name));
    }

    net::test::TempDir dir_;
    std::map<std::string, json> ids_;
    std::map<std::string, NodeFiles> nodes_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(published_events_reach_the_token_holding_subscriber_through_the_relay_and_its_log)
{
    Line line;
    // c subscribes (its manifest holds a chain granting it subscribe on chat).
    auto subscriber = std::async(std::launch::async, [&] {
        return run("subscribe chat " + line.manifest("c") + " --count 3 --timeout 15000");
    });
    // b holds no token: its own node refuses, and says why.
    const Result refused = run("subscribe chat " + line.manifest("b") + " --count 1 --timeout 2000");
    BOOST_TEST(refused.code == 1, refused.output);
    BOOST_TEST(contains(refused.output, "absent"), refused.output);

    // a publishes once c's subscription has reached it (announced every 200 ms).
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    const Result published =
        run("publish chat " + line.manifest("a"), "2>&1 <<'EOF'\nfirst\nsecond\nthird\nEOF");
    BOOST_TEST(published.code == 0, published.output);
    BOOST_TEST(contains(published.output, "published 3 events on chat"), published.output);

    const Result got = subscriber.get();
    BOOST_TEST(got.code == 0, got.output);
    const auto events = json_lines(got.output);
    BOOST_REQUIRE_EQUAL(events.size(), 3u);
    const std::vector<std::string> expected{"first", "second", "third"};
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(events[i]["channel"] == "chat");
        BOOST_TEST(events[i]["payload"] == expected[i]);
        BOOST_TEST(events[i]["source"] == line.address("a"));
    }

    // c persisted them: log tail shows the three entries in order.
    BOOST_REQUIRE(net::test::eventually(
        [&] { return json_lines(run("log tail chat " + line.manifest("c"), "2>&1").output).size() == 3; },
        std::chrono::seconds(5)));
    const auto entries = json_lines(run("log tail chat " + line.manifest("c")).output);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(entries[i]["sequence"] == i);
        BOOST_TEST(entries[i]["payload"] == expected[i]);
    }
    BOOST_TEST(line.stop_all(), line.node_log("a") + line.node_log("b") + line.node_log("c"));
}

BOOST_AUTO_TEST_CASE(a_node_refuses_to_publish_without_a_chain_granting_it_publish)
{
    Line line;
    // c's chain grants subscribe to c: a presenting it to publish is refused with the reason.
    const Result r = run("publish chat " + line.manifest("a") + " --message hi --token " +
                         quote(line.path("c-chat.token")));
    BOOST_TEST(r.code == 1, r.output);
    BOOST_TEST(contains(r.output, "refuses to publish on chat"), r.output);
    // b has no chain at all.
    const Result none = run("publish chat " + line.manifest("b") + " --message hi");
    BOOST_TEST(none.code == 1, none.output);
    BOOST_TEST(contains(none.output, "absent"), none.output);
    // A bad channel name is a usage problem the node explains.
    const Result bad = run("publish 'no//such' " + line.manifest("a") + " --message hi");
    BOOST_TEST(bad.code == 1, bad.output);
    BOOST_TEST(contains(bad.output, "empty segment"), bad.output);
    BOOST_TEST(line.stop_all());
}
