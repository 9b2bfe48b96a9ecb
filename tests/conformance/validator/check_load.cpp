// check_load.cpp — the gate: PluginLibrary::load must accept the library. Its refusals already
// name the problem (no ELF header, no entry symbol, NULL descriptor, struct too small, ABI
// major/minor, missing required functions, invalid schema); the message passes them on.
#include "check_support.hpp"
#include "checks.hpp"

namespace net::conformance {

namespace {

std::string abi_string(std::uint32_t abi)
{
    return std::to_string(NET_ABI_MAJOR(abi)) + "." + std::to_string(NET_ABI_MINOR(abi));
}

}  // namespace

CheckOutcome check_load(const CheckInput& input)
{
    try {
        const auto library = load_library(input);
        const net_plugin_descriptor_t& d = library->descriptor();
        CheckOutcome outcome = pass("loaded " + library->id() + " " + d.version + " (plugin ABI " +
                                    abi_string(d.abi_version) + ", kernel ABI " + abi_string(NET_ABI_VERSION) + ")");
        outcome.plugin_id = library->id();
        return outcome;
    } catch (const kernel::PluginLoadError& e) {
        return fail(e.problem());
    }
}

}  // namespace net::conformance
