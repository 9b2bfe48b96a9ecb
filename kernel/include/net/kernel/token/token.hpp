// net/kernel/token/token.hpp — one permission token: who grants (issuer Ed25519 key) whom
// (subject: a node id or an entity key) which rights (scope) on which channel (64-bit hash, 0 =
// any) for how long (not_before..not_after, unix seconds), how many further delegations it
// allows (depth), signed by the issuer. docs/tokens.md has the byte layout.
//
// Fixed size: 172 bytes. Integers little-endian. The signature is Ed25519 over
// "net/token/v1" || bytes [0, 108) (the domain prefix keeps a token signature from being valid
// as any other signed message of the entity key).
//
// [any-thread]; pure values and functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "net/kernel/crypto/identity.hpp"

namespace net::kernel::token {

using PublicKey32 = crypto::PublicKey32;
using Signature64 = std::array<std::uint8_t, 64>;

inline constexpr std::uint8_t kTokenVersion = 1;
inline constexpr std::size_t kTokenSize = 172;
inline constexpr std::size_t kSignedSize = 108;  // bytes covered by the signature (after the prefix)
inline constexpr std::string_view kSignatureDomain = "net/token/v1";
inline constexpr std::uint8_t kMaxDepth = 7;        // a chain holds at most 8 links
inline constexpr std::uint64_t kAnyChannel = 0;     // channel_hash wildcard

// Scope bits. Bits 4-7 are reserved (zero).
namespace scope {
inline constexpr std::uint8_t publish = 0x01;
inline constexpr std::uint8_t subscribe = 0x02;
inline constexpr std::uint8_t admin = 0x04;
inline constexpr std::uint8_t delegate = 0x08;
inline constexpr std::uint8_t all = 0x0F;
}  // namespace scope

// "publish,subscribe" (in bit order; "none" for 0).
std::string scope_string(std::uint8_t bits);
// Parses a comma-separated list of publish, subscribe, admin, delegate. std::nullopt on an
// unknown word or an empty list; `bad` (when given) gets the unknown word.
std::optional<std::uint8_t> parse_scope(std::string_view text, std::string* bad = nullptr);

enum class SubjectKind : std::uint8_t { node_id = 1, entity_key = 2 };

struct Subject {
    SubjectKind kind = SubjectKind::node_id;
    // node_id: the u64 node id in the first 8 bytes (little-endian), the rest zero; entity_key:
    // the Ed25519 public key.
    std::array<std::uint8_t, 32> bytes{};

    static Subject of_node(std::uint64_t node_id) noexcept;
    static Subject of_key(const PublicKey32& key) noexcept;
    // The node id this subject names (derived from the key for entity_key).
    std::uint64_t node_id() const;
    // Whether `key` is this subject: equal to it, or (node_id kind) deriving its node id.
    bool is_key(const PublicKey32& key) const;
    friend bool operator==(const Subject&, const Subject&) = default;
};

struct Token {
    std::uint8_t version = kTokenVersion;
    Subject subject;
    std::uint8_t scope = 0;
    std::uint8_t depth = 0;          // further delegations allowed below this token
    PublicKey32 issuer{};
    std::uint64_t channel_hash = kAnyChannel;
    std::int64_t not_before = 0;     // unix seconds, inclusive
    std::int64_t not_after = 0;      // unix seconds, exclusive: valid while now < not_after
    std::array<std::uint8_t, 16> nonce{};
    Signature64 signature{};

    friend bool operator==(const Token&, const Token&) = default;
};

// The 172 bytes of `t` (no checks).
void encode(const Token& t, std::span<std::uint8_t, kTokenSize> out) noexcept;
std::array<std::uint8_t, kTokenSize> encode(const Token& t) noexcept;

// Decodes and checks the structure: size, version, subject kind, node-id padding zero, reserved
// scope bits zero, depth <= 7, not_before < not_after, both in 0..2^62. Does not check the
// signature. std::nullopt with `error` (when given) saying what is wrong.
std::optional<Token> decode(std::span<const std::uint8_t> bytes, std::string* error = nullptr);

// The message the signature covers: kSignatureDomain || the first 108 encoded bytes.
std::array<std::uint8_t, kSignatureDomain.size() + kSignedSize> signed_message(const Token& t) noexcept;

// Sets t.issuer to the identity's entity key, fills a random nonce when it is all zero, and signs.
void sign(Token& t, const crypto::Identity& issuer);
bool signature_valid(const Token& t);

}  // namespace net::kernel::token
