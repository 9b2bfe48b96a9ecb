// noise_transport.cpp — transport messages after split (Noise spec, section 5).
#include "net/kernel/crypto/noise_transport.hpp"

#include <string>

namespace net::kernel::crypto {

NoiseTransport::NoiseTransport(NoiseCipherState send, NoiseCipherState receive,
                               std::span<const std::uint8_t> handshake_hash)
    : send_(std::move(send)),
      receive_(std::move(receive)),
      handshake_hash_(handshake_hash.begin(), handshake_hash.end())
{
}

NoiseResult NoiseTransport::encrypt(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) noexcept
{
    out.clear();
    if (!send_.has_key()) return NoiseResult::failure(NoiseStatus::bad_state, "transport has no send key");
    if (payload.size() + kNoiseTagLen > kNoiseMaxMessage) {
        return NoiseResult::failure(NoiseStatus::message_too_large,
                                    "payload of " + std::to_string(payload.size()) + " bytes exceeds the Noise limit");
    }
    return send_.encrypt_with_ad({}, payload, out);
}

NoiseResult NoiseTransport::decrypt(std::span<const std::uint8_t> message, std::vector<std::uint8_t>& out) noexcept
{
    out.clear();
    if (!receive_.has_key()) return NoiseResult::failure(NoiseStatus::bad_state, "transport has no receive key");
    if (message.size() > kNoiseMaxMessage) {
        return NoiseResult::failure(NoiseStatus::message_too_large,
                                    "message of " + std::to_string(message.size()) + " bytes exceeds the Noise limit");
    }
    return receive_.decrypt_with_ad({}, message, out);
}

}  // namespace net::kernel::crypto
