// check_no_leaked_references.cpp — with a checking host, nothing the instance took outlives it:
// buffer and interface references are all given back by destroy, no timer it started is still
// armed after stop, and the same holds when every 1st, 2nd or 3rd buffer_alloc fails (create or
// start may then fail, but cleanly).
//
// The kernel cancels the timers an instance forgets (PluginInstance::stop, as net/host.h
// promises), so a forgotten timer is not a failure; a direct run without that safety net detects
// it and the check passes with a warning.
#include <mutex>

#include "check_support.hpp"
#include "checking_host.hpp"
#include "checks.hpp"
#include "child_channel.hpp"

namespace net::conformance {

namespace {

constexpr std::chrono::milliseconds kRunTime{50};

std::string ordinal(std::uint32_t n)
{
    switch (n) {
    case 1: return "1st";
    case 2: return "2nd";
    case 3: return "3rd";
    default: return std::to_string(n) + "th";
    }
}

struct RunResult {
    std::string outcome;                       // "ran", "create failed cleanly (...)", ...
    std::optional<std::string> setup_failure;  // create or start failed (the PluginError message)
    std::vector<std::string> problems;
};

// create → start → run → stop → destroy through PluginInstance, then counts what is left.
RunResult run_instance(CheckingHost& host, const std::shared_ptr<kernel::PluginLibrary>& library,
                       const nlohmann::json& config, const std::string& label)
{
    RunResult r;
    const std::size_t timers_before = host.loop().active_timers();
    auto instance = host.make_instance(library);
    const char* step = "create";
    try {
        note_step(label + ": create");
        instance->create(config);
        step = "start";
        note_step(label + ": start");
        instance->start();
        CheckingHost::let_loop_run(kRunTime);
        note_step(label + ": stop");
        instance->stop();
        r.outcome = "ran";
    } catch (const kernel::PluginError& e) {
        r.outcome = std::string(step) + " failed cleanly (" + status_text(e.status()) + ")";
        r.setup_failure = e.what();
    }
    const std::size_t timers_after_stop = host.loop().active_timers();
    note_step(label + ": destroy");
    instance->destroy();

    if (timers_after_stop > timers_before) {
        r.problems.push_back(label + ": " + std::to_string(timers_after_stop - timers_before) +
                             " timer(s) still armed after stop");
    }
    if (const auto n = instance->buffer_refs_outstanding(); n != 0) {
        r.problems.push_back(label + ": the instance still holds " + std::to_string(n) +
                             " buffer reference(s) after destroy (buffer_refs_outstanding() = " + std::to_string(n) +
                             ")");
    }
    if (const auto n = instance->interface_refs_outstanding(); n != 0) {
        r.problems.push_back(
            label + ": the instance still holds " + std::to_string(n) +
            " interface reference(s) after destroy (interface_refs_outstanding() = " + std::to_string(n) + ")");
    }
    return r;
}

// Drives the descriptor directly (no kernel cleanup at stop) and counts the timers the plugin's
// own stop left armed. Cancels them, so the instance can be destroyed safely.
std::size_t timers_left_by_stop(CheckingHost& host, const std::shared_ptr<kernel::PluginLibrary>& library,
                                const std::string& config)
{
    DirectInstance instance(host, library);
    note_step("timers: create");
    if (instance.create(config) != NET_OK) return 0;
    note_step("timers: start");
    const net_status_t started = instance.start();
    if (started == NET_OK) CheckingHost::let_loop_run(kRunTime);
    note_step("timers: stop");
    instance.stop();
    std::size_t left = 0;
    {
        kernel::InstanceContext& context = instance.context();
        std::lock_guard lock(context.timers_mutex);
        // The set also holds one-shot timers that already fired; only those the loop still has count.
        for (std::uint64_t id : context.timers) {
            if (host.loop().cancel_timer(id)) ++left;
        }
        context.timers.clear();
    }
    note_step("timers: destroy");
    instance.destroy();
    return left;
}

}  // namespace

CheckOutcome check_no_leaked_references(const CheckInput& input)
{
    const auto library = load_library(input);
    CheckingHost host;

    RunResult plain = run_instance(host, library, input.config, "create→start→stop→destroy");
    if (plain.setup_failure && plain.problems.empty()) {
        return skip("the instance does not run with the default config (see lifecycle): " + *plain.setup_failure);
    }
    std::vector<std::string> problems = plain.problems;

    std::vector<std::string> faulty;
    for (std::uint32_t n = 1; n <= 3; ++n) {
        host.fail_every_nth_alloc(n);
        RunResult r = run_instance(host, library, input.config, "every " + ordinal(n) + " buffer_alloc failing");
        problems.insert(problems.end(), r.problems.begin(), r.problems.end());
        faulty.push_back(ordinal(n) + ": " + r.outcome);
    }
    host.fail_every_nth_alloc(0);

    const std::size_t forgotten = timers_left_by_stop(host, library, config_text(input));

    if (!problems.empty()) return fail(join(problems));
    std::string message =
        "0 buffer and 0 interface references after destroy, no timer armed after stop; with every "
        "Nth buffer_alloc failing: " +
        join(faulty, ", ");
    if (forgotten > 0) {
        message = "warning: stop left " + std::to_string(forgotten) +
                  " timer(s) armed (the kernel cancels them at stop, but the plugin should cancel its own); " + message;
    }
    return pass(message);
}

}  // namespace net::conformance
