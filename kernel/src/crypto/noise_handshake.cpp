// noise_handshake.cpp — the Noise HandshakeState (spec section 5.3) driven by a pattern table.
#include "net/kernel/crypto/noise_handshake.hpp"

#include <string>

#include "noise_dh.hpp"
#include "noise_symmetric_state.hpp"

namespace net::kernel::crypto {
namespace {

using Bytes = std::span<const std::uint8_t>;

struct KeyPair {
    Botan::secure_vector<std::uint8_t> private_key;
    NoiseKey public_key{};
    bool present = false;

    void set(Botan::secure_vector<std::uint8_t> key, const std::optional<NoiseKey>& known_public = std::nullopt)
    {
        private_key = std::move(key);
        public_key = known_public ? *known_public : noise_public_key(private_key);
        present = true;
    }
};

// Thrown inside the engine and turned into a NoiseResult at the API boundary.
struct NoiseFailure {
    NoiseResult result;
};

[[noreturn]] void fail(NoiseStatus status, std::string message)
{
    throw NoiseFailure{NoiseResult::failure(status, std::move(message))};
}

const char* token_name(NoiseToken token)
{
    switch (token) {
        case NoiseToken::e:
            return "e";
        case NoiseToken::s:
            return "s";
        case NoiseToken::ee:
            return "ee";
        case NoiseToken::es:
            return "es";
        case NoiseToken::se:
            return "se";
        case NoiseToken::ss:
            return "ss";
        case NoiseToken::psk:
            return "psk";
    }
    return "?";
}

}  // namespace

struct NoiseHandshake::State {
    NoiseProtocol protocol;
    NoiseRole role = NoiseRole::initiator;
    NoiseSymmetricState symmetric;
    KeyPair s;
    KeyPair e;
    std::optional<NoiseKey> rs;
    std::optional<NoiseKey> re;
    std::vector<Botan::secure_vector<std::uint8_t>> psks;
    std::size_t next_psk = 0;
    Botan::secure_vector<std::uint8_t> fixed_ephemeral;
    std::size_t message_index = 0;
    bool failed = false;
    bool split_done = false;

    bool complete() const { return message_index >= protocol.pattern.messages.size(); }
    bool my_turn() const { return (message_index % 2 == 0) == (role == NoiseRole::initiator); }
    std::string message_label() const { return "handshake message " + std::to_string(message_index + 1); }

    void mix_key_dh(const KeyPair& local, const std::optional<NoiseKey>& remote, NoiseToken token)
    {
        if (!local.present || !remote)
            fail(NoiseStatus::bad_state, std::string("token ") + token_name(token) + " lacks a key");
        Botan::secure_vector<std::uint8_t> shared;
        if (!noise_dh(local.private_key, *remote, shared)) {
            fail(NoiseStatus::dh_failed,
                 message_label() + ": X25519 result is all zero (low-order public key) in " + token_name(token));
        }
        symmetric.mix_key(shared);
    }

    void process_dh(NoiseToken token)
    {
        const bool initiator = role == NoiseRole::initiator;
        switch (token) {
            case NoiseToken::ee:
                mix_key_dh(e, re, token);
                break;
            case NoiseToken::es:
                initiator ? mix_key_dh(e, rs, token) : mix_key_dh(s, re, token);
                break;
            case NoiseToken::se:
                initiator ? mix_key_dh(s, re, token) : mix_key_dh(e, rs, token);
                break;
            case NoiseToken::ss:
                mix_key_dh(s, rs, token);
                break;
            case NoiseToken::psk:
                if (next_psk >= psks.size()) fail(NoiseStatus::bad_state, "pattern needs more PSKs than configured");
                symmetric.mix_key_and_hash(psks[next_psk++]);
                break;
            default:
                break;
        }
    }

    void mix_ephemeral(Bytes public_key)
    {
        symmetric.mix_hash(public_key);
        if (protocol.pattern.has_psk()) symmetric.mix_key(public_key);
    }

    void write(Bytes payload, std::vector<std::uint8_t>& out)
    {
        for (auto token : protocol.pattern.messages[message_index]) {
            if (token == NoiseToken::e) {
                e.set(fixed_ephemeral.empty() ? noise_generate_private_key() : fixed_ephemeral);
                out.insert(out.end(), e.public_key.begin(), e.public_key.end());
                mix_ephemeral(e.public_key);
            } else if (token == NoiseToken::s) {
                if (!s.present) fail(NoiseStatus::bad_state, "pattern sends a static key but none is configured");
                check(symmetric.encrypt_and_hash(s.public_key, out));
            } else {
                process_dh(token);
            }
        }
        check(symmetric.encrypt_and_hash(payload, out));
        if (out.size() > kNoiseMaxMessage) {
            fail(NoiseStatus::message_too_large,
                 message_label() + " would be " + std::to_string(out.size()) + " bytes; the Noise limit is 65535");
        }
        ++message_index;
    }

