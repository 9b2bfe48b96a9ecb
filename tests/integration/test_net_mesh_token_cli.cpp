// `net-mesh token issue|inspect` as an operator runs them: the real binary issues a root token and
// a delegated one, inspect shows every link and the verdict against a trusted root, a channel and
// a subject; refusals exit 1 with the reason; bad input exits 2 or 3 with one message.
#define BOOST_TEST_MODULE net_mesh_token_cli
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/crypto/identity.hpp"
#include "net/kernel/token/verify.hpp"
#include "net/kernel/wire/hex.hpp"
#include "net_test_support.hpp"

namespace fs = std::filesystem;
using net::test::TempDir;
using namespace net::kernel;

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
    BOOST_REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string read(const fs::path& p)
{
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Keys {
    TempDir dir;
    fs::path root = dir.path() / "root.key";
    fs::path relay = dir.path() / "relay.key";
    fs::path leaf = dir.path() / "leaf.key";
    crypto::Identity root_id = crypto::Identity::generate();
    crypto::Identity relay_id = crypto::Identity::generate();
    crypto::Identity leaf_id = crypto::Identity::generate();
    std::string root_hex = wire::hex_string(root_id.entity_public());
    Keys()
    {
        root_id.save(root);
        relay_id.save(relay);
        leaf_id.save(leaf);
    }
    std::string node_id(const crypto::Identity& id) const
    {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id.derived().node_id));
        return text;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(issue_a_delegated_chain_and_inspect_every_link)
{
    Keys k;
    const fs::path relay_tok = k.dir.path() / "relay.tok";
    const fs::path leaf_tok = k.dir.path() / "leaf.tok";
    Result r = run("token issue --key " + quote(k.root) + " --subject " + quote(k.relay) +
                   " --channel '*' --scope publish,subscribe,delegate --ttl 2h --depth 2 --out " + quote(relay_tok));
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
    BOOST_TEST(contains(r.output, "1 link"), r.output);
    r = run("token issue --key " + quote(k.relay) + " --subject " + k.node_id(k.leaf_id) +
            " --channel Sensors.Temp --scope subscribe --ttl 30m --parent " + quote(relay_tok) + " --out " + quote(leaf_tok));
    BOOST_REQUIRE_MESSAGE(r.code == 0, r.output);
    BOOST_TEST(contains(r.output, "2 links"), r.output);

    // The file is one line of the documented text form and decodes to the chain the CLI described.
    const std::string text = read(leaf_tok);
    BOOST_TEST(text.rfind("net-token-v1.", 0) == 0u);
    BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 1);
    const auto chain = token::from_text(text);
    BOOST_REQUIRE(chain.has_value());
    BOOST_REQUIRE(chain->size() == 2u);
    BOOST_TEST((chain->links[0].issuer == k.root_id.entity_public()));
    BOOST_TEST((chain->links[1].issuer == k.relay_id.entity_public()));
    BOOST_TEST(chain->links[1].subject.node_id() == k.leaf_id.derived().node_id);
    BOOST_TEST(chain->links[1].not_after - chain->links[1].not_before == 1800);
    token::Request req;
    req.channel_hash = channel::ChannelName::from("sensors/temp").hash64();
    req.scope = token::scope::subscribe;
    req.presenter = k.leaf_id.derived().address;
    req.now = token::unix_now();
    BOOST_TEST(token::verify(*chain, req, token::TrustConfig{{k.root_id.entity_public()}, 30}).ok());

    r = run("token inspect " + quote(leaf_tok) + " --trust " + k.root_hex + " --channel sensors/temp --scope subscribe --subject " +
            quote(k.leaf));
    BOOST_TEST(r.code == 0, r.output);
    BOOST_TEST(contains(r.output, "token chain: 2 links"), r.output);
    BOOST_TEST(contains(r.output, "link 0 (root)"), r.output);
    BOOST_TEST(contains(r.output, "link 1 (leaf)"), r.output);
    BOOST_TEST(contains(r.output, k.root_hex), r.output);
    BOOST_TEST(contains(r.output, "publish,subscribe,delegate"), r.output);
    BOOST_TEST(contains(r.output, "* (any channel)"), r.output);
    BOOST_TEST(contains(r.output, "(matches sensors/temp)"), r.output);
    BOOST_TEST(contains(r.output, "node " + k.node_id(k.leaf_id)), r.output);
    BOOST_TEST(contains(r.output, "signature: valid"), r.output);
    BOOST_TEST(contains(r.output, "verdict: valid"), r.output);

    // JSON from stdin.
    r = run("token inspect - --json --trust " + quote(k.root) + " < " + quote(leaf_tok), "2>/dev/null");
    BOOST_TEST(r.code == 0, r.output);
    const auto doc = nlohmann::json::parse(r.output);
    BOOST_TEST(doc["links"].size() == 2u);
    BOOST_TEST(doc["links"][1]["subject_node_id"] == k.node_id(k.leaf_id));
    BOOST_TEST(doc["links"][0]["channel_hash"] == "*");
    BOOST_TEST(doc["verdict"]["ok"] == true);
    BOOST_TEST(doc["verdict"]["root_checked"] == true);
}

