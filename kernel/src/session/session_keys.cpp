// session_keys.cpp — derivations from the handshake: session id, nonce prefixes, packet keys.
#include "session_keys.hpp"

#include <botan/hash.h>
#include <botan/mem_ops.h>

#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "net/kernel/wire/byte_order.hpp"

namespace net::kernel::session::detail {

namespace {
constexpr char kPacketKeyLabel[] = "net/session packet key";
}

std::uint64_t session_id_from_hash(std::span<const std::uint8_t> handshake_hash) noexcept
{
    if (handshake_hash.size() < 8) return 0;
    return wire::load_le<std::uint64_t>(handshake_hash.data());
}

SessionResult derive_nonce_prefix(const char* label, std::span<const std::uint8_t> handshake_hash,
                                  std::array<std::uint8_t, 4>& out) noexcept
{
    try {
        auto hash = Botan::HashFunction::create_or_throw("BLAKE2b(512)");
        hash->update(reinterpret_cast<const std::uint8_t*>(label), std::strlen(label));
        hash->update(handshake_hash.data(), handshake_hash.size());
        const auto digest = hash->final();
        std::memcpy(out.data(), digest.data(), out.size());
        return SessionResult::success();
    } catch (const std::exception& e) {
        return SessionResult::failure(SessionError::internal, std::string("nonce prefix: ") + e.what());
    }
}

SessionResult derive_packet_key(crypto::NoiseCipherState& chain, std::array<std::uint8_t, 32>& out) noexcept
{
    if (!chain.has_key()) return SessionResult::failure(SessionError::bad_state, "key chain has no key");
    const std::uint64_t saved = chain.nonce();
    chain.set_nonce(0);
    const std::array<std::uint8_t, 32> zeros{};
    std::vector<std::uint8_t> block;
    const auto ad = std::span(reinterpret_cast<const std::uint8_t*>(kPacketKeyLabel), sizeof(kPacketKeyLabel) - 1);
    const auto r = chain.encrypt_with_ad(ad, zeros, block);
    chain.set_nonce(saved);
    if (!r || block.size() < out.size()) {
        return SessionResult::failure(SessionError::internal, "packet key derivation failed: " + r.message);
    }
    std::memcpy(out.data(), block.data(), out.size());
    Botan::secure_scrub_memory(block.data(), block.size());
    return SessionResult::success();
}

}  // namespace net::kernel::session::detail