    void read(Bytes message, std::vector<std::uint8_t>& payload)
    {
        if (message.size() > kNoiseMaxMessage) {
            fail(NoiseStatus::message_too_large,
                 message_label() + " is " + std::to_string(message.size()) + " bytes; the Noise limit is 65535");
        }
        std::size_t offset = 0;
        auto take = [&](std::size_t n, const char* what) {
            if (message.size() - offset < n) {
                fail(NoiseStatus::truncated, message_label() + " truncated: " + what + " needs " + std::to_string(n) +
                                                 " bytes, " + std::to_string(message.size() - offset) + " left");
            }
            const auto part = message.subspan(offset, n);
            offset += n;
            return part;
        };
        for (auto token : protocol.pattern.messages[message_index]) {
            if (token == NoiseToken::e) {
                NoiseKey key{};
                const auto part = take(kNoiseDhLen, "ephemeral key");
                std::copy(part.begin(), part.end(), key.begin());
                re = key;
                mix_ephemeral(key);
            } else if (token == NoiseToken::s) {
                const auto part = take(kNoiseDhLen + (symmetric.has_key() ? kNoiseTagLen : 0), "static key");
                std::vector<std::uint8_t> plain;
                if (auto r = symmetric.decrypt_and_hash(part, plain); !r) {
                    fail(r.status, message_label() + ": static key: " + r.message);
                }
                NoiseKey key{};
                std::copy(plain.begin(), plain.end(), key.begin());
                rs = key;
            } else {
                process_dh(token);
            }
        }
        const auto rest = message.subspan(offset);
        if (symmetric.has_key() && rest.size() < kNoiseTagLen) {
            fail(NoiseStatus::truncated, message_label() + " truncated: payload needs at least 16 bytes, " +
                                             std::to_string(rest.size()) + " left");
        }
        payload.clear();
        if (auto r = symmetric.decrypt_and_hash(rest, payload); !r) {
            payload.clear();
            fail(r.status, message_label() + ": payload: " + r.message);
        }
        ++message_index;
    }

