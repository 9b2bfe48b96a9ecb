// net/kernel/token/chain.hpp — a delegation chain: the root token (issued by a trusted key), then
// tokens each issued by the previous token's subject. Binary form [count u8][count × 172-byte
// token]; text form "net-token-v1." + base64url (no padding) of the binary form, one line
// (docs/tokens.md). The rules a chain must satisfy are in verify.hpp.
//
// [any-thread]; pure values and functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/kernel/token/token.hpp"

namespace net::kernel::token {

inline constexpr std::size_t kMaxChainLinks = 8;    // verification refuses longer chains (chain_too_deep)
inline constexpr std::size_t kMaxEncodedLinks = 16;  // the decoder refuses longer encodings (malformed)
inline constexpr std::string_view kTextPrefix = "net-token-v1.";

struct TokenChain {
    std::vector<Token> links;  // root first

    bool empty() const noexcept { return links.empty(); }
    std::size_t size() const noexcept { return links.size(); }
    const Token& leaf() const { return links.back(); }
    friend bool operator==(const TokenChain&, const TokenChain&) = default;
};

std::size_t encoded_size(const TokenChain& chain) noexcept;  // 1 + 172 × links
// The binary form; an empty chain is the single byte 0.
std::vector<std::uint8_t> encode_chain(const TokenChain& chain);
// Decodes the binary form; checks each token's structure (token.hpp decode), not signatures.
// More than kMaxEncodedLinks links, trailing bytes or a short input are refused.
std::optional<TokenChain> decode_chain(std::span<const std::uint8_t> bytes, std::string* error = nullptr);

std::string to_text(const TokenChain& chain);
// Accepts the text form with surrounding whitespace (a file with a trailing newline).
std::optional<TokenChain> from_text(std::string_view text, std::string* error = nullptr);

// base64url without padding (RFC 4648 §5). decode refuses other characters and impossible lengths.
std::string base64url_encode(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

}  // namespace net::kernel::token
