// check_config_schema.cpp — the published schema does its job: it rejects what the plugin cannot
// take (a non-object, unknown properties when it closes them, a wrong-typed property) and
// accepts the config the other checks create instances with.
#include "check_support.hpp"
#include "checks.hpp"
#include "child_channel.hpp"

namespace net::conformance {

namespace {

std::string first_violation(const std::vector<kernel::SchemaViolation>& violations)
{
    const kernel::SchemaViolation& v = violations.front();
    return (v.pointer.empty() ? std::string("(root)") : v.pointer) + ": " + v.message;
}

}  // namespace

CheckOutcome check_config_schema(const CheckInput& input)
{
    const auto library = load_library(input);
    if (library->config_schema() == nullptr) return pass("skipped (plugin publishes no config schema)");
    const auto schema = nlohmann::json::parse(library->descriptor().config_schema);

    std::vector<std::string> problems;
    std::vector<std::string> rejected;
    auto must_reject = [&](const nlohmann::json& config, const std::string& what) {
        note_step("validate_config " + config.dump());
        const auto violations = library->validate_config(config);
        if (violations.empty()) {
            problems.push_back("the schema accepts " + what + " " + config.dump());
        } else {
            rejected.push_back(what + " (" + shorten(first_violation(violations), 60) + ")");
        }
    };

    must_reject("not an object", "a non-object config");
    const bool closed = schema.is_object() && schema.value("additionalProperties", nlohmann::json(true)) == false;
    if (closed) must_reject({{"org.net.conformance.unknown-property", true}}, "an unknown property");
    if (auto wrong = wrong_typed_config(library->descriptor().config_schema))
        must_reject(*wrong, "a wrong-typed value");

    note_step("validate_config " + input.config.dump());
    const auto violations = library->validate_config(input.config);
    if (!violations.empty()) {
        problems.push_back("the schema rejects the config " + input.config.dump() + " at " +
                           first_violation(violations) +
                           (input.config_given ? "" : " (give a valid config with --config)"));
    }
    if (!problems.empty()) return fail(join(problems));
    return pass("rejects " + join(rejected, ", ") + "; accepts " + input.config.dump() +
                (closed ? "" : " (note: additionalProperties is not false, so a misspelt key is accepted silently)"));
}

}  // namespace net::conformance
