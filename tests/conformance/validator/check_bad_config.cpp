// check_bad_config.cpp — create is the plugin's own line of defence: called directly (no schema in
// front), it must refuse malformed and wrong-typed configs with an error status and, when it
// leaves an instance behind, a last_error saying why; destroy must then be safe.
#include "check_support.hpp"
#include "checking_host.hpp"
#include "checks.hpp"
#include "child_channel.hpp"

namespace net::conformance {

namespace {

struct Probe {
    std::string what;
    std::string text;
};

}  // namespace

CheckOutcome check_bad_config(const CheckInput& input)
{
    const auto library = load_library(input);
    std::vector<Probe> probes{{"malformed JSON", "{\""}, {"a non-object", "\"not an object\""}};
    if (auto wrong = wrong_typed_config(library->descriptor().config_schema)) {
        probes.push_back({"a wrong-typed value", wrong->dump()});
    }

    CheckingHost host;
    std::vector<std::string> problems;
    std::vector<std::string> refused;
    for (const Probe& probe : probes) {
        DirectInstance instance(host, library);
        note_step("create with " + probe.what + " " + probe.text);
        const net_status_t status = instance.create(probe.text);
        const std::string error = instance.last_error();
        if (status == NET_OK) {
            problems.push_back("create accepted " + probe.what + " " + probe.text + " (returned NET_OK" +
                               (instance.instance() ? "" : " without an instance") + ")");
        } else if (instance.instance() != nullptr && error.empty()) {
            problems.push_back("create refused " + probe.what + " " + probe.text + " with " + status_text(status) +
                               " but left last_error empty");
        } else {
            refused.push_back(probe.what + " " + probe.text + " (" + status_text(status) +
                              (error.empty() ? "" : ": " + shorten(error, 50)) + ")");
        }
        note_step("destroy after create with " + probe.what);
        instance.destroy();
    }
    if (!problems.empty()) return fail(join(problems));
    return pass("create refused " + join(refused, ", "));
}

}  // namespace net::conformance
