// `net-mesh status` and `net-mesh ping` as an operator runs them: the real binary against an
// AdminServer in this process that answers with canned status and ping results, and against a
// socket nobody serves.
#define BOOST_TEST_MODULE net_mesh_status_cli
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "net/kernel/admin/admin_server.hpp"
#include "net_test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using net::kernel::admin::AdminServer;
using net::test::TempDir;

namespace {

const std::string kMesh = std::string(NET_TEST_BINARY_DIR) + "/kernel/app/net-mesh";

struct Result {
    int code;
    std::string output;
};

std::string quote(const std::string& s) { return "'" + s + "'"; }
std::string quote(const fs::path& p) { return quote(p.string()); }

// Runs `net-mesh <args>`; `redirect` says what happens to stderr (default: merged into output).
Result run(const std::string& args, const std::string& redirect = "2>&1", const std::string& env = "")
{
    const std::string cmd = env + " " + quote(kMesh) + " " + args + " " + redirect;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

const json kStatus = json::parse(R"({"ok":true,
 "node":{"name":"a","address":"0x1a2b3c4d5e6f","fingerprint":"a1b2-c3d4","endpoint":"127.0.0.1:7001","uptime_ms":1234},
 "peers":[{"name":"b","address":"0x0000000000b2","endpoint":"127.0.0.1:7002","health":"healthy","session":"established",
           "session_id":"0x51","rtt_us":120,"last_heard_ms":300,"packets_sent":10,"packets_received":9,"relayed":false}],
 "routes":[{"destination":"0x0000000000b2","next_hop":"0x0000000000b2","hops":1,"source":"direct","age_ms":100}],
 "streams":[{"peer":"0x0000000000b2","stream_id":1,"mode":"stream","events_sent":5,"events_delivered":5,"retransmits":0,
             "rtt_us":100,"cwnd":16,"credit_bytes":65536,"backpressure":0}],
 "counters":{"packets_forwarded":0,"packets_decrypted":12,"rejected_auth":0}})");

// A node stand-in: answers status with kStatus, and ping with a reply per probe (none for
// address 0x0dead), remembering the last ping request.
struct CannedNode {
    explicit CannedNode(fs::path socket) : server(std::move(socket), [this](const json& r) { return answer(r); })
    {
        server.start();
    }

    json answer(const json& request)
    {
        if (request["cmd"] == "status") return kStatus;
        if (request["cmd"] != "ping") return nullptr;
        {
            std::lock_guard lock(mutex);
            last_ping = request;
        }
        json replies = json::array();
        const int count = request.value("count", 0);
        if (request["address"] != "0x0dead") {
            for (int seq = 0; seq < count; ++seq) replies.push_back({{"seq", seq}, {"rtt_us", 150 + 100 * seq}, {"hops", 1}});
        }
        return {{"address", request["address"]}, {"replies", replies}, {"sent", count}, {"lost", count - static_cast<int>(replies.size())}};
    }

    json ping_request()
    {
        std::lock_guard lock(mutex);
        return last_ping;
    }

    std::mutex mutex;
    json last_ping;
    AdminServer server;
};

}  // namespace

BOOST_AUTO_TEST_CASE(status_prints_the_node_and_its_tables)
{
    TempDir t;
    CannedNode node(t.path() / "a.sock");
    const Result r = run("status --socket " + quote(node.server.path()));
    BOOST_TEST(r.code == 0, r.output);
    BOOST_TEST(contains(r.output, "node a (0x1a2b3c4d5e6f) at 127.0.0.1:7001, up 1.2 s, fingerprint a1b2-c3d4"), r.output);
    BOOST_TEST(contains(r.output, "peers (1)"), r.output);
    BOOST_TEST(contains(r.output, "b     0x0000000000b2  127.0.0.1:7002  healthy"), r.output);
    BOOST_TEST(contains(r.output, "routes (1)"), r.output);
    BOOST_TEST(contains(r.output, "streams (1)"), r.output);
    BOOST_TEST(contains(r.output, "packets_decrypted"), r.output);
}

BOOST_AUTO_TEST_CASE(status_json_prints_the_nodes_answer)
{
    TempDir t;
    CannedNode node(t.path() / "a.sock");
    const Result r = run("status --json --socket " + quote(node.server.path()), "2>/dev/null");
    BOOST_TEST(r.code == 0, r.output);
    BOOST_TEST(json::parse(r.output) == kStatus, r.output);
}

BOOST_AUTO_TEST_CASE(status_finds_the_socket_through_the_manifest)
{
    TempDir t;
    CannedNode node(t.path() / "admin.sock");
    // mesh.admin_socket is relative to the manifest's folder.
    const fs::path with_mesh = t.write("m.json", json{{"node", {{"name", "a"}}},
                                                      {"mesh", {{"identity", "a.key"}, {"admin_socket", "admin.sock"}}},
                                                      {"plugins", json::array()}}
                                                     .dump());
    const Result r = run("status " + quote(with_mesh) + " --json", "2>&1", "cd / &&");
    BOOST_TEST(r.code == 0, r.output);
    BOOST_TEST(contains(r.output, "\"fingerprint\": \"a1b2-c3d4\""), r.output);
}

BOOST_AUTO_TEST_CASE(status_defaults_to_the_node_name_in_xdg_runtime_dir)
{
    TempDir t;
    CannedNode node(t.path() / "net-mesh-alpha.sock");
    const fs::path manifest = t.write("m.json", json{{"node", {{"name", "alpha"}}}, {"plugins", json::array()}}.dump());
    const Result r = run("status " + quote(manifest), "2>&1", "XDG_RUNTIME_DIR=" + quote(t.path()));
    BOOST_TEST(r.code == 0, r.output);
    BOOST_TEST(contains(r.output, "node a (0x1a2b3c4d5e6f)"), r.output);
}