    static void check(const NoiseResult& result)
    {
        if (!result) throw NoiseFailure{result};
    }
};

NoiseHandshake::NoiseHandshake() noexcept = default;
NoiseHandshake::~NoiseHandshake() = default;
NoiseHandshake::NoiseHandshake(NoiseHandshake&&) noexcept = default;
NoiseHandshake& NoiseHandshake::operator=(NoiseHandshake&&) noexcept = default;

namespace {

// Runs `body` with every exception turned into a result; any error leaves the state failed.
template <class Body>
NoiseResult guarded(bool* failed, Body&& body) noexcept
{
    NoiseResult result;
    try {
        body();
        return result;
    } catch (const NoiseFailure& failure) {
        result = failure.result;
    } catch (const std::exception& e) {
        result = NoiseResult::failure(NoiseStatus::internal_error, std::string("crypto library error: ") + e.what());
    } catch (...) {
        result = NoiseResult::failure(NoiseStatus::internal_error, "unknown error");
    }
    if (failed != nullptr) *failed = true;
    return result;
}

std::string role_name(NoiseRole role)
{
    return role == NoiseRole::initiator ? "initiator" : "responder";
}

}  // namespace

NoiseResult NoiseHandshake::initialize(const NoiseHandshakeConfig& config) noexcept
{
    state_.reset();
    NoiseProtocol protocol;
    if (auto parsed = parse_noise_protocol(config.protocol_name, protocol); !parsed) return parsed;
    auto state = std::unique_ptr<State>();
    bool unused = false;
    auto result = guarded(&unused, [&] {
        const auto& pattern = protocol.pattern;
        const auto who = role_name(config.role);
        if (!config.local_static.empty() && config.local_static.size() != kNoiseDhLen) {
            fail(NoiseStatus::invalid_argument, "local static key must be 32 bytes");
        }
        if (!config.fixed_ephemeral.empty() && config.fixed_ephemeral.size() != kNoiseDhLen) {
            fail(NoiseStatus::invalid_argument, "fixed ephemeral key must be 32 bytes");
        }
        if (pattern.needs_local_static(config.role) && config.local_static.empty()) {
            fail(NoiseStatus::invalid_argument, pattern.name + " needs the " + who + "'s static private key");
        }
        if (pattern.needs_remote_static(config.role) && !config.remote_static) {
            fail(NoiseStatus::invalid_argument,
                 pattern.name + " needs the " + who + " to know the peer's static public key");
        }
        if (config.psks.size() != pattern.psk_count()) {
            fail(NoiseStatus::invalid_argument, pattern.name + " needs " + std::to_string(pattern.psk_count()) +
                                                    " PSK(s), " + std::to_string(config.psks.size()) + " given");
        }
        for (const auto& psk : config.psks) {
            if (psk.size() != kNoisePskLen) fail(NoiseStatus::invalid_argument, "PSKs must be 32 bytes");
        }
        state = std::make_unique<State>();
        state->role = config.role;
        state->symmetric.initialize(protocol.name, protocol.cipher);
        if (!config.local_static.empty()) state->s.set(config.local_static, config.local_static_public);
        if (pattern.needs_remote_static(config.role)) state->rs = config.remote_static;
        state->protocol = std::move(protocol);
        state->psks = config.psks;
        state->fixed_ephemeral = config.fixed_ephemeral;

        state->symmetric.mix_hash(config.prologue);
        // Pre-messages: the initiator's keys first, then the responder's (spec section 7.1).
        const auto& p = state->protocol.pattern;
        for (int side = 0; side < 2; ++side) {
            const bool initiator_side = side == 0;
            const bool mine = initiator_side == (config.role == NoiseRole::initiator);
            for (auto token : initiator_side ? p.initiator_pre : p.responder_pre) {
                if (token == NoiseToken::s) {
                    state->symmetric.mix_hash(mine ? std::span<const std::uint8_t>(state->s.public_key)
                                                   : std::span<const std::uint8_t>(*state->rs));
                } else if (token == NoiseToken::e) {
                    fail(NoiseStatus::unsupported, "unsupported: ephemeral pre-messages");
                }
            }
        }
    });
    if (result) state_ = std::move(state);
    return result;
}

NoiseResult NoiseHandshake::write_message(std::span<const std::uint8_t> payload,
                                          std::vector<std::uint8_t>& out) noexcept
{
    if (!state_) return NoiseResult::failure(NoiseStatus::bad_state, "handshake not initialized");
    auto& st = *state_;
    if (st.failed) return NoiseResult::failure(NoiseStatus::bad_state, "handshake already failed");
    if (st.complete()) return NoiseResult::failure(NoiseStatus::bad_state, "handshake already complete");
    if (!st.my_turn()) {
        st.failed = true;
        return NoiseResult::failure(NoiseStatus::bad_state, "not the " + role_name(st.role) + "'s turn to write");
    }
    auto result = guarded(&st.failed, [&] {
        out.clear();
        if (payload.size() > kNoiseMaxMessage) {
            fail(NoiseStatus::message_too_large,
                 "payload of " + std::to_string(payload.size()) + " bytes exceeds the Noise message limit of 65535");
        }
        st.write(payload, out);
    });
    if (!result) out.clear();
    return result;
}

NoiseResult NoiseHandshake::read_message(std::span<const std::uint8_t> message,
                                         std::vector<std::uint8_t>& payload) noexcept
{
    if (!state_) return NoiseResult::failure(NoiseStatus::bad_state, "handshake not initialized");
    auto& st = *state_;
    if (st.failed) return NoiseResult::failure(NoiseStatus::bad_state, "handshake already failed");
    if (st.complete()) return NoiseResult::failure(NoiseStatus::bad_state, "handshake already complete");
    if (st.my_turn()) {
        st.failed = true;
        return NoiseResult::failure(NoiseStatus::bad_state, "not the " + role_name(st.role) + "'s turn to read");
    }
    return guarded(&st.failed, [&] { st.read(message, payload); });
}

bool NoiseHandshake::is_initialized() const noexcept
{
    return state_ != nullptr;
}
bool NoiseHandshake::is_my_turn_to_write() const noexcept
{
    return state_ && !state_->failed && !state_->complete() && state_->my_turn();
}
bool NoiseHandshake::is_complete() const noexcept
{
    return state_ && !state_->failed && state_->complete();
}
bool NoiseHandshake::has_failed() const noexcept
{
    return state_ && state_->failed;
}

std::span<const std::uint8_t> NoiseHandshake::handshake_hash() const noexcept
{
    if (!state_) return {};
    return state_->symmetric.handshake_hash();
}

std::optional<NoiseKey> NoiseHandshake::remote_static() const noexcept
{
    if (!state_) return std::nullopt;
    return state_->rs;
}

NoiseResult NoiseHandshake::split(NoiseTransport& out) noexcept
{
    if (!state_) return NoiseResult::failure(NoiseStatus::bad_state, "handshake not initialized");
    auto& st = *state_;
    if (st.failed) return NoiseResult::failure(NoiseStatus::bad_state, "handshake already failed");
    if (!st.complete()) return NoiseResult::failure(NoiseStatus::bad_state, "handshake not complete");
    if (st.split_done) return NoiseResult::failure(NoiseStatus::bad_state, "handshake already split");
    return guarded(&st.failed, [&] {
        NoiseCipherState first, second;
        st.symmetric.split(first, second);
        const auto hash = st.symmetric.handshake_hash();
        out = st.role == NoiseRole::initiator ? NoiseTransport(std::move(first), std::move(second), hash)
                                              : NoiseTransport(std::move(second), std::move(first), hash);
        st.split_done = true;
        Botan::zap(st.e.private_key);
        Botan::zap(st.s.private_key);
        for (auto& psk : st.psks) Botan::zap(psk);
        Botan::zap(st.fixed_ephemeral);
    });
}

}  // namespace net::kernel::crypto
