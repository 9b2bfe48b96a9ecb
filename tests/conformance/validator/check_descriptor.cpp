// check_descriptor.cpp — the descriptor's metadata is well formed: what `net-mesh plugins inspect`,
// manifests and dependency resolution rely on.
#include <set>

#include "check_support.hpp"
#include "checks.hpp"
#include "identifiers.hpp"
#include "net/kernel/json_schema.hpp"

namespace net::conformance {

namespace {

// A list longer than this is taken to be missing its NULL terminator.
constexpr std::size_t kMaxListEntries = 1024;

// Checks one of the NULL-terminated id lists; returns how many entries it has.
std::size_t check_id_list(const char* field, const char* const* list, std::vector<std::string>& problems)
{
    if (list == nullptr) return 0;
    std::set<std::string> seen;
    std::size_t n = 0;
    for (; list[n] != nullptr; ++n) {
        if (n == kMaxListEntries) {
            problems.push_back(std::string(field) + " has more than " + std::to_string(kMaxListEntries) +
                               " entries (missing NULL terminator?)");
            return n;
        }
        const std::string id = list[n];
        const std::string where = std::string(field) + "[" + std::to_string(n) + "]";
        if (id.empty()) {
            problems.push_back(where + " is an empty string");
        } else if (!is_interface_id(id)) {
            problems.push_back(where + " \"" + id +
                               "\" is not a versioned interface id (name/major, e.g. org.example.greeter/1)");
        }
        if (!seen.insert(id).second) problems.push_back(where + " \"" + id + "\" is listed twice");
    }
    return n;
}

}  // namespace

CheckOutcome check_descriptor(const CheckInput& input)
{
    const auto library = load_library(input);
    const net_plugin_descriptor_t& d = library->descriptor();
    std::vector<std::string> problems;

    const std::string id = d.id;
    if (!is_reverse_dns(id)) {
        problems.push_back("id \"" + id +
                           "\" is not reverse-DNS (lower-case labels separated by dots, e.g. org.example.greeter)");
    }
    const std::string version = d.version;
    if (!is_semver(version)) {
        problems.push_back("version \"" + version + "\" is not a semantic version (MAJOR.MINOR.PATCH)");
    }
    if (d.description == nullptr || d.description[0] == '\0') {
        problems.push_back("description is missing");
    } else if (std::string_view(d.description).find('\n') != std::string_view::npos) {
        problems.push_back("description is more than one line");
    }
    const std::size_t provides = check_id_list("provides", d.provides, problems);
    const std::size_t needs = check_id_list("needs", d.needs, problems);

    std::string schema_note = "no config schema";
    if (d.config_schema != nullptr) {
        try {
            kernel::JsonSchema::compile(nlohmann::json::parse(d.config_schema));
            schema_note = "config schema compiles";
        } catch (const std::exception& e) {
            problems.push_back(std::string("config_schema does not compile: ") + e.what());
        }
    }

    if (!problems.empty()) return fail(join(problems));
    return pass("id " + id + ", version " + version + ", provides " + std::to_string(provides) + ", needs " +
                std::to_string(needs) + ", " + schema_note);
}

}  // namespace net::conformance