BOOST_AUTO_TEST_CASE(status_with_nothing_listening_fails_on_stderr)
{
    TempDir t;
    const fs::path socket = t.path() / "none.sock";
    const Result quiet = run("status --socket " + quote(socket), "2>/dev/null");
    BOOST_TEST(quiet.code == 1);
    BOOST_TEST(quiet.output.empty(), quiet.output);
    const Result r = run("status --socket " + quote(socket));
    BOOST_TEST(r.output == "net-mesh status: no node is serving " + socket.string() + " (not found)\n");
}

BOOST_AUTO_TEST_CASE(status_reports_an_error_answer)
{
    TempDir t;
    AdminServer server(t.path() / "a.sock", [](const json&) { return json{{"ok", false}, {"error", "mesh not started"}}; });
    server.start();
    const Result r = run("status --socket " + quote(server.path()));
    BOOST_TEST(r.code == 1);
    BOOST_TEST(contains(r.output, "net-mesh status: the node answered: mesh not started"), r.output);
}

BOOST_AUTO_TEST_CASE(ping_prints_replies_and_a_summary)
{
    TempDir t;
    CannedNode node(t.path() / "a.sock");
    const Result r = run("ping 0x1a2b3c4d5e6f --socket " + quote(node.server.path()) + " --count 2 --interval 50 --timeout 300");
    BOOST_TEST(r.code == 0, r.output);
    BOOST_TEST(r.output == "reply from 0x1a2b3c4d5e6f: seq=0 hops=1 time=0.150 ms\n"
                           "reply from 0x1a2b3c4d5e6f: seq=1 hops=1 time=0.250 ms\n"
                           "--- 0x1a2b3c4d5e6f: 2 sent, 2 received, 0% lost\n"
                           "rtt min/avg/p50/max = 0.150/0.200/0.150/0.250 ms\n");
    const json asked = node.ping_request();
    BOOST_TEST(asked["address"] == "0x1a2b3c4d5e6f");
    BOOST_TEST(asked["count"] == 2);
    BOOST_TEST(asked["interval_ms"] == 50);
    BOOST_TEST(asked["timeout_ms"] == 300);
}

BOOST_AUTO_TEST_CASE(ping_with_every_probe_lost_exits_1)
{
    TempDir t;
    CannedNode node(t.path() / "a.sock");
    const Result r = run("ping 0x0dead --socket " + quote(node.server.path()) + " --count 2");
    BOOST_TEST(r.code == 1, r.output);
    BOOST_TEST(contains(r.output, "no reply from 0x0dead: seq=1 (timed out after 1000 ms)"), r.output);
    BOOST_TEST(contains(r.output, "2 sent, 0 received, 100% lost"), r.output);

    const Result json_out = run("ping 0x0dead --json --socket " + quote(node.server.path()), "2>/dev/null");
    BOOST_TEST(json_out.code == 1);
    BOOST_TEST(json::parse(json_out.output)["sent"] == 3, "default count is 3");
}

BOOST_AUTO_TEST_CASE(ping_with_nothing_listening_exits_1)
{
    TempDir t;
    const Result r = run("ping 0x1 --socket " + quote(t.path() / "none.sock"));
    BOOST_TEST(r.code == 1);
    BOOST_TEST(contains(r.output, "net-mesh ping: no node is serving"), r.output);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    TempDir t;
    const std::string socket = " --socket " + quote(t.path() / "a.sock");
    const fs::path manifest = t.write("m.json", json{{"node", {{"name", "a"}}}, {"plugins", json::array()}}.dump());
    struct Case {
        std::string args;
        std::string message;
    };
    for (const Case& c : {Case{"status", "give either a manifest or --socket PATH"},
                          Case{"status " + quote(manifest) + socket, "not both"},
                          Case{"status --socket", "needs a value"},
                          Case{"status a b", "usage: net-mesh status"},
                          Case{"status --sockets x", "unknown option"},
                          Case{"ping" + socket, "usage: net-mesh ping"},
                          Case{"ping node-b" + socket, "is not a node address"},
                          Case{"ping 0x1234567890abc" + socket, "is not a node address"},
                          Case{"ping 0x12 --count 0" + socket, "--count expects a whole number from 1 to 1000, got \"0\""},
                          Case{"ping 0x12 --interval 1" + socket, "--interval expects"},
                          Case{"ping 0x12 --timeout x" + socket, "--timeout expects"}}) {
        const Result r = run(c.args);
        BOOST_TEST(r.code == 2, c.args << ": " << r.output);
        BOOST_TEST(contains(r.output, c.message), c.args << ": " << r.output);
    }
}

BOOST_AUTO_TEST_CASE(invalid_manifest_exits_3)
{
    TempDir t;
    const fs::path manifest = t.write("m.json", R"({"node": {"name": "a"}, "plugns": []})");
    const Result r = run("status " + quote(manifest));
    BOOST_TEST(r.code == 3, r.output);
    BOOST_TEST(contains(r.output, "net-mesh status: "), r.output);
}

BOOST_AUTO_TEST_CASE(help_describes_status_and_ping)
{
    for (const std::string args : {"--help", "status --help", "ping --help"}) {
        const Result r = run(args);
        BOOST_TEST(r.code == 0, args);
        BOOST_TEST(contains(r.output, "net-mesh status (<manifest> | --socket PATH) [--json]"), args);
        BOOST_TEST(contains(r.output, "net-mesh ping <address>"), args);
    }
}
