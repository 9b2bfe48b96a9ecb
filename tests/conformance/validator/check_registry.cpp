// check_registry.cpp — the list of checks, in run order.
#include <array>

#include "checks.hpp"

namespace net::conformance {

namespace {

constexpr std::array<CheckSpec, 8> kChecks{{
    {kLoadCheck,
     "PluginLibrary::load accepts the library (entry symbol, descriptor size, ABI version, required functions)",
     &check_load},
    {"descriptor", "id is reverse-DNS, version is semver, description present, provides/needs are name/major ids",
     &check_descriptor},
    {"abi-refusal", "the kernel refuses the library when the host speaks another major or an older minor",
     &check_abi_refusal},
    {"config-schema", "the config schema rejects a non-object and unknown properties, accepts the config",
     &check_config_schema},
    {"bad-config", "create rejects malformed JSON and wrong-typed values with an error and a last_error",
     &check_bad_config},
    {"unknown-interface", "get_interface returns NULL for unknown ids and a sized table for every provided id",
     &check_unknown_interface},
    {"lifecycle",
     "create/start/stop/destroy sequences, repeated and overlapping, succeed; destroy after a failed create",
     &check_lifecycle},
    {"no-leaked-references", "no buffer, interface or timer outlives the instance, also when buffer_alloc fails",
     &check_no_leaked_references},
}};

}  // namespace

std::span<const CheckSpec> all_checks() noexcept
{
    return kChecks;
}

const CheckSpec* find_check(std::string_view name) noexcept
{
    for (const CheckSpec& spec : kChecks) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

}  // namespace net::conformance
