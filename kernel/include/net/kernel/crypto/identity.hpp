// net/kernel/crypto/identity.hpp — a node's identity: an Ed25519 entity key (who it is, signs
// tokens and announcements) and an X25519 static key (its Noise static key), plus the values
// derived from the entity key with keyed BLAKE2b under distinct labels: the node id, the 48-bit
// routing address and the 32-bit origin hash used in packet headers.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>

#include <botan/secmem.h>

namespace net::kernel::crypto {

using PublicKey32 = std::array<std::uint8_t, 32>;

// Derivation labels (the BLAKE2b message; the key is the entity public key).
inline constexpr const char* kNodeIdLabel = "net/node-id/v1";
inline constexpr const char* kOriginHashLabel = "net/origin-hash/v1";
inline constexpr const char* kFingerprintLabel = "net/fingerprint/v1";

// What can be derived from an entity public key alone (so a peer's too).
struct EntityDerived {
    std::uint64_t node_id;      // keyed BLAKE2b-64, little-endian
    std::uint64_t address;      // node_id's low 48 bits: the routing address
    std::uint32_t origin_hash;  // keyed BLAKE2b-32, little-endian
    std::string fingerprint;    // keyed BLAKE2b-128 as hex in groups of 4: "a1b2-c3d4-..."
};
EntityDerived derive_from_entity_key(const PublicKey32& entity_public);

// A key file that cannot be used; what() names the file and the problem.
class IdentityError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Identity {
public:
    static Identity generate();
    // Reads a key file written by save(). Refuses files that group or others can read or write.
    static Identity load(const std::filesystem::path& file);
    // Writes the private keys as JSON with owner-only permissions (0600), atomically (temp file
    // then rename). Refuses to overwrite an existing file unless `overwrite`.
    void save(const std::filesystem::path& file, bool overwrite = false) const;

    const PublicKey32& entity_public() const noexcept { return entity_public_; }
    const PublicKey32& static_public() const noexcept { return static_public_; }
    const Botan::secure_vector<std::uint8_t>& static_private() const noexcept { return static_private_; }
    const EntityDerived& derived() const noexcept { return derived_; }

    // Ed25519 signature (64 bytes) of `message` with the entity key.
    std::array<std::uint8_t, 64> sign(std::span<const std::uint8_t> message) const;
    static bool verify(const PublicKey32& entity_public, std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> signature);

private:
    Identity(Botan::secure_vector<std::uint8_t> entity_seed, Botan::secure_vector<std::uint8_t> static_private);

    Botan::secure_vector<std::uint8_t> entity_seed_;     // 32-byte Ed25519 seed
    Botan::secure_vector<std::uint8_t> static_private_;  // 32-byte X25519 private key
    PublicKey32 entity_public_{};
    PublicKey32 static_public_{};
    EntityDerived derived_{};
};

}  // namespace net::kernel::crypto
