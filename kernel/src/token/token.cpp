// One permission token: encoding, structural decoding, signing.
#include <botan/auto_rng.h>

#include <algorithm>
#include <cstring>

#include "net/kernel/token/token.hpp"
#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::token {

namespace {

using wire::load_le;
using wire::store_le;

// Offsets of the layout in docs/tokens.md.
constexpr std::size_t kOffVersion = 0;
constexpr std::size_t kOffSubjectKind = 1;
constexpr std::size_t kOffScope = 2;
constexpr std::size_t kOffDepth = 3;
constexpr std::size_t kOffIssuer = 4;
constexpr std::size_t kOffSubject = 36;
constexpr std::size_t kOffChannel = 68;
constexpr std::size_t kOffNotBefore = 76;
constexpr std::size_t kOffNotAfter = 84;
constexpr std::size_t kOffNonce = 92;
constexpr std::size_t kOffSignature = 108;
static_assert(kOffSignature == kSignedSize && kOffSignature + 64 == kTokenSize);

constexpr std::int64_t kMaxTime = std::int64_t{1} << 62;

constexpr const char* kScopeNames[4] = {"publish", "subscribe", "admin", "delegate"};

bool fail(std::string* error, const std::string& what)
{
    if (error != nullptr) *error = what;
    return false;
}

}  // namespace

std::string scope_string(std::uint8_t bits)
{
    std::string out;
    for (unsigned i = 0; i < 8; ++i) {
        if ((bits & (1u << i)) == 0) continue;
        if (!out.empty()) out.push_back(',');
        out += i < 4 ? std::string(kScopeNames[i]) : "bit" + std::to_string(i);
    }
    return out.empty() ? "none" : out;
}

std::optional<std::uint8_t> parse_scope(std::string_view text, std::string* bad)
{
    std::uint8_t bits = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view word = text.substr(start, end - start);
        while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
        while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
        bool found = false;
        for (unsigned i = 0; i < 4; ++i) {
            if (word == kScopeNames[i]) {
                bits = static_cast<std::uint8_t>(bits | (1u << i));
                found = true;
            }
        }
        if (!found) {
            if (bad != nullptr) *bad = std::string(word);
            return std::nullopt;
        }
        start = end + 1;
    }
    return bits;
}

Subject Subject::of_node(std::uint64_t node_id) noexcept
{
    Subject s;
    s.kind = SubjectKind::node_id;
    store_le(s.bytes.data(), node_id);
    return s;
}

Subject Subject::of_key(const PublicKey32& key) noexcept
{
    Subject s;
    s.kind = SubjectKind::entity_key;
    s.bytes = key;
    return s;
}

std::uint64_t Subject::node_id() const
{
    if (kind == SubjectKind::node_id) return load_le<std::uint64_t>(bytes.data());
    return crypto::derive_from_entity_key(bytes).node_id;
}

bool Subject::is_key(const PublicKey32& key) const
{
    if (kind == SubjectKind::entity_key) return bytes == key;
    return crypto::derive_from_entity_key(key).node_id == node_id();
}

void encode(const Token& t, std::span<std::uint8_t, kTokenSize> out) noexcept
{
    std::uint8_t* p = out.data();
    p[kOffVersion] = t.version;
    p[kOffSubjectKind] = static_cast<std::uint8_t>(t.subject.kind);
    p[kOffScope] = t.scope;
    p[kOffDepth] = t.depth;
    std::memcpy(p + kOffIssuer, t.issuer.data(), 32);
    std::memcpy(p + kOffSubject, t.subject.bytes.data(), 32);
    store_le(p + kOffChannel, t.channel_hash);
    store_le(p + kOffNotBefore, static_cast<std::uint64_t>(t.not_before));
    store_le(p + kOffNotAfter, static_cast<std::uint64_t>(t.not_after));
    std::memcpy(p + kOffNonce, t.nonce.data(), t.nonce.size());
    std::memcpy(p + kOffSignature, t.signature.data(), t.signature.size());
}

