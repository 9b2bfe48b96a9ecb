// noise_protocol.cpp — protocol name parsing and the handshake pattern table.
#include "net/kernel/crypto/noise_protocol.hpp"

#include <algorithm>
#include <charconv>

namespace net::kernel::crypto {
namespace {

// To add a pattern, add a row: pre-messages and messages as space-separated tokens, messages
// separated by '|' (Noise spec, section 7).
struct PatternRow {
    std::string_view name;
    std::string_view initiator_pre;
    std::string_view responder_pre;
    std::string_view messages;
};

constexpr PatternRow kPatterns[] = {
    {"NN", "", "", "e|e ee"},
    {"NK", "", "s", "e es|e ee"},
    {"IK", "", "s", "e es s ss|e ee se"},
    {"XX", "", "", "e|e ee s es|s se"},
};

bool parse_token(std::string_view word, NoiseToken& out)
{
    static constexpr std::pair<std::string_view, NoiseToken> kTokens[] = {
        {"e", NoiseToken::e},   {"s", NoiseToken::s},   {"ee", NoiseToken::ee},   {"es", NoiseToken::es},
        {"se", NoiseToken::se}, {"ss", NoiseToken::ss}, {"psk", NoiseToken::psk},
    };
    for (const auto& [name, token] : kTokens) {
        if (name == word) {
            out = token;
            return true;
        }
    }
    return false;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

std::vector<NoiseToken> parse_tokens(std::string_view text)
{
    std::vector<NoiseToken> tokens;
    for (auto word : split(text, ' ')) {
        NoiseToken token{};
        if (!word.empty() && parse_token(word, token)) tokens.push_back(token);
    }
    return tokens;
}

bool contains(const std::vector<NoiseToken>& tokens, NoiseToken token)
{
    return std::find(tokens.begin(), tokens.end(), token) != tokens.end();
}

// pskN: N == 0 puts a psk token at the start of the first message, otherwise at the end of
// message N (Noise spec, section 9.2).
bool apply_psk_modifier(std::string_view modifier, NoisePattern& pattern)
{
    if (modifier.size() < 4 || modifier.substr(0, 3) != "psk") return false;
    unsigned position = 0;
    const auto digits = modifier.substr(3);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return false;
    if (position > pattern.messages.size()) return false;
    if (position == 0) {
        auto& first = pattern.messages.front();
        first.insert(first.begin(), NoiseToken::psk);
    } else {
        pattern.messages[position - 1].push_back(NoiseToken::psk);
    }
    return true;
}

}  // namespace

std::size_t NoisePattern::psk_count() const noexcept
{
    std::size_t count = 0;
    for (const auto& message : messages)
        count += static_cast<std::size_t>(std::count(message.begin(), message.end(), NoiseToken::psk));
    return count;
}

bool NoisePattern::needs_local_static(NoiseRole role) const noexcept
{
    const auto& pre = role == NoiseRole::initiator ? initiator_pre : responder_pre;
    if (contains(pre, NoiseToken::s)) return true;
    const std::size_t first = role == NoiseRole::initiator ? 0 : 1;
    for (std::size_t i = first; i < messages.size(); i += 2) {
        if (contains(messages[i], NoiseToken::s)) return true;
    }
    // Patterns that DH with our static (es for the responder, se for the initiator, ss).
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (contains(messages[i], NoiseToken::ss)) return true;
        if (contains(messages[i], role == NoiseRole::initiator ? NoiseToken::se : NoiseToken::es)) return true;
    }
    return false;
}

bool NoisePattern::needs_remote_static(NoiseRole role) const noexcept
{
    return contains(role == NoiseRole::initiator ? responder_pre : initiator_pre, NoiseToken::s);
}

NoiseResult find_noise_pattern(std::string_view name, NoisePattern& out) noexcept
{
    try {
        std::size_t base_len = 0;
        while (base_len < name.size() && name[base_len] >= 'A' && name[base_len] <= 'Z') ++base_len;
        const auto base = name.substr(0, base_len);
        const auto row = std::find_if(std::begin(kPatterns), std::end(kPatterns),
                                      [&](const PatternRow& r) { return r.name == base; });
        if (base.empty() || row == std::end(kPatterns)) {
            return NoiseResult::failure(NoiseStatus::unsupported, "unsupported: " + std::string(name));
        }
        NoisePattern pattern;
        pattern.name = std::string(name);
        pattern.initiator_pre = parse_tokens(row->initiator_pre);
        pattern.responder_pre = parse_tokens(row->responder_pre);
        for (auto message : split(row->messages, '|')) pattern.messages.push_back(parse_tokens(message));
        if (base_len < name.size()) {
            for (auto modifier : split(name.substr(base_len), '+')) {
                if (!apply_psk_modifier(modifier, pattern)) {
                    return NoiseResult::failure(NoiseStatus::unsupported, "unsupported: " + std::string(modifier));
                }
            }
        }
        out = std::move(pattern);
        return NoiseResult::success();
    } catch (const std::exception& e) {
        return NoiseResult::failure(NoiseStatus::internal_error, e.what());
    }
}

std::vector<std::string> noise_base_patterns()
{
    std::vector<std::string> names;
    for (const auto& row : kPatterns) names.emplace_back(row.name);
    return names;
}

const char* noise_cipher_name(NoiseCipher cipher) noexcept
{
    return cipher == NoiseCipher::aes_gcm ? "AESGCM" : "ChaChaPoly";
}

NoiseResult parse_noise_protocol(std::string_view name, NoiseProtocol& out) noexcept
{
    try {
        const auto parts = split(name, '_');
        if (parts.size() != 5 || parts[0] != "Noise" ||
            std::any_of(parts.begin(), parts.end(), [](std::string_view p) { return p.empty(); })) {
            return NoiseResult::failure(NoiseStatus::invalid_argument,
                                        "malformed protocol name \"" + std::string(name) +
                                            "\" (expected Noise_<pattern>_<dh>_<cipher>_<hash>)");
        }
        std::vector<std::string> unsupported;
        NoiseProtocol protocol;
        protocol.name = std::string(name);
        if (auto found = find_noise_pattern(parts[1], protocol.pattern); !found) {
            if (found.status != NoiseStatus::unsupported) return found;
            unsupported.emplace_back(found.message.substr(found.message.find(": ") + 2));
        }
        if (parts[2] != "25519") unsupported.emplace_back(parts[2]);
        if (parts[3] == "ChaChaPoly") {
            protocol.cipher = NoiseCipher::chacha_poly;
        } else if (parts[3] == "AESGCM") {
            protocol.cipher = NoiseCipher::aes_gcm;
        } else {
            unsupported.emplace_back(parts[3]);
        }
        if (parts[4] != "BLAKE2b") unsupported.emplace_back(parts[4]);
        if (!unsupported.empty()) {
            std::string message = "unsupported: ";
            for (std::size_t i = 0; i < unsupported.size(); ++i) message += (i ? ", " : "") + unsupported[i];
            return NoiseResult::failure(NoiseStatus::unsupported, std::move(message));
        }
        out = std::move(protocol);
        return NoiseResult::success();
    } catch (const std::exception& e) {
        return NoiseResult::failure(NoiseStatus::internal_error, e.what());
    }
}

}  // namespace net::kernel::crypto
