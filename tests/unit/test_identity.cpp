// Identity: key files round-trip with owner-only permissions, bad files are refused with the
// reason, derived ids depend only on the entity public key and differ by label, signatures verify.
#define BOOST_TEST_MODULE identity
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "net/kernel/crypto/blake2b_keyed.hpp"
#include "net/kernel/crypto/identity.hpp"
#include "net_test_support.hpp"

namespace fs = std::filesystem;
using namespace net::kernel::crypto;

namespace {

using net::test::TempDir;


std::string error_of(const fs::path& file)
{
    try {
        Identity::load(file);
    } catch (const IdentityError& e) {
        return e.what();
    }
    return "";
}

void write(const fs::path& file, const std::string& text, fs::perms perms = fs::perms::owner_read | fs::perms::owner_write)
{
    std::ofstream(file) << text;
    fs::permissions(file, perms, fs::perm_options::replace);
}

}  // namespace

BOOST_AUTO_TEST_CASE(save_and_load_round_trip_with_owner_only_permissions)
{
    TempDir t;
    const Identity id = Identity::generate();
    const fs::path file = t.path() / "node.key";
    id.save(file);
    struct stat st {};
    BOOST_REQUIRE(::stat(file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    const Identity back = Identity::load(file);
    BOOST_TEST(back.entity_public() == id.entity_public());
    BOOST_TEST(back.static_public() == id.static_public());
    BOOST_TEST(back.derived().node_id == id.derived().node_id);
    BOOST_CHECK_THROW(id.save(file), IdentityError);  // no silent overwrite
    Identity::generate().save(file, true);
    BOOST_TEST(Identity::load(file).entity_public() != id.entity_public());
}

BOOST_AUTO_TEST_CASE(bad_key_files_are_refused_with_the_reason)
{
    TempDir t;
    BOOST_TEST(error_of(t.path() / "missing.key").find("no such file") != std::string::npos);

    const fs::path open_file = t.path() / "open.key";
    Identity::generate().save(open_file);
    fs::permissions(open_file, fs::perms::group_read, fs::perm_options::add);
    BOOST_TEST(error_of(open_file).find("chmod 600") != std::string::npos, error_of(open_file));

    write(t.path() / "text.key", "not json");
    BOOST_TEST(error_of(t.path() / "text.key").find("not JSON") != std::string::npos);
    write(t.path() / "format.key", R"({"format": "ssh"})");
    BOOST_TEST(error_of(t.path() / "format.key").find("/format") != std::string::npos);
    const std::string seed(64, 'a');
    write(t.path() / "short.key", R"({"format": "net-identity/1", "entity_ed25519_seed": "abcd", "static_x25519_private": ")" + seed + R"("})");
    BOOST_TEST(error_of(t.path() / "short.key").find("/entity_ed25519_seed: expected 32 bytes, got 2") != std::string::npos,
               error_of(t.path() / "short.key"));
    write(t.path() / "hex.key", R"({"format": "net-identity/1", "entity_ed25519_seed": ")" + seed + R"(", "static_x25519_private": "zz"})");
    BOOST_TEST(error_of(t.path() / "hex.key").find("/static_x25519_private: not valid hex") != std::string::npos,
               error_of(t.path() / "hex.key"));
}

BOOST_AUTO_TEST_CASE(derived_values_come_from_the_entity_key_under_distinct_labels)
{
    const Identity a = Identity::generate();
    const Identity b = Identity::generate();
    const EntityDerived da = derive_from_entity_key(a.entity_public());
    BOOST_TEST(da.node_id == a.derived().node_id);
    BOOST_TEST(da.origin_hash == a.derived().origin_hash);
    BOOST_TEST(da.fingerprint == a.derived().fingerprint);
    BOOST_TEST(da.address == (da.node_id & 0xFFFFFFFFFFFFULL));
    BOOST_TEST(da.fingerprint.size() == 39u);  // 8 groups of 4 hex digits
    BOOST_TEST(a.derived().node_id != b.derived().node_id);

    // The node id is keyed BLAKE2b-64 of the node-id label; the origin hash uses another label.
    Blake2bKeyed h(8, a.entity_public());
    const std::string label = kNodeIdLabel;
    h.update({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
    std::array<std::uint8_t, 8> digest{};
    h.finish(digest);
    std::uint64_t expected = 0;
    for (int i = 7; i >= 0; --i) expected = (expected << 8) | digest[static_cast<std::size_t>(i)];
    BOOST_TEST(a.derived().node_id == expected);
    BOOST_TEST(static_cast<std::uint32_t>(a.derived().node_id) != a.derived().origin_hash);
}

BOOST_AUTO_TEST_CASE(signatures_verify_and_tampering_fails)
{
    const Identity id = Identity::generate();
    const std::vector<std::uint8_t> msg = {1, 2, 3, 4, 5};
    const auto sig = id.sign(msg);
    BOOST_TEST(Identity::verify(id.entity_public(), msg, sig));
    auto bad_msg = msg;
    bad_msg[0] ^= 1;
    BOOST_TEST(!Identity::verify(id.entity_public(), bad_msg, sig));
    auto bad_sig = sig;
    bad_sig[10] ^= 0x80;
    BOOST_TEST(!Identity::verify(id.entity_public(), msg, bad_sig));
    BOOST_TEST(!Identity::verify(Identity::generate().entity_public(), msg, sig));
    BOOST_TEST(!Identity::verify(id.entity_public(), msg, std::span(sig).first(10)));
}
