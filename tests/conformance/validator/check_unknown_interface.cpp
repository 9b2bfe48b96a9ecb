// check_unknown_interface.cpp — get_interface answers exactly the ids in `provides`: NULL for an
// unknown id, the empty id, a provided name without its version or with another major; a table
// starting with a plausible struct_size for each provided id.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "check_support.hpp"
#include "checking_host.hpp"
#include "checks.hpp"
#include "child_channel.hpp"

namespace net::conformance {

namespace {

// The smallest interface table: struct_size plus one function pointer's worth.
constexpr std::uint32_t kMinTableSize = 8;

}  // namespace

CheckOutcome check_unknown_interface(const CheckInput& input)
{
    const auto library = load_library(input);
    CheckingHost host;
    auto instance = host.make_instance(library);
    note_step("create");
    try {
        instance->create(input.config);
    } catch (const kernel::PluginError& e) {
        return skip("create failed, so there is no instance to ask (see lifecycle): " + std::string(e.what()));
    }

    const auto& provides = library->provides();
    std::vector<std::string> unknown{"org.net.conformance.does-not-exist/1", ""};
    if (!provides.empty()) {
        const std::string& first = provides.front();
        const std::size_t slash = first.rfind('/');
        unsigned long major = 0;
        if (slash != std::string::npos &&
            std::from_chars(first.data() + slash + 1, first.data() + first.size(), major).ec == std::errc{}) {
            const std::string name = first.substr(0, slash);
            const std::string other_major = name + "/" + std::to_string(major + 100);
            unknown.push_back(name);
            if (std::find(provides.begin(), provides.end(), other_major) == provides.end())
                unknown.push_back(other_major);
        }
    }

    std::erase_if(unknown, [&](const std::string& id) {
        return std::find(provides.begin(), provides.end(), id) != provides.end();
    });

    std::vector<std::string> problems;
    for (const std::string& id : unknown) {
        note_step("get_interface(\"" + id + "\")");
        if (instance->get_interface(id.c_str()) != nullptr) {
            problems.push_back("get_interface(\"" + id + "\") returned a table for an id the plugin does not provide");
        }
    }
    std::vector<std::string> answered;
    for (const std::string& id : provides) {
        note_step("get_interface(\"" + id + "\")");
        const void* table = instance->get_interface(id.c_str());
        if (table == nullptr) {
            problems.push_back("get_interface(\"" + id + "\") returned NULL for an id listed in provides");
            continue;
        }
        std::uint32_t size = 0;
        std::memcpy(&size, table, sizeof size);
        if (size < kMinTableSize) {
            problems.push_back("the table for \"" + id + "\" has struct_size " + std::to_string(size) + " (< " +
                               std::to_string(kMinTableSize) + ")");
        } else {
            answered.push_back(id + " (struct_size " + std::to_string(size) + ")");
        }
    }
    note_step("destroy");
    instance->destroy();

    if (!problems.empty()) return fail(join(problems));
    return pass("NULL for " + std::to_string(unknown.size()) + " unknown ids; " +
                (answered.empty() ? std::string("provides nothing") : "tables for " + join(answered, ", ")));
}

}  // namespace net::conformance
