// check_lifecycle.cpp — the lifecycle edges of net/plugin.h, driven through the kernel's
// PluginInstance: short and full sequences, repeated on fresh instances, two instances alive at
// once, and destroy after a failed create. A plugin whose create or start fails with a valid
// config is not conformant; PluginError's message carries the step, the status and last_error.
#include "check_support.hpp"
#include "checking_host.hpp"
#include "checks.hpp"
#include "child_channel.hpp"

namespace net::conformance {

namespace {

using Instance = kernel::PluginInstance;

constexpr std::chrono::milliseconds kRunTime{20};

class SequenceRunner {
public:
    SequenceRunner(CheckingHost& host, std::shared_ptr<kernel::PluginLibrary> library, const nlohmann::json& config)
        : host_(host), library_(std::move(library)), config_(config)
    {
    }

    // Runs `body` as the sequence `label`; a PluginError or an instance not left destroyed fails it.
    template <class Body>
    void run(const std::string& label, Body&& body)
    {
        label_ = label;
        try {
            body();
            passed_.push_back(label);
        } catch (const kernel::PluginError& e) {
            failures_.push_back(label + ": " + e.what());
        } catch (const std::logic_error& e) {
            failures_.push_back(label + ": " + e.what());
        }
    }

    std::unique_ptr<Instance> make() { return host_.make_instance(library_); }

    void create(Instance& i)
    {
        step("create", i);
        i.create(config_);
    }
    void start(Instance& i)
    {
        step("start", i);
        i.start();
    }
    void stop(Instance& i)
    {
        step("stop", i);
        i.stop();
    }
    void destroy(Instance& i)
    {
        step("destroy", i);
        i.destroy();
        if (i.state() != Instance::State::destroyed) {
            throw std::logic_error(i.name() + " is " + Instance::state_name(i.state()) + " after destroy");
        }
    }

    const std::vector<std::string>& failures() const noexcept { return failures_; }
    const std::vector<std::string>& passed() const noexcept { return passed_; }

private:
    void step(const char* what, const Instance& i) { note_step(label_ + ": " + what + " " + i.name()); }

    CheckingHost& host_;
    std::shared_ptr<kernel::PluginLibrary> library_;
    const nlohmann::json& config_;
    std::string label_;
    std::vector<std::string> failures_;
    std::vector<std::string> passed_;
};

// Forces a failed create with malformed JSON (bypassing the schema), then destroys what it left.
std::string destroy_after_failed_create(CheckingHost& host, const std::shared_ptr<kernel::PluginLibrary>& library)
{
    DirectInstance instance(host, library);
    note_step("destroy after a failed create: create with malformed JSON");
    const net_status_t status = instance.create("{\"");
    if (status == NET_OK) {
        note_step("destroy after a failed create: destroy (create did not fail)");
        instance.destroy();
        return "destroy after a failed create (not forced: the plugin accepts malformed JSON, see bad-config)";
    }
    if (instance.instance() == nullptr) return "destroy after a failed create (create left no instance)";
    const std::string error = instance.last_error();
    note_step("destroy after a failed create: destroy");
    instance.destroy();
    return "destroy after a failed create (" + status_text(status) + (error.empty() ? "" : ": " + shorten(error, 40)) +
           ")";
}

}  // namespace

CheckOutcome check_lifecycle(const CheckInput& input)
{
    const auto library = load_library(input);
    CheckingHost host;
    SequenceRunner seq(host, library, input.config);

    seq.run("create→destroy", [&] {
        auto a = seq.make();
        seq.create(*a);
        seq.destroy(*a);
    });
    for (int round = 1; round <= 4; ++round) {
        seq.run("create→start→stop→destroy #" + std::to_string(round), [&] {
            auto a = seq.make();
            seq.create(*a);
            seq.start(*a);
            CheckingHost::let_loop_run(kRunTime);
            seq.stop(*a);
            seq.destroy(*a);
        });
    }
    seq.run("two instances at once", [&] {
        auto a = seq.make();
        auto b = seq.make();
        seq.create(*a);
        seq.create(*b);
        seq.start(*a);
        seq.start(*b);
        CheckingHost::let_loop_run(kRunTime);
        seq.stop(*b);
        seq.stop(*a);
        seq.destroy(*b);
        seq.destroy(*a);
    });
    const std::string failed_create = destroy_after_failed_create(host, library);

    const auto& failures = seq.failures();
    // A plugin that needs another component's interface (the kernel's mesh, another plugin's)
    // may refuse to start in the validator's lone host: that is not held against it, as long as
    // create→destroy worked.
    const bool create_destroy_passed = !seq.passed().empty() && seq.passed().front() == "create→destroy";
    if (!failures.empty() && !library->needs().empty() && create_destroy_passed) {
        std::string needs;
        for (const auto& id : library->needs()) needs += (needs.empty() ? "" : ", ") + id;
        return skip("create→destroy passed and " + failed_create + "; start failed, and the plugin needs " + needs +
                    ", which the validator's host does not provide (check it in a node that does): " +
                    shorten(failures.front(), 120));
    }
    if (!failures.empty()) {
        std::string message = failures.front();
        if (failures.size() > 1)
            message += " (and " + std::to_string(failures.size() - 1) + " more sequence(s) failed)";
        return fail(message);
    }
    return pass(std::to_string(seq.passed().size()) +
                " sequences passed (create→destroy, create→start→stop→destroy ×4, "
                "two instances at once); " +
                failed_create);
}

}  // namespace net::conformance