std::array<std::uint8_t, kTokenSize> encode(const Token& t) noexcept
{
    std::array<std::uint8_t, kTokenSize> out{};
    encode(t, std::span<std::uint8_t, kTokenSize>(out));
    return out;
}

std::optional<Token> decode(std::span<const std::uint8_t> bytes, std::string* error)
{
    if (bytes.size() != kTokenSize) {
        fail(error, "token is " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(kTokenSize));
        return std::nullopt;
    }
    const std::uint8_t* p = bytes.data();
    Token t;
    t.version = p[kOffVersion];
    if (t.version != kTokenVersion) {
        fail(error, "unsupported token version " + std::to_string(t.version));
        return std::nullopt;
    }
    const std::uint8_t kind = p[kOffSubjectKind];
    if (kind != static_cast<std::uint8_t>(SubjectKind::node_id) && kind != static_cast<std::uint8_t>(SubjectKind::entity_key)) {
        fail(error, "unknown subject kind " + std::to_string(kind));
        return std::nullopt;
    }
    t.subject.kind = static_cast<SubjectKind>(kind);
    std::memcpy(t.subject.bytes.data(), p + kOffSubject, 32);
    if (t.subject.kind == SubjectKind::node_id &&
        std::any_of(t.subject.bytes.begin() + 8, t.subject.bytes.end(), [](std::uint8_t b) { return b != 0; })) {
        fail(error, "node-id subject with non-zero padding");
        return std::nullopt;
    }
    t.scope = p[kOffScope];
    if ((t.scope & ~scope::all) != 0) {
        fail(error, "reserved scope bits set (" + scope_string(t.scope) + ")");
        return std::nullopt;
    }
    t.depth = p[kOffDepth];
    if (t.depth > kMaxDepth) {
        fail(error, "delegation depth " + std::to_string(t.depth) + " above the maximum 7");
        return std::nullopt;
    }
    std::memcpy(t.issuer.data(), p + kOffIssuer, 32);
    t.channel_hash = load_le<std::uint64_t>(p + kOffChannel);
    const auto nb = load_le<std::uint64_t>(p + kOffNotBefore);
    const auto na = load_le<std::uint64_t>(p + kOffNotAfter);
    if (nb >= static_cast<std::uint64_t>(kMaxTime) || na >= static_cast<std::uint64_t>(kMaxTime)) {
        fail(error, "validity time out of range");
        return std::nullopt;
    }
    t.not_before = static_cast<std::int64_t>(nb);
    t.not_after = static_cast<std::int64_t>(na);
    if (t.not_after <= t.not_before) {
        fail(error, "not_after is not after not_before");
        return std::nullopt;
    }
    std::memcpy(t.nonce.data(), p + kOffNonce, t.nonce.size());
    std::memcpy(t.signature.data(), p + kOffSignature, t.signature.size());
    return t;
}

std::array<std::uint8_t, kSignatureDomain.size() + kSignedSize> signed_message(const Token& t) noexcept
{
    std::array<std::uint8_t, kSignatureDomain.size() + kSignedSize> msg{};
    std::memcpy(msg.data(), kSignatureDomain.data(), kSignatureDomain.size());
    const auto bytes = encode(t);
    std::memcpy(msg.data() + kSignatureDomain.size(), bytes.data(), kSignedSize);
    return msg;
}

void sign(Token& t, const crypto::Identity& issuer)
{
    t.issuer = issuer.entity_public();
    if (std::all_of(t.nonce.begin(), t.nonce.end(), [](std::uint8_t b) { return b == 0; })) {
        Botan::AutoSeeded_RNG rng;
        rng.randomize(t.nonce.data(), t.nonce.size());
    }
    const auto msg = signed_message(t);
    t.signature = issuer.sign(msg);
}

bool signature_valid(const Token& t)
{
    const auto msg = signed_message(t);
    return crypto::Identity::verify(t.issuer, msg, t.signature);
}

}  // namespace net::kernel::token
