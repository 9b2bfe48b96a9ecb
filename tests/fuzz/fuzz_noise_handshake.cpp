// Fuzzes the Noise handshake engine with fixed keys: arbitrary bytes as the first handshake
// message to a responder, as the second to an initiator, as a corrupted (XORed) valid first
// message, and as transport messages. Every input must end in a result, never a crash or throw.
// The first input byte picks the mode and the cipher.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/kernel/crypto/noise_handshake.hpp"

namespace {

using namespace net::kernel::crypto;
using Bytes = std::vector<std::uint8_t>;

Botan::secure_vector<std::uint8_t> fixed_key(std::uint8_t seed)
{
    Botan::secure_vector<std::uint8_t> key(32);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(seed + i * 7);
    return key;
}

NoiseHandshakeConfig config(const char* pattern, NoiseCipher cipher, NoiseRole role)
{
    NoiseHandshakeConfig c;
    c.protocol_name = std::string("Noise_") + pattern + "_25519_" + noise_cipher_name(cipher) + "_BLAKE2b";
    c.role = role;
    c.prologue = {'f', 'u', 'z', 'z'};
    c.fixed_ephemeral = fixed_key(role == NoiseRole::initiator ? 1 : 2);
    const bool psk = std::string(pattern).find("psk") != std::string::npos;
    if (psk) c.psks.push_back(fixed_key(3));
    const bool initiator_has_static = pattern[0] != 'N';  // IK and XX send it; NK does not
    if (role == NoiseRole::responder || initiator_has_static) {
        c.local_static = fixed_key(role == NoiseRole::initiator ? 4 : 5);
    }
    if (role == NoiseRole::initiator && pattern[0] != 'X') c.remote_static = noise_public_key(fixed_key(5));
    return c;
}

// Runs what is left of a handshake (if it got that far), then feeds `data` to the transports.
void finish(NoiseHandshake& initiator, NoiseHandshake& responder, std::span<const std::uint8_t> data)
{
    Bytes wire, payload;
    for (int i = 0; i < 4 && !(initiator.is_complete() && responder.is_complete()); ++i) {
        auto& sender = initiator.is_my_turn_to_write() ? initiator : responder;
        auto& receiver = &sender == &initiator ? responder : initiator;
        if (!sender.write_message(data.first(data.size() < 64 ? data.size() : 64), wire)) return;
        if (!receiver.read_message(wire, payload)) return;
    }
    NoiseTransport a, b;
    if (!initiator.split(a) || !responder.split(b)) return;
    (void)b.decrypt(data, payload);
    (void)a.decrypt(data, payload);
    if (a.encrypt(data.first(data.size() < 256 ? data.size() : 256), wire)) (void)b.decrypt(wire, payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
    if (size == 0) return 0;
    const std::uint8_t selector = bytes[0];
    const std::span<const std::uint8_t> data(bytes + 1, size - 1);
    const auto cipher = (selector & 1) ? NoiseCipher::aes_gcm : NoiseCipher::chacha_poly;
    const char* pattern = (selector & 8) ? "XX" : ((selector & 16) ? "IK" : "NKpsk0");
    NoiseHandshake initiator, responder;
    if (!initiator.initialize(config(pattern, cipher, NoiseRole::initiator)) ||
        !responder.initialize(config(pattern, cipher, NoiseRole::responder))) {
        __builtin_trap();
    }
    Bytes wire, payload;
    switch ((selector >> 1) & 3) {
        case 0:  // arbitrary first message to the responder
            if (responder.read_message(data, payload)) {
                (void)responder.write_message(payload, wire);
                (void)initiator.read_message(wire, payload);
            }
            break;
        case 1:  // arbitrary second message to the initiator
            if (initiator.write_message({}, wire)) (void)initiator.read_message(data, payload);
            break;
        case 2: {  // a valid first message XORed with the input, then the rest of the handshake
            if (!initiator.write_message({}, wire)) __builtin_trap();
            for (std::size_t i = 0; i < data.size(); ++i) {
                if (i < wire.size()) {
                    wire[i] ^= data[i];
                } else {
                    wire.push_back(data[i]);
                }
            }
            if (responder.read_message(wire, payload)) finish(initiator, responder, data);
            break;
        }
        default:  // an honest handshake, then arbitrary transport messages
            finish(initiator, responder, data);
            break;
    }
    return 0;
}
