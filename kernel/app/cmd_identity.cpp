// `net-mesh identity generate|show|fingerprint`: node key files.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/mesh/mesh_config.hpp"
#include "net/kernel/crypto/identity.hpp"
#include "net/kernel/wire/hex.hpp"

namespace net::cli {

using kernel::crypto::Identity;
using kernel::crypto::IdentityError;

int identity_generate_command(const Args& args)
{
    if (args.positional.size() != 1) {
        std::cerr << "usage: net-mesh identity generate <key-file> [--force]\n";
        return exit_usage;
    }
    try {
        const Identity id = Identity::generate();
        id.save(args.positional[0], args.flag("--force"));
        std::cout << "wrote " << args.positional[0] << " (owner-only)\n"
                  << "node id:     " << std::hex << id.derived().node_id << std::dec << "\n"
                  << "fingerprint: " << id.derived().fingerprint << "\n";
        return exit_ok;
    } catch (const std::exception& e) {
        std::cerr << "net-mesh identity generate: " << e.what() << "\n";
        return exit_failure;
    }
}

int identity_show_command(const Args& args, bool fingerprint_only)
{
    if (args.positional.size() != 1) {
        std::cerr << "usage: net-mesh identity " << (fingerprint_only ? "fingerprint" : "show") << " <key-file>\n";
        return exit_usage;
    }
    try {
        const Identity id = Identity::load(args.positional[0]);
        const auto& d = id.derived();
        if (fingerprint_only) {
            std::cout << d.fingerprint << "\n";
            return exit_ok;
        }
        const std::string entity = kernel::wire::hex_string(id.entity_public());
        const std::string stat = kernel::wire::hex_string(id.static_public());
        char node_id[17], origin[9];
        std::snprintf(node_id, sizeof node_id, "%016llx", static_cast<unsigned long long>(d.node_id));
        std::snprintf(origin, sizeof origin, "%08x", d.origin_hash);
        if (args.flag("--json")) {
            std::cout << nlohmann::json{{"file", args.positional[0]},   {"node_id", node_id},
                                        {"address", kernel::mesh::format_address(d.address)},        {"origin_hash", origin},
                                        {"entity_public", entity},      {"static_public", stat},
                                        {"fingerprint", d.fingerprint}}
                             .dump(2)
                      << "\n";
        } else {
            std::cout << "node id:        " << node_id << "\n"
                      << "address:        " << kernel::mesh::format_address(d.address) << "\n"
                      << "origin hash:    " << origin << "\n"
                      << "entity (Ed25519) public: " << entity << "\n"
                      << "static (X25519) public:  " << stat << "\n"
                      << "fingerprint:    " << d.fingerprint << "\n";
        }
        return exit_ok;
    } catch (const IdentityError& e) {
        std::cerr << "net-mesh identity: " << e.what() << "\n";
        return exit_invalid_config;
    } catch (const std::exception& e) {
        std::cerr << "net-mesh identity: " << e.what() << "\n";
        return exit_failure;
    }
}

}  // namespace net::cli
