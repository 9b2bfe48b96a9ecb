// bench_noise_handshake.cpp — a full Noise NKpsk0 handshake, both sides in one process (initialize,
// two messages, split), in handshakes/s for ChaChaPoly and AESGCM, beside the raw cost of the
// X25519 work the handshake does, measured in the same run with Botan directly: 2 base-point
// multiplications (the two ephemeral key pairs) and 4 DH (es, ee on each side). The ratio is the share of the handshake
// spent in X25519; the rest is framework (BLAKE2b/HMAC, AEAD, RNG, allocation). Median of 5 repetitions. Usage:
// bench_noise_handshake [--quick]   (--quick: a few handshakes, a smoke run for ctest)
#include <botan/curve25519.h>
#include <botan/system_rng.h>

#include <cstdio>
#include <vector>

#include "bench_common.hpp"
#include "net/kernel/crypto/noise_handshake.hpp"

using namespace net::kernel::crypto;

namespace {

constexpr int kRepetitions = 5;

struct Keys {
    NoiseHandshakeConfig initiator;
    NoiseHandshakeConfig responder;
};

Keys make_keys(NoiseCipher cipher)
{
    Keys k;
    const std::string name = std::string("Noise_NKpsk0_25519_") + noise_cipher_name(cipher) + "_BLAKE2b";
    Botan::secure_vector<std::uint8_t> psk(kNoisePskLen);
    Botan::system_rng().randomize(psk.data(), psk.size());
    const auto responder_static = noise_generate_private_key();
    k.initiator.protocol_name = k.responder.protocol_name = name;
    k.initiator.role = NoiseRole::initiator;
    k.responder.role = NoiseRole::responder;
    k.initiator.prologue = k.responder.prologue = std::vector<std::uint8_t>(40, 0x5a);  // two node ids + suite
    k.initiator.remote_static = noise_public_key(responder_static);
    k.responder.local_static = responder_static;
    k.responder.local_static_public = noise_public_key(responder_static);  // as a node keeps it
    k.initiator.psks = {psk};
    k.responder.psks = {psk};
    return k;
}

// Returns false if any step fails (which would make the figure meaningless).
bool handshake(const Keys& keys)
{
    NoiseHandshake initiator, responder;
    std::vector<std::uint8_t> wire, payload;
    NoiseTransport a, b;
    const bool ok = initiator.initialize(keys.initiator) && responder.initialize(keys.responder) &&
                    initiator.write_message({}, wire) && responder.read_message(wire, payload) &&
                    responder.write_message({}, wire) && initiator.read_message(wire, payload) && initiator.split(a) &&
                    responder.split(b);
    net::bench::keep(a);
    net::bench::keep(b);
    return ok;
}

void x25519_reference(std::uint8_t* scalars, std::uint8_t* point)
{
    std::uint8_t out[32];
    for (int i = 0; i < 2; ++i) {
        Botan::curve25519_basepoint(out, scalars + 32 * i);
        net::bench::keep(out);
    }
    for (int i = 0; i < 4; ++i) {
        Botan::curve25519_donna(out, scalars + 32 * (i % 3), point);
        net::bench::keep(out);
        point[0] ^= out[1];  // chain so no call can be hoisted
    }
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    const int handshakes = quick ? 10 : 2000;

    std::uint8_t scalars[96];
    Botan::system_rng().randomize(scalars, sizeof scalars);
    auto point_key = noise_public_key(noise_generate_private_key());

    std::vector<double> reference;
    for (int r = 0; r < kRepetitions; ++r) {
        const double s = net::bench::seconds([&] {
            for (int i = 0; i < handshakes; ++i) x25519_reference(scalars, point_key.data());
        });
        reference.push_back(handshakes / s);
    }
    const double reference_rate = net::bench::median(reference);

    std::printf("Noise NKpsk0 handshake (both sides, in process), median of %d x %d handshakes\n", kRepetitions,
                handshakes);
    std::printf("  %-34s %12.0f /s   (reference: 2 base-point mults + 4 X25519 DH, Botan)\n",
                "X25519 work of one handshake", reference_rate);
    int status = 0;
    for (auto cipher : {NoiseCipher::chacha_poly, NoiseCipher::aes_gcm}) {
        const auto keys = make_keys(cipher);
        std::vector<double> rates;
        bool ok = true;
        handshake(keys);  // warm up
        for (int r = 0; r < kRepetitions; ++r) {
            const double s = net::bench::seconds([&] {
                for (int i = 0; i < handshakes; ++i) ok = handshake(keys) && ok;
            });
            rates.push_back(handshakes / s);
        }
        if (!ok) {
            std::fprintf(stderr, "handshake failed (%s)\n", noise_cipher_name(cipher));
            status = 1;
        }
        const double rate = net::bench::median(rates);
        std::printf("  %-34s %12.0f /s   X25519 share %.0f%% (handshake costs %.2fx its X25519 work)\n",
                    (std::string("NKpsk0_25519_") + noise_cipher_name(cipher) + "_BLAKE2b").c_str(), rate,
                    100.0 * rate / reference_rate, reference_rate / rate);
    }
    return status;
}
