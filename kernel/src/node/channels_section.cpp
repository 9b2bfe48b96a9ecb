#include "net/kernel/node/channels_section.hpp"

#include <fstream>
#include <sstream>

#include "net/kernel/token/verify.hpp"
#include "net/kernel/wire/hex.hpp"

namespace net::kernel::node {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const Manifest& m, const std::string& pointer, const std::string& detail)
{
    throw ManifestError(m.file.string(), pointer, detail);
}

channel::ChannelName channel_at(const Manifest& m, const nlohmann::json& value, const std::string& pointer)
{
    channel::NameCheck check;
    auto name = channel::ChannelName::parse(value.get<std::string>(), &check);
    if (!name) fail(m, pointer, check.message(value.get<std::string>()));
    return *name;
}

PresentedChain read_chain(const Manifest& m, const std::string& path, const std::string& pointer)
{
    const fs::path file = fs::path(path).is_absolute() ? fs::path(path) : m.file.parent_path() / path;
    std::ifstream in(file);
    if (!in) fail(m, pointer, "cannot read the token file " + file.string());
    std::string text;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) {
            text = line;
            break;
        }
    }
    std::string error;
    auto chain = token::from_text(text, &error);
    if (!chain) fail(m, pointer, "the token file " + file.string() + " holds no token chain: " + error);
    return {file, std::move(*chain)};
}

}  // namespace

ChannelsSection parse_channels_section(const Manifest& m)
{
    const nlohmann::json& s = m.channels;
    if (m.mesh.is_null()) fail(m, "/channels", "channels travel over the mesh: add a \"mesh\" section");
    ChannelsSection out;
    if (const auto it = s.find("subnet"); it != s.end()) {
        const auto subnet = channel::SubnetId::parse(it->get<std::string>());
        if (!subnet) fail(m, "/channels/subnet", "\"" + it->get<std::string>() + "\" is not a subnet id (e.g. \"0\" or \"1.2\")");
        out.config.subnet = *subnet;
    }
    if (const auto it = s.find("trust"); it != s.end()) {
        for (std::size_t i = 0; i < it->size(); ++i) {
            token::PublicKey32 key{};
            const auto decoded = wire::hex_decode((*it)[i].get<std::string>(), key);
            if (!decoded || *decoded != key.size()) fail(m, "/channels/trust/" + std::to_string(i), "not a 32-byte key in hex");
            out.config.trust.roots.push_back(key);
        }
    }
    out.config.trust.skew_seconds = s.value("clock_skew_s", out.config.trust.skew_seconds);
    out.config.announce_interval = std::chrono::milliseconds(
        s.value("announce_interval_ms", static_cast<std::int64_t>(out.config.announce_interval.count())));
    out.config.entry_ttl =
        std::chrono::milliseconds(s.value("entry_ttl_ms", static_cast<std::int64_t>(out.config.entry_ttl.count())));
    if (out.config.entry_ttl <= out.config.announce_interval) {
        fail(m, "/channels/entry_ttl_ms", "must be longer than announce_interval_ms (" +
                                              std::to_string(out.config.announce_interval.count()) +
                                              "), or entries expire between announcements");
    }
    if (const auto it = s.find("tokens"); it != s.end()) {
        for (std::size_t i = 0; i < it->size(); ++i) {
            out.chains.push_back(read_chain(m, (*it)[i].get<std::string>(), "/channels/tokens/" + std::to_string(i)));
        }
    }
    if (const auto it = s.find("persist"); it != s.end()) {
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& entry = (*it)[i];
            const std::string pointer = "/channels/persist/" + std::to_string(i);
            PersistSpec spec{channel_at(m, entry.at("channel"), pointer + "/channel"), channel::Visibility::global,
                             entry.value("redex", std::string())};
            if (const auto v = entry.find("visibility"); v != entry.end()) {
                spec.visibility = *channel::parse_visibility(v->get<std::string>());
            }
            out.persist.push_back(std::move(spec));
        }
    }
    if (const auto it = s.find("ingest"); it != s.end()) {
        if (m.bus.is_null() && !it->empty()) fail(m, "/channels/ingest", "hands events to the bus: add a \"bus\" section");
        for (std::size_t i = 0; i < it->size(); ++i) {
            out.ingest.push_back(channel_at(m, (*it)[i], "/channels/ingest/" + std::to_string(i)));
        }
    }
    return out;
}

std::optional<token::TokenChain> chain_for(const std::vector<PresentedChain>& chains,
                                           const channel::ChannelName& channel, std::uint8_t scope,
                                           std::uint64_t presenter, const token::TrustConfig& trust)
{
    token::Request request;
    request.channel_hash = channel.hash64();
    request.scope = scope;
    request.presenter = presenter;
    request.now = token::unix_now();
    for (const PresentedChain& c : chains) {
        if (token::verify(c.chain, request, trust).ok()) return c.chain;
    }
    return std::nullopt;
}

}  // namespace net::kernel::node
