// Fuzzes the token decoders: token::decode_chain (binary), token::from_text (the one-line text
// form) and verification of whatever decodes.
//
// Properties:
// - Nothing the decoders accept crashes verification; verdicts are one of the documented reasons.
// - What decode_chain accepts re-encodes to the input bytes; what from_text accepts re-encodes to
//   the trimmed input text (base64url is canonical: leftover bits must be zero).
// - A decoded chain's every token re-decodes to itself.
// - Verification is deterministic: verify == check_time(check_chain).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "net/kernel/token/verify.hpp"

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

net::kernel::token::TrustConfig trust_of(const net::kernel::token::TokenChain& chain)
{
    net::kernel::token::TrustConfig trust;
    if (!chain.empty()) trust.roots.push_back(chain.links.front().issuer);  // reach the deeper checks
    return trust;
}

void verify_all(const net::kernel::token::TokenChain& chain, std::span<const std::uint8_t> data)
{
    using namespace net::kernel::token;
    Request r;
    r.channel_hash = data.size() > 8 ? data[1] : kAnyChannel;
    r.scope = data.size() > 2 ? static_cast<std::uint8_t>(data[2] & scope::all) : 0;
    if (data.size() > 3 && (data[3] & 1)) r.presenter = data[3];
    r.now = 1'700'000'000;
    const auto trust = trust_of(chain);
    const Verdict a = verify(chain, r, trust);
    const Verdict b = check_time(check_chain(chain, r, trust), r.now, trust.skew_seconds);
    check(a.reason == b.reason && a.link == b.link);
    check(reason_from_byte(static_cast<std::uint8_t>(a.reason)).has_value());
    check(!a.message().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace net::kernel::token;
    const std::span<const std::uint8_t> in(data, size);
    if (auto chain = decode_chain(in)) {
        const auto again = encode_chain(*chain);
        check(again.size() == size && std::equal(again.begin(), again.end(), data));
        for (const auto& t : chain->links) {
            const auto bytes = encode(t);
            check(decode(bytes).value() == t);
        }
        if (chain->size() <= 4) verify_all(*chain, in);  // bound the Ed25519 work per input
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto chain = from_text(text)) {
        std::string_view trimmed = text;
        auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
        while (!trimmed.empty() && space(trimmed.front())) trimmed.remove_prefix(1);
        while (!trimmed.empty() && space(trimmed.back())) trimmed.remove_suffix(1);
        check(to_text(*chain) == trimmed);
    }
    if (size <= 64) (void)base64url_decode(text);
    return 0;
}