BOOST_AUTO_TEST_CASE(inspect_reports_each_refusal_with_exit_1)
{
    Keys k;
    const fs::path tok = k.dir.path() / "t.tok";
    BOOST_REQUIRE(run("token issue --key " + quote(k.root) + " --subject " + quote(k.leaf) +
                      " --channel sensors/temp --scope subscribe --ttl 1h --out " + quote(tok))
                      .code == 0);
    const auto other = crypto::Identity::generate();
    const struct {
        std::string args;
        std::string expect;
    } cases[] = {
        {"--trust " + wire::hex_string(other.entity_public()), "link 0: untrusted_root"},
        {"--trust " + k.root_hex + " --channel sensors/humidity", "link 0: wrong_channel"},
        {"--trust " + k.root_hex + " --scope publish", "link 0: missing_scope"},
        {"--trust " + k.root_hex + " --subject " + quote(k.relay), "link 0: wrong_subject"},
        {"--trust " + k.root_hex + " --at +2h", "link 0: expired"},
        {"--trust " + k.root_hex + " --at -1h", "link 0: not_yet_valid"},
    };
    for (const auto& c : cases) {
        const Result r = run("token inspect " + quote(tok) + " " + c.args);
        BOOST_TEST(r.code == 1, c.args << "\n" << r.output);
        BOOST_TEST(contains(r.output, "verdict: " + c.expect), c.args << "\n" << r.output);
    }
    // A forged signature: flip one character of the signature part of the text.
    std::string text = read(tok);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    text[text.size() - 10] = text[text.size() - 10] == 'A' ? 'B' : 'A';
    const fs::path forged = k.dir.path() / "forged.tok";
    std::ofstream(forged) << text << "\n";
    const Result r = run("token inspect " + quote(forged) + " --trust " + k.root_hex);
    BOOST_TEST(r.code == 1, r.output);
    BOOST_TEST(contains(r.output, "signature: INVALID"), r.output);
    BOOST_TEST(contains(r.output, "verdict: link 0: bad_signature"), r.output);
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_or_3_with_one_message)
{
    Keys k;
    const fs::path tok = k.dir.path() / "t.tok";
    const std::string base = "token issue --key " + quote(k.root) + " --subject " + quote(k.leaf);
    const struct {
        std::string args;
        int code;
        std::string expect;
    } cases[] = {
        {base + " --channel 'a//b' --scope subscribe --ttl 1h", 2, "empty segment"},
        {base + " --channel a --scope subscribe,root --ttl 1h", 2, "unknown right \"root\""},
        {base + " --channel a --scope subscribe --ttl soon", 2, "--ttl"},
        {base + " --channel a --scope subscribe --ttl 1h --depth 8", 2, "--depth"},
        {base + " --channel a --scope subscribe", 2, "--ttl is required"},
        {"token issue --key " + quote(k.dir.path() / "missing.key") + " --subject " + quote(k.leaf) +
             " --channel a --scope subscribe --ttl 1h",
         3, "missing.key"},
        {"token issue --key " + quote(k.root) + " --subject nobody --channel a --scope subscribe --ttl 1h", 2, "--subject"},
        {"token inspect " + quote(k.dir.path() / "none.tok"), 3, "cannot read"},
        {"token inspect " + quote(k.root), 3, "not a token chain"},
        {"token frobnicate", 2, "usage"},
        {"token issue --bogus 1", 2, "unknown option"},
    };
    for (const auto& c : cases) {
        const Result r = run(c.args);
        BOOST_TEST(r.code == c.code, c.args << "\n" << r.output);
        BOOST_TEST(contains(r.output, c.expect), c.args << "\n" << r.output);
    }
    // Delegation that widens its parent is refused before anything is written.
    BOOST_REQUIRE(run(base + " --channel sensors/temp --scope subscribe,delegate --ttl 1h --depth 1 --out " + quote(tok)).code == 0);
    const fs::path child = k.dir.path() / "child.tok";
    Result r = run("token issue --key " + quote(k.leaf) + " --subject " + quote(k.relay) +
                   " --channel sensors/temp --scope publish --ttl 10m --parent " + quote(tok) + " --out " + quote(child));
    BOOST_TEST(r.code == 2, r.output);
    BOOST_TEST(contains(r.output, "scope_widened"), r.output);
    BOOST_TEST(!fs::exists(child));
    r = run("token issue --key " + quote(k.relay) + " --subject " + quote(k.relay) +
            " --channel sensors/temp --scope subscribe --ttl 10m --parent " + quote(tok));
    BOOST_TEST(r.code == 2, r.output);
    BOOST_TEST(contains(r.output, "broken_chain"), r.output);
    r = run("token issue --key " + quote(k.leaf) + " --subject " + quote(k.relay) +
            " --channel sensors/temp --scope subscribe --ttl 2h --parent " + quote(tok));
    BOOST_TEST(r.code == 2, r.output);
    BOOST_TEST(contains(r.output, "validity window"), r.output);
    // --out does not overwrite without --force.
    r = run(base + " --channel a --scope subscribe --ttl 1h --out " + quote(tok));
    BOOST_TEST(r.code == 2, r.output);
    BOOST_TEST(contains(r.output, "--force"), r.output);
    BOOST_TEST(run(base + " --channel a --scope subscribe --ttl 1h --force --out " + quote(tok)).code == 0);
}

BOOST_AUTO_TEST_CASE(not_before_forms)
{
    Keys k;
    for (const std::string nb : {"now", "1700000000", "+10m", "-1h", "2030-01-02T03:04:05Z"}) {
        const Result r = run("token issue --key " + quote(k.root) + " --subject " + quote(k.leaf) +
                             " --channel a --scope subscribe --ttl 1h --not-before " + nb, "2>&1");
        BOOST_TEST(r.code == 0, nb << "\n" << r.output);
        const auto chain = token::from_text(r.output);
        BOOST_REQUIRE(chain.has_value());
        if (nb == "1700000000") BOOST_TEST(chain->links[0].not_before == 1700000000);
        if (nb == "2030-01-02T03:04:05Z") BOOST_TEST(chain->links[0].not_before == 1893553445);
    }
    const Result r = run("token issue --key " + quote(k.root) + " --subject " + quote(k.leaf) +
                         " --channel a --scope subscribe --ttl 1h --not-before yesterday");
    BOOST_TEST(r.code == 2, r.output);
}
