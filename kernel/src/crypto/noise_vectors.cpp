// noise_vectors.cpp — the cacophony vector runner behind `net-mesh selftest noise` and the tests.
#include "net/kernel/crypto/noise_vectors.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "net/kernel/crypto/noise_handshake.hpp"
#include "net/kernel/wire/hex.hpp"

namespace net::kernel::crypto {
namespace {

using Json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

struct VectorFailure {
    std::string reason;
};

Bytes from_hex(const std::string& text, const std::string& field)
{
    Bytes out(wire::hex_decoded_size(text.size()));
    const auto decoded = wire::hex_decode(text, out);
    if (!decoded) throw VectorFailure{field + ": " + std::string(wire::wire_error_description(decoded.error()))};
    return out;
}

std::string short_hex(std::span<const std::uint8_t> bytes)
{
    auto hex = wire::hex_string(bytes);
    return hex.size() > 24 ? hex.substr(0, 24) + "..." : hex;
}

Bytes field_bytes(const Json& vector, const std::string& name)
{
    if (!vector.contains(name)) return {};
    if (!vector[name].is_string()) throw VectorFailure{name + ": expected a hex string"};
    return from_hex(vector[name].get<std::string>(), name);
}

Botan::secure_vector<std::uint8_t> secret(const Json& vector, const std::string& name)
{
    const auto bytes = field_bytes(vector, name);
    return Botan::secure_vector<std::uint8_t>(bytes.begin(), bytes.end());
}

std::optional<NoiseKey> public_key(const Json& vector, const std::string& name)
{
    const auto bytes = field_bytes(vector, name);
    if (bytes.empty()) return std::nullopt;
    if (bytes.size() != kNoiseDhLen) throw VectorFailure{name + ": expected 32 bytes"};
    NoiseKey key{};
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

NoiseHandshakeConfig side_config(const Json& vector, const std::string& protocol_name, NoiseRole role)
{
    const std::string prefix = role == NoiseRole::initiator ? "init_" : "resp_";
    NoiseHandshakeConfig config;
    config.protocol_name = protocol_name;
    config.role = role;
    config.prologue = field_bytes(vector, prefix + "prologue");
    config.local_static = secret(vector, prefix + "static");
    config.fixed_ephemeral = secret(vector, prefix + "ephemeral");
    config.remote_static = public_key(vector, prefix + "remote_static");
    if (vector.contains(prefix + "psks")) {
        for (const auto& psk : vector[prefix + "psks"]) {
            if (!psk.is_string()) throw VectorFailure{prefix + "psks: expected hex strings"};
            const auto bytes = from_hex(psk.get<std::string>(), prefix + "psks");
            config.psks.emplace_back(bytes.begin(), bytes.end());
        }
    }
    return config;
}

void expect(const NoiseResult& result, const std::string& what)
{
    if (!result) throw VectorFailure{what + ": " + noise_status_name(result.status) + ": " + result.message};
}

void expect_equal(std::span<const std::uint8_t> got, std::span<const std::uint8_t> want, const std::string& what)
{
    if (!std::equal(got.begin(), got.end(), want.begin(), want.end())) {
        const auto at = std::mismatch(got.begin(), got.end(), want.begin(), want.end()).first - got.begin();
        throw VectorFailure{what + " differs at byte " + std::to_string(at) + " (got " + std::to_string(got.size()) +
                            " bytes " + short_hex(got) + ", expected " + std::to_string(want.size()) + " bytes " +
                            short_hex(want) + ")"};
    }
}

void run_one(const Json& vector, NoiseVectorResult& result)
{
    NoiseProtocol protocol;
    if (auto parsed = parse_noise_protocol(result.protocol_name, protocol); !parsed) {
        if (parsed.status == NoiseStatus::unsupported) {
            result.outcome = NoiseVectorOutcome::unsupported;
            result.reason = parsed.message;
            return;
        }
        throw VectorFailure{parsed.message};
    }
    if (vector.contains("init_psks") != vector.contains("resp_psks"))
        throw VectorFailure{"psks given for one side only"};

    NoiseHandshake initiator;
    NoiseHandshake responder;
    expect(initiator.initialize(side_config(vector, result.protocol_name, NoiseRole::initiator)), "initiator setup");
    expect(responder.initialize(side_config(vector, result.protocol_name, NoiseRole::responder)), "responder setup");

    if (!vector.contains("messages") || !vector["messages"].is_array()) throw VectorFailure{"no messages"};
    const auto& messages = vector["messages"];
    const std::size_t handshake_messages = protocol.pattern.messages.size();
    if (messages.size() < handshake_messages) throw VectorFailure{"fewer messages than the handshake needs"};

    NoiseTransport initiator_transport;
    NoiseTransport responder_transport;
    Bytes wire, payload;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& message = messages[i];
        if (!message.is_object()) throw VectorFailure{"message " + std::to_string(i) + " is not an object"};
        const auto expected_payload = field_bytes(message, "payload");
        const auto expected_ciphertext = field_bytes(message, "ciphertext");
        const bool from_initiator = i % 2 == 0;
        const std::string label = "message " + std::to_string(i) + (from_initiator ? " (initiator" : " (responder");
        if (i < handshake_messages) {
            auto& sender = from_initiator ? initiator : responder;
            auto& receiver = from_initiator ? responder : initiator;
            expect(sender.write_message(expected_payload, wire), label + " write)");
            expect_equal(wire, expected_ciphertext, label + ") ciphertext");
            expect(receiver.read_message(expected_ciphertext, payload), label + " read)");
            expect_equal(payload, expected_payload, label + ") payload");
            if (i + 1 == handshake_messages) {
                if (!initiator.is_complete() || !responder.is_complete()) throw VectorFailure{"handshake not complete"};
                const auto expected_hash = field_bytes(vector, "handshake_hash");
                if (!expected_hash.empty()) {
                    expect_equal(initiator.handshake_hash(), expected_hash, "initiator handshake hash");
                    expect_equal(responder.handshake_hash(), expected_hash, "responder handshake hash");
                }
                expect(initiator.split(initiator_transport), "initiator split");
                expect(responder.split(responder_transport), "responder split");
            }
        } else {
            auto& sender = from_initiator ? initiator_transport : responder_transport;
            auto& receiver = from_initiator ? responder_transport : initiator_transport;
            expect(sender.encrypt(expected_payload, wire), label + " encrypt)");
            expect_equal(wire, expected_ciphertext, label + ") ciphertext");
            expect(receiver.decrypt(expected_ciphertext, payload), label + " decrypt)");
            expect_equal(payload, expected_payload, label + ") payload");
        }
    }
    result.outcome = NoiseVectorOutcome::pass;
}

}  // namespace

const char* noise_vector_outcome_name(NoiseVectorOutcome outcome) noexcept
{
    switch (outcome) {
        case NoiseVectorOutcome::pass:
            return "pass";
        case NoiseVectorOutcome::fail:
            return "fail";
        case NoiseVectorOutcome::unsupported:
            return "unsupported";
    }
    return "unknown";
}

std::size_t NoiseVectorReport::count(NoiseVectorOutcome outcome) const noexcept
{
    std::size_t n = 0;
    for (const auto& r : results) n += r.outcome == outcome ? 1 : 0;
    return n;
}

NoiseVectorReport run_noise_vectors(std::string_view json_text) noexcept
{
    NoiseVectorReport report;
    try {
        const auto document = Json::parse(json_text);
        if (!document.is_object() || !document.contains("vectors") || !document["vectors"].is_array()) {
            report.error = "not a cacophony vector file: expected an object with a \"vectors\" array";
            return report;
        }
        report.loaded = true;
        const auto& vectors = document["vectors"];
        for (std::size_t i = 0; i < vectors.size(); ++i) {
            NoiseVectorResult result;
            result.index = i;
            try {
                const auto& vector = vectors[i];
                const auto name = vector.is_object() ? vector.value("protocol_name", Json()) : Json();
                if (!name.is_string()) throw VectorFailure{"missing protocol_name"};
                result.protocol_name = name.get<std::string>();
                run_one(vector, result);
            } catch (const VectorFailure& failure) {
                result.outcome = NoiseVectorOutcome::fail;
                result.reason = failure.reason;
            } catch (const std::exception& e) {
                result.outcome = NoiseVectorOutcome::fail;
                result.reason = std::string("malformed vector: ") + e.what();
            }
            report.results.push_back(std::move(result));
        }
    } catch (const std::exception& e) {
        report.loaded = false;
        report.error = std::string("cannot parse vector file: ") + e.what();
    }
    return report;
}

NoiseVectorReport run_noise_vector_file(const std::filesystem::path& path) noexcept
{
    try {
        std::ifstream file(path, std::ios::binary);
        if (!file) {
            NoiseVectorReport report;
            report.error = "cannot open " + path.string();
            return report;
        }
        std::ostringstream text;
        text << file.rdbuf();
        return run_noise_vectors(text.str());
    } catch (const std::exception& e) {
        NoiseVectorReport report;
        report.error = "cannot read " + path.string() + ": " + e.what();
        return report;
    }
}

}  // namespace net::kernel::crypto
