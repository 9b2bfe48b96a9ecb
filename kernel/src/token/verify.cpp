// Chain verification (the order of checks is in verify.hpp).
#include <algorithm>
#include <chrono>

#include "net/kernel/token/verify.hpp"
#include "net/kernel/wire/hex.hpp"

namespace net::kernel::token {

namespace {

constexpr std::uint64_t kAddressMask = 0xFFFF'FFFF'FFFFULL;

Verdict refuse(Reason r, int link, std::string detail)
{
    Verdict v;
    v.reason = r;
    v.link = link;
    v.detail = std::move(detail);
    return v;
}

std::string short_key(const PublicKey32& k)
{
    return wire::hex_string(std::span(k.data(), 8)) + "…";
}

}  // namespace

std::string_view reason_name(Reason r) noexcept
{
    switch (r) {
#define NET_TOKEN_REASON_NAME(name, value, text) \
    case Reason::name: return #name;
        NET_TOKEN_REASONS(NET_TOKEN_REASON_NAME)
#undef NET_TOKEN_REASON_NAME
    }
    return "unknown";
}

std::string_view reason_message(Reason r) noexcept
{
    switch (r) {
#define NET_TOKEN_REASON_TEXT(name, value, text) \
    case Reason::name: return text;
        NET_TOKEN_REASONS(NET_TOKEN_REASON_TEXT)
#undef NET_TOKEN_REASON_TEXT
    }
    return "unknown reason";
}

std::optional<Reason> reason_from_byte(std::uint8_t b) noexcept
{
    switch (b) {
#define NET_TOKEN_REASON_BYTE(name, value, text) \
    case value: return Reason::name;
        NET_TOKEN_REASONS(NET_TOKEN_REASON_BYTE)
#undef NET_TOKEN_REASON_BYTE
        default: return std::nullopt;
    }
}

std::string Verdict::message() const
{
    if (ok()) return "valid";
    std::string out;
    if (link >= 0) out = "link " + std::to_string(link) + ": ";
    out += reason_name(reason);
    out += ": ";
    out += detail.empty() ? std::string(reason_message(reason)) : detail;
    return out;
}

Verdict check_chain(const TokenChain& chain, const Request& request, const TrustConfig& trust)
{
    const auto& links = chain.links;
    if (links.empty()) return refuse(Reason::absent, -1, "no token chain was presented");
    if (links.size() > kMaxChainLinks) {
        return refuse(Reason::chain_too_deep, -1,
                      "chain has " + std::to_string(links.size()) + " links, at most " + std::to_string(kMaxChainLinks));
    }
    if (request.check_root &&
        std::find(trust.roots.begin(), trust.roots.end(), links.front().issuer) == trust.roots.end()) {
        return refuse(Reason::untrusted_root, 0, "root issuer " + short_key(links.front().issuer) + " is not a trusted key");
    }
    for (std::size_t i = 0; i < links.size(); ++i) {
        if (!signature_valid(links[i])) {
            return refuse(Reason::bad_signature, static_cast<int>(i),
                          "signature does not verify under issuer " + short_key(links[i].issuer));
        }
    }
    for (std::size_t i = 1; i < links.size(); ++i) {
        const Token& parent = links[i - 1];
        const Token& child = links[i];
        const int at = static_cast<int>(i);
        if (!parent.subject.is_key(child.issuer)) {
            return refuse(Reason::broken_chain, at,
                          "issuer " + short_key(child.issuer) + " is not the subject of link " + std::to_string(i - 1));
        }
        if ((parent.scope & scope::delegate) == 0) {
            return refuse(Reason::missing_scope, at, "link " + std::to_string(i - 1) + " does not grant delegate");
        }
        if (parent.depth == 0) {
            return refuse(Reason::chain_too_deep, at, "link " + std::to_string(i - 1) + " allows no further delegation (depth 0)");
        }
        if ((child.scope & ~parent.scope) != 0) {
            return refuse(Reason::scope_widened, at,
                          "grants " + scope_string(child.scope) + ", parent only " + scope_string(parent.scope));
        }
        if (parent.channel_hash != kAnyChannel && child.channel_hash != parent.channel_hash) {
            return refuse(Reason::scope_widened, at, "names another channel than its parent");
        }
        if (child.not_before < parent.not_before || child.not_after > parent.not_after) {
            return refuse(Reason::scope_widened, at, "validity window reaches outside its parent's");
        }
        if (child.depth >= parent.depth) {
            return refuse(Reason::scope_widened, at,
                          "depth " + std::to_string(child.depth) + " not below parent's " + std::to_string(parent.depth));
        }
    }
    const Token& leaf = links.back();
    const int leaf_at = static_cast<int>(links.size() - 1);
    if (request.channel_hash && leaf.channel_hash != kAnyChannel && leaf.channel_hash != *request.channel_hash) {
        return refuse(Reason::wrong_channel, leaf_at, "token names another channel than the one requested");
    }
    if ((leaf.scope & request.scope) != request.scope) {
        return refuse(Reason::missing_scope, leaf_at,
                      "needs " + scope_string(request.scope) + ", token grants " + scope_string(leaf.scope));
    }
    if (request.presenter && (leaf.subject.node_id() & kAddressMask) != (*request.presenter & kAddressMask)) {
        return refuse(Reason::wrong_subject, leaf_at, "token was issued to another node than the one presenting it");
    }
    Verdict ok;
    ok.not_before = links.front().not_before;
    ok.not_after = links.front().not_after;
    ok.latest_start_link = 0;
    ok.earliest_end_link = 0;
    for (std::size_t i = 1; i < links.size(); ++i) {
        if (links[i].not_before > ok.not_before) {
            ok.not_before = links[i].not_before;
            ok.latest_start_link = static_cast<int>(i);
        }
        if (links[i].not_after < ok.not_after) {
            ok.not_after = links[i].not_after;
            ok.earliest_end_link = static_cast<int>(i);
        }
    }
    return ok;
}

Verdict check_time(Verdict v, std::int64_t now, std::int64_t skew)
{
    if (!v.ok()) return v;
    if (now + skew < v.not_before) {
        v.reason = Reason::not_yet_valid;
        v.link = v.latest_start_link;
        v.detail = "valid from " + std::to_string(v.not_before) + " (now " + std::to_string(now) + ", skew " +
                   std::to_string(skew) + " s)";
    } else if (now - skew >= v.not_after) {
        v.reason = Reason::expired;
        v.link = v.earliest_end_link;
        v.detail = "expired at " + std::to_string(v.not_after) + " (now " + std::to_string(now) + ", skew " +
                   std::to_string(skew) + " s)";
    }
    return v;
}

Verdict verify(const TokenChain& chain, const Request& request, const TrustConfig& trust)
{
    return check_time(check_chain(chain, request, trust), request.now, trust.skew_seconds);
}

Verdict verify_bytes(std::span<const std::uint8_t> chain_bytes, const Request& request, const TrustConfig& trust)
{
    std::string error;
    const auto chain = decode_chain(chain_bytes, &error);
    if (!chain) return refuse(Reason::malformed, -1, error);
    return verify(*chain, request, trust);
}

std::int64_t unix_now() noexcept
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace net::kernel::token
