// Identity: keys from Botan (Ed25519 from a 32-byte seed, X25519 from a 32-byte scalar), derived
// values from keyed BLAKE2b, key files as JSON with owner-only permissions.
#include "net/kernel/crypto/identity.hpp"

#include <sys/stat.h>

#include <botan/auto_rng.h>
#include <botan/curve25519.h>
#include <botan/ed25519.h>
#include <botan/pubkey.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "net/kernel/crypto/blake2b_keyed.hpp"
#include "net/kernel/wire/hex.hpp"

namespace net::kernel::crypto {

namespace {

template <std::size_t N>
std::array<std::uint8_t, N> keyed_digest(const PublicKey32& key, const char* label)
{
    Blake2bKeyed h(N, key);
    h.update({reinterpret_cast<const std::uint8_t*>(label), std::char_traits<char>::length(label)});
    std::array<std::uint8_t, N> out{};
    h.finish(out);
    return out;
}

template <class T, std::size_t N>
T little_endian(const std::array<std::uint8_t, N>& bytes)
{
    T v = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) v = static_cast<T>((v << 8) | bytes[i]);
    return v;
}

PublicKey32 to_key(const std::vector<std::uint8_t>& v)
{
    PublicKey32 k{};
    std::copy_n(v.begin(), k.size(), k.begin());
    return k;
}

Botan::secure_vector<std::uint8_t> hex_secret(const nlohmann::json& doc, const char* field, const std::string& file)
{
    if (!doc.contains(field) || !doc[field].is_string()) {
        throw IdentityError(file + ": /" + field + ": expected a hex string of 32 bytes");
    }
    const std::string text = doc[field].get<std::string>();
    Botan::secure_vector<std::uint8_t> out(wire::hex_decoded_size(text.size()));
    if (!wire::hex_decode(text, out)) throw IdentityError(file + ": /" + field + ": not valid hex");
    if (out.size() != 32) {
        throw IdentityError(file + ": /" + field + ": expected 32 bytes, got " + std::to_string(out.size()));
    }
    return out;
}

}  // namespace

EntityDerived derive_from_entity_key(const PublicKey32& entity_public)
{
    EntityDerived d{};
    d.node_id = little_endian<std::uint64_t>(keyed_digest<8>(entity_public, kNodeIdLabel));
    d.address = d.node_id & 0xFFFF'FFFF'FFFFULL;
    d.origin_hash = little_endian<std::uint32_t>(keyed_digest<4>(entity_public, kOriginHashLabel));
    const std::string hex = wire::hex_string(keyed_digest<16>(entity_public, kFingerprintLabel));
    for (std::size_t i = 0; i < hex.size(); i += 4) d.fingerprint += (i ? "-" : "") + hex.substr(i, 4);
    return d;
}

Identity::Identity(Botan::secure_vector<std::uint8_t> entity_seed, Botan::secure_vector<std::uint8_t> static_private)
    : entity_seed_(std::move(entity_seed)), static_private_(std::move(static_private))
{
    const Botan::Ed25519_PrivateKey entity(entity_seed_);
    entity_public_ = to_key(entity.get_public_key());
    const Botan::Curve25519_PrivateKey x25519(static_private_);
    static_public_ = to_key(x25519.public_value());
    derived_ = derive_from_entity_key(entity_public_);
}

Identity Identity::generate()
{
    Botan::AutoSeeded_RNG rng;
    return Identity(rng.random_vec(32), rng.random_vec(32));
}

Identity Identity::load(const std::filesystem::path& file)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) throw IdentityError(file.string() + ": cannot read the key file (no such file)");
    if ((st.st_mode & 077) != 0) {
        std::ostringstream mode;
        mode << std::oct << (st.st_mode & 0777);
        throw IdentityError(file.string() + ": key file permissions are 0" + mode.str() +
                            "; it must be readable by its owner only (chmod 600)");
    }
    std::ifstream in(file);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw IdentityError(file.string() + ": not a Net key file (not JSON: " + e.what() + ")");
    }
    if (!doc.is_object() || doc.value("format", std::string()) != "net-identity/1") {
        throw IdentityError(file.string() + ": /format: expected \"net-identity/1\"");
    }
    return Identity(hex_secret(doc, "entity_ed25519_seed", file.string()),
                    hex_secret(doc, "static_x25519_private", file.string()));
}

void Identity::save(const std::filesystem::path& file, bool overwrite) const
{
    if (!overwrite && std::filesystem::exists(file)) {
        throw IdentityError(file.string() + ": already exists (use --force to replace it)");
    }
    const nlohmann::json doc{{"format", "net-identity/1"},
                             {"entity_ed25519_seed", wire::hex_string(entity_seed_)},
                             {"static_x25519_private", wire::hex_string(static_private_)},
                             {"entity_public", wire::hex_string(entity_public_)},
                             {"static_public", wire::hex_string(static_public_)}};
    const std::filesystem::path temp = file.string() + ".tmp";
    const mode_t old_mask = ::umask(077);
    {
        std::ofstream out(temp, std::ios::trunc);
        out << doc.dump(2) << "\n";
        if (!out) {
            ::umask(old_mask);
            throw IdentityError(file.string() + ": cannot write the key file");
        }
    }
    ::umask(old_mask);
    std::filesystem::permissions(temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    std::filesystem::rename(temp, file);
}

std::array<std::uint8_t, 64> Identity::sign(std::span<const std::uint8_t> message) const
{
    const Botan::Ed25519_PrivateKey key(entity_seed_);
    Botan::AutoSeeded_RNG rng;
    Botan::PK_Signer signer(key, rng, "Pure");
    const auto sig = signer.sign_message(message.data(), message.size(), rng);
    std::array<std::uint8_t, 64> out{};
    std::copy_n(sig.begin(), out.size(), out.begin());
    return out;
}

bool Identity::verify(const PublicKey32& entity_public, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature)
{
    try {
        const Botan::Ed25519_PublicKey key(std::vector<std::uint8_t>(entity_public.begin(), entity_public.end()));
        Botan::PK_Verifier verifier(key, "Pure");
        return verifier.verify_message(message.data(), message.size(), signature.data(), signature.size());
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace net::kernel::crypto
