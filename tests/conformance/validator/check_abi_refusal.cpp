// check_abi_refusal.cpp — checks the host side of ABI negotiation against this plugin: a host of
// another major, or of an older minor than the plugin's, must refuse it and say both versions; a
// host of a newer minor must accept it.
#include "check_support.hpp"
#include "checks.hpp"
#include "child_channel.hpp"

namespace net::conformance {

namespace {

std::string abi_string(std::uint32_t abi)
{
    return std::to_string(NET_ABI_MAJOR(abi)) + "." + std::to_string(NET_ABI_MINOR(abi));
}

struct HostCase {
    std::uint32_t host_abi;
    bool must_load;
    const char* why;
};

}  // namespace

CheckOutcome check_abi_refusal(const CheckInput& input)
{
    const auto library = load_library(input);
    const std::uint32_t plugin_abi = library->descriptor().abi_version;
    const std::uint32_t major = NET_ABI_MAJOR(plugin_abi);
    const std::uint32_t minor = NET_ABI_MINOR(plugin_abi);

    std::vector<HostCase> cases{{NET_ABI_MAKE(major + 1u, 0u), false, "newer major"}};
    if (major > 0) cases.push_back({NET_ABI_MAKE(major - 1u, minor), false, "older major"});
    if (minor > 0) cases.push_back({NET_ABI_MAKE(major, minor - 1u), false, "older minor"});
    if (minor < 0xFFFFu) cases.push_back({NET_ABI_MAKE(major, minor + 1u), true, "newer minor"});

    std::vector<std::string> problems;
    std::vector<std::string> seen;
    for (const HostCase& c : cases) {
        const std::string host = abi_string(c.host_abi);
        note_step("PluginLibrary::load under host ABI " + host);
        try {
            kernel::PluginLibrary::load(input.library, c.host_abi);
            if (c.must_load) {
                seen.push_back("accepted by host " + host + " (" + c.why + ")");
            } else {
                problems.push_back("the kernel accepted the plugin (ABI " + abi_string(plugin_abi) +
                                   ") under host ABI " + host + " (" + c.why + ")");
            }
        } catch (const kernel::PluginLoadError& e) {
            if (c.must_load) {
                problems.push_back("the kernel refused the plugin under host ABI " + host + " (" + c.why +
                                   "), which must accept it: " + e.problem());
            } else if (e.problem().find(abi_string(plugin_abi)) == std::string::npos ||
                       e.problem().find(host) == std::string::npos) {
                problems.push_back("the refusal under host ABI " + host +
                                   " does not name both versions: " + e.problem());
            } else {
                seen.push_back("refused by host " + host + " (" + c.why + ")");
            }
        }
    }
    if (!problems.empty()) return fail(join(problems));
    return pass("plugin ABI " + abi_string(plugin_abi) + ": " + join(seen, ", "));
}

}  // namespace net::conformance
