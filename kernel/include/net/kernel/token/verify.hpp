// net/kernel/token/verify.hpp — verifying a token chain against trusted roots, a channel, a
// needed right, the presenting node and the time (docs/tokens.md, "Verification").
//
// Checks, in this order (the first failure is the verdict):
//   absent          no links
//   chain_too_deep  more than 8 links
//   untrusted_root  the root's issuer is not a trusted key (skipped when check_root is false)
//   bad_signature   a link's signature does not verify (forged or altered), first bad link
//   for each link i >= 1 against its parent i-1:
//     broken_chain    link i's issuer is not link i-1's subject (its key, or a key deriving its node id)
//     missing_scope   link i-1 lacks the delegate right
//     chain_too_deep  link i-1 has depth 0 (allows no further delegation)
//     scope_widened   link i grants a right link i-1 lacks, names another channel than a
//                     non-wildcard parent, starts before or ends after its parent, or does not
//                     lower the depth
//   wrong_channel   the leaf names another channel than the requested one (0 = any channel)
//   missing_scope   the leaf lacks a requested right
//   wrong_subject   the leaf's subject is not the presenting node (48-bit address = node id's low bits)
//   not_yet_valid / expired: now + skew < not_before, or now - skew >= not_after, of any link
// `malformed` is the verdict of bytes that do not decode (verify_bytes).
//
// check_chain does everything but the time checks, so a caller may cache its verdict for a
// given chain and request and apply check_time on each use. [any-thread]; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/kernel/token/chain.hpp"

namespace net::kernel::token {

// X(name, value, message). Values are stable: they travel in membership acknowledgements.
#define NET_TOKEN_REASONS(X)                                                                                 \
    X(ok, 0, "valid")                                                                                        \
    X(absent, 1, "no token was presented")                                                                   \
    X(malformed, 2, "the bytes are not a well-formed token chain")                                           \
    X(bad_signature, 3, "a signature does not verify (forged or altered token)")                             \
    X(expired, 4, "a token in the chain has expired")                                                        \
    X(not_yet_valid, 5, "a token in the chain is not valid yet")                                             \
    X(wrong_channel, 6, "the token is for another channel")                                                  \
    X(missing_scope, 7, "the token does not grant the needed right")                                         \
    X(chain_too_deep, 8, "the chain is longer than 8 links or than a token's delegation depth allows")      \
    X(broken_chain, 9, "a link is not issued by the previous link's subject")                                \
    X(untrusted_root, 10, "the root token is not issued by a trusted key")                                   \
    X(scope_widened, 11, "a delegated token grants more than its parent (rights, channel, time or depth)")  \
    X(wrong_subject, 12, "the token was issued to another node")

enum class Reason : std::uint8_t {
#define NET_TOKEN_REASON_ENUM(name, value, text) name = value,
    NET_TOKEN_REASONS(NET_TOKEN_REASON_ENUM)
#undef NET_TOKEN_REASON_ENUM
};

std::string_view reason_name(Reason r) noexcept;     // "bad_signature"; "unknown" outside the list
std::string_view reason_message(Reason r) noexcept;  // the sentence above
std::optional<Reason> reason_from_byte(std::uint8_t b) noexcept;

struct TrustConfig {
    std::vector<PublicKey32> roots;  // keys allowed to issue root tokens
    std::int64_t skew_seconds = 30;  // clock-skew tolerance on both ends of a validity window
};

struct Request {
    std::optional<std::uint64_t> channel_hash;  // channel being used; nullopt: not checked
    std::uint8_t scope = 0;                     // rights needed (all of them); 0: not checked
    std::optional<std::uint64_t> presenter;     // 48-bit address of the presenting node; nullopt: not checked
    std::int64_t now = 0;                       // unix seconds
    bool check_root = true;                     // false: any root issuer (inspecting without trust)
};

struct Verdict {
    Reason reason = Reason::ok;
    int link = -1;                   // the link at fault (0 = root), -1 for the chain as a whole
    std::string detail;              // what exactly, one line (empty when ok)
    std::int64_t not_before = 0;     // the chain's window: latest not_before of its links ...
    std::int64_t not_after = 0;      // ... earliest not_after (set when every link decoded)
    int latest_start_link = -1;      // which links set the window
    int earliest_end_link = -1;

    bool ok() const noexcept { return reason == Reason::ok; }
    // "link 2: expired: expired at 1700000000 (now 1700000100, skew 30 s)", or "valid".
    std::string message() const;
};

Verdict check_chain(const TokenChain& chain, const Request& request, const TrustConfig& trust);
// Applies the time checks to a verdict from check_chain (returned unchanged unless it was ok).
Verdict check_time(Verdict structural, std::int64_t now, std::int64_t skew_seconds);
// check_chain then check_time(request.now).
Verdict verify(const TokenChain& chain, const Request& request, const TrustConfig& trust);
// decode_chain then verify; `malformed` (link -1, the decoder's message) when it does not decode.
Verdict verify_bytes(std::span<const std::uint8_t> chain_bytes, const Request& request, const TrustConfig& trust);

// Seconds since the Unix epoch, from the system clock: the default token clock.
std::int64_t unix_now() noexcept;

}  // namespace net::kernel::token
