// Token chains: binary and text forms.
#include "net/kernel/token/chain.hpp"

namespace net::kernel::token {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) noexcept
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

}  // namespace

std::string base64url_encode(std::span<const std::uint8_t> bytes)
{
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{bytes[i]} << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text)
{
    if (text.size() % 4 == 1) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (char c : text) {
        const int s = sextet(c);
        if (s < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(s);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) return std::nullopt;  // non-canonical: leftover bits must be zero
    return out;
}

std::size_t encoded_size(const TokenChain& chain) noexcept
{
    return 1 + kTokenSize * chain.links.size();
}

std::vector<std::uint8_t> encode_chain(const TokenChain& chain)
{
    std::vector<std::uint8_t> out(encoded_size(chain));
    out[0] = static_cast<std::uint8_t>(chain.links.size());
    for (std::size_t i = 0; i < chain.links.size(); ++i) {
        encode(chain.links[i], std::span<std::uint8_t, kTokenSize>(out.data() + 1 + i * kTokenSize, kTokenSize));
    }
    return out;
}

std::optional<TokenChain> decode_chain(std::span<const std::uint8_t> bytes, std::string* error)
{
    auto fail = [&](const std::string& what) -> std::optional<TokenChain> {
        if (error != nullptr) *error = what;
        return std::nullopt;
    };
    if (bytes.empty()) return fail("empty input (a chain starts with its link count)");
    const std::size_t count = bytes[0];
    if (count > kMaxEncodedLinks) return fail("chain claims " + std::to_string(count) + " links (at most 16 are decoded)");
    if (bytes.size() != 1 + count * kTokenSize) {
        return fail("chain of " + std::to_string(count) + " links must be " + std::to_string(1 + count * kTokenSize) +
                    " bytes, got " + std::to_string(bytes.size()));
    }
    TokenChain chain;
    chain.links.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::string why;
        auto t = decode(bytes.subspan(1 + i * kTokenSize, kTokenSize), &why);
        if (!t) return fail("link " + std::to_string(i) + ": " + why);
        chain.links.push_back(*t);
    }
    return chain;
}

std::string to_text(const TokenChain& chain)
{
    return std::string(kTextPrefix) + base64url_encode(encode_chain(chain));
}

std::optional<TokenChain> from_text(std::string_view text, std::string* error)
{
    auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    if (text.substr(0, kTextPrefix.size()) != kTextPrefix) {
        if (error != nullptr) *error = "not a token chain (expected text starting with \"net-token-v1.\")";
        return std::nullopt;
    }
    const auto bytes = base64url_decode(text.substr(kTextPrefix.size()));
    if (!bytes) {
        if (error != nullptr) *error = "not base64url after \"net-token-v1.\"";
        return std::nullopt;
    }
    return decode_chain(*bytes, error);
}

}  // namespace net::kernel::token
