// `net-mesh token issue|inspect`: permission tokens and their delegation chains (docs/tokens.md).
#include <ctime>
#include <iomanip>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/channel/channel_name.hpp"
#include "net/kernel/crypto/identity.hpp"
#include "net/kernel/mesh/mesh_config.hpp"
#include "net/kernel/token/verify.hpp"
#include "net/kernel/wire/hex.hpp"

namespace net::cli {

namespace {

namespace token = kernel::token;
using kernel::crypto::Identity;
using kernel::crypto::PublicKey32;

// A problem with what the user typed: printed, exit 2 (usage) or 3 (an unusable file).
struct CliError {
    int code;
    std::string message;
};

std::string strip_0x(std::string s)
{
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s.substr(2);
    return s;
}

bool all_hex(const std::string& s)
{
    return !s.empty() && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

std::optional<PublicKey32> hex_key(const std::string& text)
{
    const std::string s = strip_0x(text);
    if (s.size() != 64 || !all_hex(s)) return std::nullopt;
    PublicKey32 key{};
    if (!kernel::wire::hex_decode(s, key).ok()) return std::nullopt;
    return key;
}

// The entity public key in a key file written by `identity generate` (its "entity_public"; the
// private part is not read, so the file's permissions do not matter here).
PublicKey32 key_file_public(const std::string& path, const std::string& option)
{
    std::ifstream in(path);
    if (!in) throw CliError{exit_usage, option + ": \"" + path + "\" is not a node id, a public key or a readable key file"};
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const std::exception&) {
        throw CliError{exit_invalid_config, option + ": " + path + ": not a Net key file (not JSON)"};
    }
    const auto key = doc.is_object() ? hex_key(doc.value("entity_public", std::string())) : std::nullopt;
    if (!key) throw CliError{exit_invalid_config, option + ": " + path + ": /entity_public: expected 64 hex digits"};
    return *key;
}

// <node-id (16 hex digits)> | <public key (64 hex digits)> | <key file>
token::Subject parse_subject(const std::string& text, const std::string& option)
{
    const std::string s = strip_0x(text);
    if (s.size() == 16 && all_hex(s)) return token::Subject::of_node(std::stoull(s, nullptr, 16));
    if (auto key = hex_key(text)) return token::Subject::of_key(*key);
    return token::Subject::of_key(key_file_public(text, option));
}

PublicKey32 parse_key(const std::string& text, const std::string& option)
{
    if (auto key = hex_key(text)) return *key;
    return key_file_public(text, option);
}

// 90, 90s, 15m, 2h, 7d.
std::optional<std::int64_t> parse_duration(std::string text)
{
    if (text.empty()) return std::nullopt;
    std::int64_t unit = 1;
    switch (text.back()) {
        case 's': unit = 1; text.pop_back(); break;
        case 'm': unit = 60; text.pop_back(); break;
        case 'h': unit = 3600; text.pop_back(); break;
        case 'd': unit = 86400; text.pop_back(); break;
        default: break;
    }
    if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(text) * unit;
}

// now | <unix seconds> | +DURATION | -DURATION | YYYY-MM-DDTHH:MM:SSZ
std::optional<std::int64_t> parse_time(const std::string& text, std::int64_t now)
{
    if (text == "now") return now;
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
        const auto d = parse_duration(text.substr(1));
        if (!d) return std::nullopt;
        return text[0] == '+' ? now + *d : now - *d;
    }
    if (!text.empty() && text.size() <= 12 && text.find_first_not_of("0123456789") == std::string::npos) {
        return std::stoll(text);
    }
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
    if (in.fail() || in.get() != 'Z' || in.peek() != EOF) return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string iso_time(std::int64_t t)
{
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (gmtime_r(&tt, &tm) == nullptr) return std::to_string(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string span_text(std::int64_t seconds)
{
    if (seconds < 120) return std::to_string(seconds) + " s";
    if (seconds < 7200) return std::to_string(seconds / 60) + " min";
    if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
    return std::to_string(seconds / 86400) + " d " + std::to_string(seconds % 86400 / 3600) + " h";
}

std::string hex64(std::uint64_t v)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string read_all(const std::string& path)
{
    if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CliError{exit_invalid_config, path + ": cannot read the token file"};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

token::TokenChain read_chain(const std::string& path)
{
    std::string error;
    auto chain = token::from_text(read_all(path), &error);
    if (!chain) throw CliError{exit_invalid_config, (path == "-" ? std::string("stdin") : path) + ": " + error};
    return *chain;
}

// "*" → wildcard, else a channel name's hash64.
std::uint64_t parse_channel(const std::string& text)
{
    if (text == "*") return token::kAnyChannel;
    kernel::channel::NameCheck check;
    const auto name = kernel::channel::ChannelName::parse(text, &check);
    if (!name) throw CliError{exit_usage, "--channel: " + check.message(text)};
    return name->hash64();
}

std::string required(const Args& args, const std::string& option)
{
    auto v = args.value(option);
    if (!v || v->empty()) throw CliError{exit_usage, option + " is required (see net-mesh --help)"};
    return *v;
}

int issue(const Args& args)
{
    if (!args.positional.empty()) throw CliError{exit_usage, "unexpected argument \"" + args.positional[0] + "\""};
    const std::string key_file = required(args, "--key");
    const token::Subject subject = parse_subject(required(args, "--subject"), "--subject");
    const std::uint64_t channel = parse_channel(required(args, "--channel"));
    std::string bad;
    const auto scope = token::parse_scope(required(args, "--scope"), &bad);
    if (!scope) throw CliError{exit_usage, "--scope: unknown right \"" + bad + "\" (publish, subscribe, admin, delegate)"};
    const auto ttl = parse_duration(required(args, "--ttl"));
    if (!ttl || *ttl <= 0) throw CliError{exit_usage, "--ttl: expected a positive duration such as 90s, 15m, 2h or 7d"};
    const std::int64_t now = token::unix_now();
    const auto not_before = parse_time(args.value("--not-before").value_or("now"), now);
    if (!not_before) {
        throw CliError{exit_usage, "--not-before: expected now, unix seconds, +/-DURATION or YYYY-MM-DDTHH:MM:SSZ"};
    }
    std::int64_t depth = 0;
    if (auto d = args.value("--depth")) {
        if (d->empty() || d->size() > 2 || d->find_first_not_of("0123456789") != std::string::npos ||
            std::stoll(*d) > token::kMaxDepth) {
            throw CliError{exit_usage, "--depth: expected 0 to 7 (a chain holds at most 8 links)"};
        }
        depth = std::stoll(*d);
    }

    Identity issuer = [&] {
        try {
            return Identity::load(key_file);
        } catch (const kernel::crypto::IdentityError& e) {
            throw CliError{exit_invalid_config, "--key: " + std::string(e.what())};
        }
    }();

    token::TokenChain chain;
    if (auto parent = args.value("--parent")) chain = read_chain(*parent);
    if (chain.size() >= token::kMaxChainLinks) {
        throw CliError{exit_usage, "--parent already has 8 links: a chain holds at most 8"};
    }
    token::Token t;
    t.subject = subject;
    t.scope = *scope;
    t.depth = static_cast<std::uint8_t>(depth);
    t.channel_hash = channel;
    t.not_before = *not_before;
    t.not_after = *not_before + *ttl;
    token::sign(t, issuer);
    chain.links.push_back(t);

    if (chain.size() > 1) {
        // The new link must fit under its parent: check_chain's link rules (root not checked here).
        token::Request request;
        request.check_root = false;
        const token::Verdict v = token::check_chain(chain, request, token::TrustConfig{});
        if (!v.ok()) {
            throw CliError{exit_usage, "the new token does not fit under --parent: " + v.message()};
        }
    }

    const std::string text = token::to_text(chain);
    if (auto out = args.value("--out")) {
        if (!args.flag("--force") && std::filesystem::exists(*out)) {
            throw CliError{exit_usage, "--out: " + *out + " already exists (use --force to replace it)"};
        }
        std::ofstream file(*out, std::ios::trunc);
        file << text << "\n";
        if (!file) throw CliError{exit_failure, "--out: cannot write " + *out};
        std::cout << "wrote " << *out << ": " << chain.size() << (chain.size() == 1 ? " link" : " links") << ", "
                  << token::scope_string(t.scope) << " on "
                  << (channel == token::kAnyChannel ? std::string("any channel") : "channel " + hex64(channel))
                  << ", valid " << iso_time(t.not_before) << " .. " << iso_time(t.not_after) << ", depth "
                  << static_cast<int>(t.depth) << "\n";
    } else {
        std::cout << text << "\n";
    }
    return exit_ok;
}

nlohmann::json link_json(const token::Token& t, std::size_t index, const std::optional<std::uint64_t>& channel)
{
    const auto issuer = kernel::crypto::derive_from_entity_key(t.issuer);
    nlohmann::json scopes = nlohmann::json::array();
    for (unsigned i = 0; i < 4; ++i) {
        if ((t.scope & (1u << i)) != 0) scopes.push_back(token::scope_string(static_cast<std::uint8_t>(1u << i)));
    }
    nlohmann::json j{{"index", index},
                     {"issuer", kernel::wire::hex_string(t.issuer)},
                     {"issuer_node_id", hex64(issuer.node_id)},
                     {"subject_kind", t.subject.kind == token::SubjectKind::node_id ? "node_id" : "entity_key"},
                     {"subject_node_id", hex64(t.subject.node_id())},
                     {"subject_address", kernel::mesh::format_address(t.subject.node_id() & 0xFFFF'FFFF'FFFFULL)},
                     {"scope", scopes},
                     {"channel_hash", t.channel_hash == token::kAnyChannel ? std::string("*") : hex64(t.channel_hash)},
                     {"not_before", t.not_before},
                     {"not_after", t.not_after},
                     {"depth", t.depth},
                     {"nonce", kernel::wire::hex_string(t.nonce)},
                     {"signature_valid", token::signature_valid(t)}};
    if (t.subject.kind == token::SubjectKind::entity_key) j["subject"] = kernel::wire::hex_string(t.subject.bytes);
    if (channel) j["channel_matches"] = t.channel_hash == token::kAnyChannel || t.channel_hash == *channel;
    return j;
}

int inspect(const Args& args)
{
    if (args.positional.size() != 1) throw CliError{exit_usage, "usage: net-mesh token inspect <file|-> [--json]"};
    const token::TokenChain chain = read_chain(args.positional[0]);
    token::TrustConfig trust;
    for (const auto& t : args.values("--trust")) trust.roots.push_back(parse_key(t, "--trust"));
    token::Request request;
    request.check_root = !trust.roots.empty();
    request.now = token::unix_now();
    std::optional<std::string> channel_name;
    if (auto c = args.value("--channel")) {
        request.channel_hash = parse_channel(*c);
        channel_name = *c;
    }
    if (auto s = args.value("--scope")) {
        std::string bad;
        const auto bits = token::parse_scope(*s, &bad);
        if (!bits) throw CliError{exit_usage, "--scope: unknown right \"" + bad + "\" (publish, subscribe, admin, delegate)"};
        request.scope = *bits;
    }
    if (auto s = args.value("--subject")) request.presenter = parse_subject(*s, "--subject").node_id() & 0xFFFF'FFFF'FFFFULL;
    if (auto at = args.value("--at")) {
        const auto t = parse_time(*at, request.now);
        if (!t) throw CliError{exit_usage, "--at: expected now, unix seconds, +/-DURATION or YYYY-MM-DDTHH:MM:SSZ"};
        request.now = *t;
    }
    const token::Verdict verdict = token::verify(chain, request, trust);

    if (args.flag("--json")) {
        nlohmann::json links = nlohmann::json::array();
        for (std::size_t i = 0; i < chain.size(); ++i) links.push_back(link_json(chain.links[i], i, request.channel_hash));
        std::cout << nlohmann::json{{"links", links},
                                    {"verdict",
                                     {{"ok", verdict.ok()},
                                      {"reason", std::string(token::reason_name(verdict.reason))},
                                      {"link", verdict.link},
                                      {"message", verdict.message()},
                                      {"root_checked", request.check_root},
                                      {"checked_at", request.now}}}}
                         .dump(2)
                  << "\n";
        return verdict.ok() ? exit_ok : exit_failure;
    }
    std::cout << "token chain: " << chain.size() << (chain.size() == 1 ? " link" : " links") << "\n";
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const token::Token& t = chain.links[i];
        const auto issuer = kernel::crypto::derive_from_entity_key(t.issuer);
        std::cout << "link " << i << (i == 0 ? " (root)" : "") << (i + 1 == chain.size() && i != 0 ? " (leaf)" : "") << "\n";
        std::cout << "  issuer:    " << kernel::wire::hex_string(t.issuer) << " (node " << hex64(issuer.node_id) << ")\n";
        if (t.subject.kind == token::SubjectKind::node_id) {
            std::cout << "  subject:   node " << hex64(t.subject.node_id()) << "\n";
        } else {
            std::cout << "  subject:   key " << kernel::wire::hex_string(t.subject.bytes) << " (node "
                      << hex64(t.subject.node_id()) << ")\n";
        }
        std::cout << "  scope:     " << token::scope_string(t.scope) << "\n";
        std::cout << "  channel:   ";
        if (t.channel_hash == token::kAnyChannel) {
            std::cout << "* (any channel)";
        } else {
            std::cout << hex64(t.channel_hash);
        }
        if (request.channel_hash) {
            const bool match = t.channel_hash == token::kAnyChannel || t.channel_hash == *request.channel_hash;
            std::cout << (match ? " (matches " : " (does not match ") << *channel_name << ")";
        }
        std::cout << "\n  valid:     " << iso_time(t.not_before) << " .. " << iso_time(t.not_after);
        if (request.now < t.not_before) {
            std::cout << " (starts in " << span_text(t.not_before - request.now) << ")";
        } else if (request.now >= t.not_after) {
            std::cout << " (expired " << span_text(request.now - t.not_after) << " ago)";
        } else {
            std::cout << " (expires in " << span_text(t.not_after - request.now) << ")";
        }
        std::cout << "\n  depth:     " << static_cast<int>(t.depth) << "\n";
        std::cout << "  signature: " << (token::signature_valid(t) ? "valid" : "INVALID") << "\n";
    }
    std::cout << "verdict: " << verdict.message();
    if (!request.check_root) std::cout << " (root issuer not checked: give --trust <root key>)";
    std::cout << "\n";
    return verdict.ok() ? exit_ok : exit_failure;
}

}  // namespace

int token_command(const std::string& sub, const Args& args)
{
    try {
        if (sub == "issue") return issue(args);
        if (sub == "inspect") return inspect(args);
        std::cerr << "net-mesh: usage: net-mesh token issue|inspect ... (see net-mesh --help)\n";
        return exit_usage;
    } catch (const CliError& e) {
        std::cerr << "net-mesh token " << sub << ": " << e.message << "\n";
        return e.code;
    } catch (const std::exception& e) {
        std::cerr << "net-mesh token " << sub << ": " << e.what() << "\n";
        return exit_failure;
    }
}

}  // namespace net::cli
