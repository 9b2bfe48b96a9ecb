// The admin socket: AdminServer and AdminClient over a real Unix socket in a temp folder — the
// protocol's answers to good and bad requests, concurrency, the socket file's life cycle and
// mode, client timeouts and errors — and the text rendering of status and ping answers.
#define BOOST_TEST_MODULE admin_socket
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/kernel/admin/admin_client.hpp"
#include "net/kernel/admin/admin_server.hpp"
#include "net/kernel/admin/status_format.hpp"
#include "net_test_support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using net::kernel::admin::admin_request;
using net::kernel::admin::AdminClient;
using net::kernel::admin::AdminError;
using net::kernel::admin::AdminServer;
using net::test::TempDir;

namespace {

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// echo: returns the request; sleep: waits "ms"; fail: throws "message"; refuse: answers ok:false.
json test_handler(const json& request)
{
    const std::string cmd = request["cmd"];
    if (cmd == "echo") return {{"echo", request}};
    if (cmd == "sleep") {
        std::this_thread::sleep_for(std::chrono::milliseconds(request.value("ms", 0)));
        return {{"slept", true}};
    }
    if (cmd == "fail") throw std::runtime_error(request.value("message", std::string("failed")));
    if (cmd == "refuse") return {{"ok", false}, {"error", "not now"}};
    return nullptr;
}

// A server on <tmp>/admin.sock, started.
struct Served {
    TempDir dir;
    fs::path socket = dir.path() / "admin.sock";
    AdminServer server{socket, test_handler};
    Served() { server.start(); }
};

// What a process that died without cleaning up leaves behind: a socket file nobody listens on.
void leave_stale_socket(const fs::path& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    BOOST_REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.native().copy(address.sun_path, sizeof(address.sun_path) - 1);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    ::close(fd);
    BOOST_REQUIRE(fs::is_socket(path));
}

std::string error_of(const json& answer) { return answer.value("error", std::string()); }

template <class Body>
std::string admin_error_message(Body&& body)
{
    try {
        body();
    } catch (const AdminError& e) {
        return e.what();
    }
    return "(no AdminError thrown)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(request_and_answer_round_trip)
{
    Served s;
    const json answer = admin_request(s.socket, {{"cmd", "echo"}, {"n", 7}, {"text", "grüße"}});
    BOOST_TEST(answer["ok"] == true);
    BOOST_TEST(answer["echo"]["n"] == 7);
    BOOST_TEST(answer["echo"]["text"] == "grüße");
}

BOOST_AUTO_TEST_CASE(one_connection_carries_several_requests)
{
    Served s;
    AdminClient client(s.socket);
    for (int i = 0; i < 5; ++i) {
        const json answer = client.request({{"cmd", "echo"}, {"i", i}});
        BOOST_TEST(answer["echo"]["i"] == i);
    }
}

BOOST_AUTO_TEST_CASE(handler_answers_ok_false_as_it_is)
{
    Served s;
    const json answer = admin_request(s.socket, {{"cmd", "refuse"}});
    BOOST_TEST(answer["ok"] == false);
    BOOST_TEST(error_of(answer) == "not now");
}

BOOST_AUTO_TEST_CASE(slow_requests_do_not_hold_up_other_clients)
{
    Served s;
    constexpr int kClients = 8;
    std::atomic<int> answered{0};
    const auto begin = std::chrono::steady_clock::now();
    std::vector<std::jthread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&] {
            if (admin_request(s.socket, {{"cmd", "sleep"}, {"ms", 300}})["slept"] == true) ++answered;
        });
    }
    clients.clear();  // joins
    const auto took = std::chrono::steady_clock::now() - begin;
    BOOST_TEST(answered.load() == kClients);
    BOOST_TEST((took < 8 * 300ms / 2), "8 requests of 300 ms took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}

BOOST_AUTO_TEST_CASE(bad_requests_get_errors_and_the_connection_stays_usable)
{
    Served s;
    AdminClient client(s.socket);
    // Raw lines go through a second, hand-written connection; AdminClient only sends valid JSON.
    auto raw = [&](const std::string& line) {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        s.socket.native().copy(address.sun_path, sizeof(address.sun_path) - 1);
        BOOST_REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
        const std::string text = line + "\n{\"cmd\":\"echo\"}\n";
        BOOST_REQUIRE(::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
        std::string received;
        char buf[4096];
        while (std::count(received.begin(), received.end(), '\n') < 2) {
            const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) break;
            received.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        std::istringstream lines(received);
        std::string first, second;
        std::getline(lines, first);
        std::getline(lines, second);
        BOOST_TEST(json::parse(second)["ok"] == true, "the request after the bad one is answered: " << received);
        return json::parse(first);
    };

    const json not_json = raw("{\"cmd\": ");
    BOOST_TEST(not_json["ok"] == false);
    BOOST_TEST(contains(error_of(not_json), "not valid JSON"), error_of(not_json));

    const json deep = raw(std::string(100, '[') + std::string(100, ']'));
    BOOST_TEST(contains(error_of(deep), "deeper than 64"), error_of(deep));

    const json not_object = raw("[1, 2]");
    BOOST_TEST(contains(error_of(not_object), "JSON object"), error_of(not_object));

    const json no_cmd = client.request({{"command", "status"}});
    BOOST_TEST(no_cmd["ok"] == false);
    BOOST_TEST(contains(error_of(no_cmd), "no \"cmd\""), error_of(no_cmd));

    const json unknown = client.request({{"cmd", "frobnicate"}});
    BOOST_TEST(unknown["ok"] == false);
    BOOST_TEST(error_of(unknown) == "unknown command \"frobnicate\"");

    BOOST_TEST(client.request({{"cmd", "echo"}})["ok"] == true);
}

BOOST_AUTO_TEST_CASE(handler_exception_becomes_an_error_answer)
{
    Served s;
    AdminClient client(s.socket);
    const json answer = client.request({{"cmd", "fail"}, {"message", "peer 0x12 is not known"}});
    BOOST_TEST(answer["ok"] == false);
    BOOST_TEST(error_of(answer) == "peer 0x12 is not known");
    BOOST_TEST(client.request({{"cmd", "echo"}})["ok"] == true);
}

BOOST_AUTO_TEST_CASE(request_line_over_64_kib_is_refused_and_the_connection_closed)
{
    Served s;
    AdminClient client(s.socket);
    const json answer = client.request({{"cmd", "echo"}, {"pad", std::string(70 * 1024, 'x')}});
    BOOST_TEST(answer["ok"] == false);
    BOOST_TEST(contains(error_of(answer), "longer than 65536 bytes"), error_of(answer));
    BOOST_CHECK_THROW(client.request({{"cmd", "echo"}}), AdminError);

    // Just under the limit is fine.
    const json fits = admin_request(s.socket, {{"cmd", "echo"}, {"pad", std::string(60 * 1024, 'x')}});
    BOOST_TEST(fits["ok"] == true);
}

BOOST_AUTO_TEST_CASE(socket_is_owner_only)
{
    Served s;
    struct stat st {};
    BOOST_REQUIRE(::stat(s.socket.c_str(), &st) == 0);
    BOOST_TEST(S_ISSOCK(st.st_mode));
    BOOST_TEST((st.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_CASE(stop_removes_the_socket_and_start_works_again)
{
    Served s;
    BOOST_TEST(fs::exists(s.socket));
    s.server.stop();
    BOOST_TEST(!fs::exists(s.socket));
    BOOST_TEST(!s.server.running());
    s.server.stop();  // idempotent
    s.server.start();
    BOOST_TEST(admin_request(s.socket, {{"cmd", "echo"}})["ok"] == true);
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_connections_promptly)
{
    Served s;
    AdminClient idle(s.socket);
    BOOST_TEST(idle.request({{"cmd", "echo"}})["ok"] == true);
    const auto begin = std::chrono::steady_clock::now();
    s.server.stop();
    BOOST_TEST((std::chrono::steady_clock::now() - begin < 1s));
    BOOST_CHECK_THROW(idle.request({{"cmd", "echo"}}, 500ms), AdminError);
}

BOOST_AUTO_TEST_CASE(stale_socket_of_a_dead_server_is_replaced)
{
    TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    leave_stale_socket(socket);
    AdminServer server(socket, test_handler);
    server.start();
    BOOST_TEST(admin_request(socket, {{"cmd", "echo"}})["ok"] == true);
}

BOOST_AUTO_TEST_CASE(second_server_on_a_live_socket_is_refused)
{
    Served s;
    AdminServer second(s.socket, test_handler);
    const std::string message = admin_error_message([&] { second.start(); });
    BOOST_TEST(contains(message, s.socket.string()), message);
    BOOST_TEST(contains(message, "another node is already serving it"), message);
    BOOST_TEST(admin_request(s.socket, {{"cmd", "echo"}})["ok"] == true, "the first server still answers");
}

BOOST_AUTO_TEST_CASE(missing_folder_and_non_socket_file_are_refused)
{
    TempDir dir;
    AdminServer in_missing(dir.path() / "nope" / "admin.sock", test_handler);
    const std::string missing = admin_error_message([&] { in_missing.start(); });
    BOOST_TEST(contains(missing, "does not exist"), missing);
    BOOST_TEST(!fs::exists(dir.path() / "nope"));

    const fs::path file = dir.write("admin.sock", "not a socket");
    AdminServer on_file(file, test_handler);
    const std::string in_the_way = admin_error_message([&] { on_file.start(); });
    BOOST_TEST(contains(in_the_way, "not a socket"), in_the_way);
    BOOST_TEST(fs::is_regular_file(file), "the file is left alone");
}

BOOST_AUTO_TEST_CASE(too_long_path_is_refused_clearly)
{
    TempDir dir;
    AdminServer server(dir.path() / (std::string(120, 'a') + ".sock"), test_handler);
    const std::string message = admin_error_message([&] { server.start(); });
    BOOST_TEST(contains(message, "a Unix socket path must be 1 to 107 bytes"), message);
}

BOOST_AUTO_TEST_CASE(client_times_out_on_a_slow_answer)
{
    Served s;
    const auto begin = std::chrono::steady_clock::now();
    const std::string message =
        admin_error_message([&] { AdminClient(s.socket).request({{"cmd", "sleep"}, {"ms", 1500}}, 200ms); });
    const auto took = std::chrono::steady_clock::now() - begin;
    BOOST_TEST(contains(message, "timed out after 200 ms"), message);
    BOOST_TEST((took < 1000ms));
}

BOOST_AUTO_TEST_CASE(client_says_when_no_node_is_serving)
{
    TempDir dir;
    const fs::path socket = dir.path() / "admin.sock";
    const std::string absent = admin_error_message([&] { AdminClient client(socket); });
    BOOST_TEST(absent == "no node is serving " + socket.string() + " (not found)");

    leave_stale_socket(socket);
    const std::string refused = admin_error_message([&] { AdminClient client(socket); });
    BOOST_TEST(refused == "no node is serving " + socket.string() + " (connection refused)");
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_cap_are_told_the_node_is_busy)
{
    Served s;
    std::vector<AdminClient> open;
    for (std::size_t i = 0; i < net::kernel::admin::kMaxAdminConnections; ++i) {
        open.emplace_back(s.socket);
        BOOST_REQUIRE(open.back().request({{"cmd", "echo"}})["ok"] == true);
    }
    const json busy = admin_request(s.socket, {{"cmd", "echo"}});
    BOOST_TEST(busy["ok"] == false);
    BOOST_TEST(contains(error_of(busy), "busy"), error_of(busy));

    open.pop_back();  // a slot frees up once the server notices the hang-up
    BOOST_TEST(net::test::eventually([&] { return admin_request(s.socket, {{"cmd", "echo"}})["ok"] == true; }));
}

BOOST_AUTO_TEST_CASE(default_socket_path_uses_xdg_runtime_dir_and_a_safe_name)
{
    const char* saved = std::getenv("XDG_RUNTIME_DIR");
    const std::string restore = saved != nullptr ? saved : "";
    ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    BOOST_TEST(net::kernel::admin::default_admin_socket("a").string() == "/run/user/1000/net-mesh-a.sock");
    BOOST_TEST(net::kernel::admin::default_admin_socket("../x y").string() == "/run/user/1000/net-mesh-.._x_y.sock");
    ::unsetenv("XDG_RUNTIME_DIR");
    BOOST_TEST(net::kernel::admin::default_admin_socket("node-1").string() == "/tmp/net-mesh-node-1.sock");
    if (saved != nullptr) ::setenv("XDG_RUNTIME_DIR", restore.c_str(), 1);
}

BOOST_AUTO_TEST_CASE(manifest_names_the_socket_relative_to_its_folder)
{
    net::kernel::Manifest m;
    m.file = "/etc/net/node.json";
    m.node.name = "a";
    m.merged = {{"mesh", {{"identity", "a.key"}, {"admin_socket", "run/admin.sock"}}}};
    BOOST_TEST(net::kernel::admin::admin_socket_for(m).string() == "/etc/net/run/admin.sock");
    m.merged["mesh"]["admin_socket"] = "/run/net/a.sock";
    BOOST_TEST(net::kernel::admin::admin_socket_for(m).string() == "/run/net/a.sock");
    m.merged["mesh"].erase("admin_socket");
    BOOST_TEST(net::kernel::admin::admin_socket_for(m) == net::kernel::admin::default_admin_socket("a"));
}

// --- text rendering ---

namespace {

const json kStatus = json::parse(R"({"ok":true,
 "node":{"name":"a","address":"0x1a2b3c4d5e6f","fingerprint":"a1b2-c3d4","endpoint":"127.0.0.1:7001","uptime_ms":125000},
 "peers":[{"name":"b","address":"0x0000000000b2","endpoint":"127.0.0.1:7002","health":"healthy","session":"established",
           "session_id":"0x51","rtt_us":120,"last_heard_ms":300,"packets_sent":10,"packets_received":9,"relayed":false},
          {"name":"charlie","address":"0x0000000000c3","health":"suspected","session":"handshaking",
           "rtt_us":2500,"last_heard_ms":12500,"packets_sent":1234,"packets_received":0,"relayed":true}],
 "routes":[{"destination":"0x0000000000c3","next_hop":"0x0000000000b2","hops":2,"source":"flood","age_ms":100}],
 "streams":[],
 "counters":{"packets_forwarded":0,"packets_decrypted":12,"rejected_auth":3}})");

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

const std::string& line_with(const std::vector<std::string>& lines, const std::string& needle)
{
    for (const auto& l : lines) {
        if (contains(l, needle)) return l;
    }
    BOOST_FAIL("no line contains \"" << needle << "\"");
    throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_CASE(status_text_has_a_header_and_aligned_tables)
{
    const std::string text = net::kernel::admin::format_status(kStatus);
    BOOST_TEST_MESSAGE(text);
    const auto lines = lines_of(text);
    BOOST_REQUIRE(!lines.empty());
    BOOST_TEST(lines[0] == "node a (0x1a2b3c4d5e6f) at 127.0.0.1:7001, up 2 min 5 s, fingerprint a1b2-c3d4");

    const std::string& header = line_with(lines, "HEALTH");
    const std::string& b = line_with(lines, "0x0000000000b2  127.0.0.1:7002");
    const std::string& charlie = line_with(lines, "charlie");
    // Text columns start together, number columns end together.
    BOOST_TEST(header.find("HEALTH") == b.find("healthy"));
    BOOST_TEST(header.find("HEALTH") == charlie.find("suspected"));
    BOOST_TEST(header.find("SESSION ID") == b.find("0x51"));
    BOOST_TEST(header.find("SENT") + 4 == b.find("10 ") + 2);
    BOOST_TEST(header.find("SENT") + 4 == charlie.find("1234") + 4);
    BOOST_TEST(contains(b, "0.120 ms"));
    BOOST_TEST(contains(b, "300 ms"));
    BOOST_TEST(contains(charlie, "2.500 ms"));
    BOOST_TEST(contains(charlie, "12.5 s"));
    BOOST_TEST(contains(charlie, "127.0.0.1:7002") == false);
    BOOST_TEST(charlie.find(" - ") == header.find("ENDPOINT") - 1, "a missing endpoint shows as -");
    BOOST_TEST((contains(b, " no") && contains(charlie, " yes")));

    BOOST_TEST(contains(text, "peers (2)"));
    BOOST_TEST(contains(text, "routes (1)"));
    BOOST_TEST(contains(text, "streams: none"));
    const std::string& route = line_with(lines, "flood");
    BOOST_TEST(contains(route, "0x0000000000c3  0x0000000000b2"));
    BOOST_TEST(contains(route, "100 ms"));

    const std::string& counter_header = line_with(lines, "COUNTER");
    const std::string& decrypted = line_with(lines, "packets_decrypted");
    const std::string& rejected = line_with(lines, "rejected_auth");
    BOOST_TEST(decrypted.size() == counter_header.size());
    BOOST_TEST(rejected.size() == counter_header.size());
    BOOST_TEST(decrypted.substr(decrypted.size() - 2) == "12");
}

BOOST_AUTO_TEST_CASE(status_text_survives_a_partial_answer)
{
    const std::string text = net::kernel::admin::format_status({{"ok", true}, {"peers", {{{"name", "x"}}}}});
    BOOST_TEST(contains(text, "node - (-) at -, fingerprint -"), text);
    BOOST_TEST(contains(text, "peers (1)"), text);
    BOOST_TEST(contains(text, "routes: none"), text);
    BOOST_TEST(contains(text, "counters: none"), text);
}

BOOST_AUTO_TEST_CASE(ping_text_lists_replies_losses_and_a_summary)
{
    const json answer = json::parse(R"({"ok":true,"address":"0x1a2b3c4d5e6f","sent":4,"lost":1,
        "replies":[{"seq":0,"rtt_us":153,"hops":1},{"seq":1,"rtt_us":300,"hops":1},{"seq":3,"rtt_us":120,"hops":2}]})");
    const auto report = net::kernel::admin::format_ping(answer, 1000);
    BOOST_TEST(report.sent == 4u);
    BOOST_TEST(report.received == 3u);
    BOOST_TEST(report.text == "reply from 0x1a2b3c4d5e6f: seq=0 hops=1 time=0.153 ms\n"
                              "reply from 0x1a2b3c4d5e6f: seq=1 hops=1 time=0.300 ms\n"
                              "no reply from 0x1a2b3c4d5e6f: seq=2 (timed out after 1000 ms)\n"
                              "reply from 0x1a2b3c4d5e6f: seq=3 hops=2 time=0.120 ms\n"
                              "--- 0x1a2b3c4d5e6f: 4 sent, 3 received, 25% lost\n"
                              "rtt min/avg/p50/max = 0.120/0.191/0.153/0.300 ms\n");
}

BOOST_AUTO_TEST_CASE(ping_text_when_everything_was_lost)
{
    const auto report =
        net::kernel::admin::format_ping({{"ok", true}, {"address", "0x2"}, {"sent", 2}, {"replies", json::array()}});
    BOOST_TEST(report.received == 0u);
    BOOST_TEST(report.text == "no reply from 0x2: seq=0\nno reply from 0x2: seq=1\n--- 0x2: 2 sent, 0 received, 100% lost\n");
}
