// The plugin host with the real example plugin: lifecycle in dependency order, config validated
// before create, interfaces across instances, metrics, timers, and the rule that a library stays
// mapped while anything from it is still referenced.
#define BOOST_TEST_MODULE plugin_host
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <sstream>
#include <string>
#include <thread>

#include "greeter.h"
#include "net/iface/kernel_info.h"
#include "net/kernel/node.hpp"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"
#include "net/kernel/plugin_library.hpp"
#include "net_test_support.hpp"

namespace nk = net::kernel;

namespace {

const std::string kGreeter = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-greeter.so";

bool library_is_mapped(const std::string& path)
{
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (h == nullptr) return false;
    ::dlclose(h);
    return true;
}

struct Kernel {
    std::ostringstream log;
    nk::Logger logger{log, NET_LOG_DEBUG};
    nk::EventLoop loop{2};
    nk::BufferPool buffers;
    nk::MetricsRegistry metrics;
    nk::HostServices services{loop, buffers, metrics, logger};
    Kernel() { loop.start(); }
};

nk::InstanceSpec greeter(const std::string& name, nlohmann::json config = nlohmann::json::object(),
                         std::vector<std::string> depends_on = {})
{
    return nk::InstanceSpec{name, kGreeter, std::move(config), std::move(depends_on), {}, {}};
}

using net::test::eventually;

}  // namespace

BOOST_AUTO_TEST_CASE(greeter_runs_its_timer_and_counts_in_a_metric)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({greeter("hello", {{"greeting", "hi"}, {"interval_ms", 10}, {"count", 3}})});
    host.start_all();
    BOOST_TEST((host.find("hello")->state() == nk::PluginInstance::State::started));
    nk::Metric* m = k.metrics.find("hello.greetings");
    BOOST_REQUIRE(m != nullptr);
    BOOST_TEST(eventually([&] { return m->value.load() == 3; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BOOST_TEST(m->value.load() == 3, "count=3 must stop the timer after three greetings");
    host.stop_all();
    BOOST_TEST((host.find("hello")->state() == nk::PluginInstance::State::destroyed));
    BOOST_TEST(k.log.str().find("[hello] hi (#3)") != std::string::npos);
    BOOST_TEST(k.loop.active_timers() == 0u);
}

BOOST_AUTO_TEST_CASE(config_is_validated_against_the_schema_before_create)
{
    Kernel k;
    nk::PluginHost host(k.services);
    auto spec = greeter("g", {{"interval_ms", 99999}, {"intreval", 1}});
    spec.declared_in = "demo.json";
    spec.pointer = "/plugins/0";
    try {
        host.load({spec});
        BOOST_FAIL("a config that violates the schema was accepted");
    } catch (const nk::PluginHostError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("demo.json: /plugins/0/config/interval_ms") != std::string::npos, what);
        BOOST_TEST(what.find("60000") != std::string::npos, what);
        BOOST_TEST(what.find("intreval") != std::string::npos, what);
        BOOST_TEST((e.kind() == nk::PluginHostError::Kind::config));
    }
    BOOST_TEST(host.instances().empty());
    BOOST_TEST(k.metrics.find("g.greetings") == nullptr, "create must not have run");
}

BOOST_AUTO_TEST_CASE(start_follows_dependencies_and_stop_reverses_them)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({greeter("c", {}, {"b"}), greeter("a"), greeter("b", {}, {"a"})});
    std::vector<std::string> order;
    for (const auto* i : host.instances()) order.push_back(i->name());
    BOOST_TEST((order == std::vector<std::string>{"a", "b", "c"}));
    host.start_all();
    host.stop_all();
    const std::string log = k.log.str();
    const auto started = [&](const char* n) { return log.find(std::string("[") + n + "] started"); };
    const auto stopped = [&](const char* n) { return log.find(std::string("[") + n + "] stopped"); };
    BOOST_TEST(started("a") < started("b"));
    BOOST_TEST(started("b") < started("c"));
    BOOST_TEST(stopped("c") < stopped("b"));
    BOOST_TEST(stopped("b") < stopped("a"));
}

BOOST_AUTO_TEST_CASE(cyclic_dependencies_and_unknown_names_are_refused)
{
    Kernel k;
    {
        nk::PluginHost host(k.services);
        try {
            host.load({greeter("a", {}, {"c"}), greeter("b", {}, {"a"}), greeter("c", {}, {"b"})});
            BOOST_FAIL("cycle accepted");
        } catch (const nk::PluginHostError& e) {
            BOOST_TEST(std::string(e.what()).find("cyclic plugin dependencies: a -> c -> b -> a") != std::string::npos,
                       e.what());
        }
    }
    {
        nk::PluginHost host(k.services);
        BOOST_CHECK_EXCEPTION(host.load({greeter("a", {}, {"nobody"})}), nk::PluginHostError, [](const auto& e) {
            return std::string(e.what()).find("\"nobody\", which is not an instance") != std::string::npos;
        });
    }
    {
        nk::PluginHost host(k.services);
        BOOST_CHECK_EXCEPTION(host.load({greeter("a"), greeter("a")}), nk::PluginHostError, [](const auto& e) {
            return std::string(e.what()).find("duplicate instance name \"a\"") != std::string::npos;
        });
    }
}

BOOST_AUTO_TEST_CASE(a_missing_library_is_a_library_error)
{
    Kernel k;
    nk::PluginHost host(k.services);
    auto spec = greeter("x");
    spec.library = "/nonexistent/libnope.so";
    BOOST_CHECK_EXCEPTION(host.load({spec}), nk::PluginHostError, [](const nk::PluginHostError& e) {
        return e.kind() == nk::PluginHostError::Kind::library &&
               std::string(e.what()).find("/nonexistent/libnope.so: no such file") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(interfaces_resolve_across_instances_and_buffers_are_shared)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({greeter("provider", {{"greeting", "hello"}}), greeter("consumer")});
    host.start_all();
    const net_host_t* table = host.find("consumer")->host_table();

    net_interface_ref_t ref{};
    BOOST_TEST(table->interface_acquire(table, "nobody", ORG_EXAMPLE_GREETER_V1, &ref) == NET_E_NOT_FOUND);
    BOOST_TEST(table->interface_acquire(table, nullptr, "org.example.unknown/1", &ref) == NET_E_NOT_FOUND);
    BOOST_REQUIRE(table->interface_acquire(table, "provider", ORG_EXAMPLE_GREETER_V1, &ref) == NET_OK);
    BOOST_TEST(host.find("consumer")->interface_refs_outstanding() == 1);

    const auto* greeter_if = static_cast<const org_example_greeter_v1_t*>(ref.vtable);
    BOOST_TEST(greeter_if->struct_size == sizeof(org_example_greeter_v1_t));
    net_buffer_t* out = nullptr;
    BOOST_REQUIRE(greeter_if->greet(ref.object, "mesh", &out) == NET_OK);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(out->data), out->len) == "hello, mesh!");
    BOOST_TEST(table->buffer_is_unique(table, out) == 1);
    net_buffer_t* slice = table->buffer_slice(table, out, 7, 4);
    BOOST_TEST(std::string(reinterpret_cast<const char*>(slice->data), slice->len) == "mesh");
    BOOST_TEST(table->buffer_is_unique(table, out) == 0);
    table->buffer_release(table, slice);
    table->buffer_release(table, out);  // the consumer took ownership of the provider's buffer
    BOOST_TEST(greeter_if->bump(ref.object, 10) == 11u);

    table->interface_release(table, &ref);
    BOOST_TEST(ref.vtable == nullptr);
    BOOST_TEST(host.find("consumer")->interface_refs_outstanding() == 0);
    table->interface_release(table, &ref);  // releasing a zeroed ref is a no-op
    host.stop_all();
}

BOOST_AUTO_TEST_CASE(library_stays_mapped_while_an_interface_reference_is_held)
{
    Kernel k;
    auto host = std::make_unique<nk::PluginHost>(k.services);
    host->load({greeter("provider"), greeter("consumer")});
    host->start_all();
    const net_host_t table_copy = *host->find("consumer")->host_table();
    net_interface_ref_t ref{};
    BOOST_REQUIRE(table_copy.interface_acquire(&table_copy, "provider", ORG_EXAMPLE_GREETER_V1, &ref) == NET_OK);
    host->stop_all();
    host.reset();
    BOOST_TEST(library_is_mapped(kGreeter), "the held reference must keep the library loaded");
    table_copy.interface_release(&table_copy, &ref);
    // The cancelled greeting timer's aborted wait still holds the instance until the loop runs it.
    BOOST_TEST(eventually([&] { return !library_is_mapped(kGreeter); }),
               "the last reference gone, the library must be unloaded");
}

BOOST_AUTO_TEST_CASE(posted_tasks_do_not_run_after_destroy_but_keep_the_library)
{
    Kernel k;
    auto host = std::make_unique<nk::PluginHost>(k.services);
    host->load({greeter("g")});
    host->start_all();
    const net_host_t* table = host->find("g")->host_table();
    // Block the loop's two threads so the posted task stays queued while the instance goes away.
    std::atomic<int> blocked{0};
    std::atomic<bool> release{false};
    for (int i = 0; i < 2; ++i) {
        k.loop.post([&] {
            ++blocked;
            while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        });
    }
    BOOST_REQUIRE(eventually([&] { return blocked.load() == 2; }));
    static std::atomic<int> ran{0};
    ran = 0;
    BOOST_REQUIRE(table->post(table, [](void*) { ++ran; }, nullptr) == NET_OK);
    host->stop_all();
    host.reset();
    BOOST_TEST(library_is_mapped(kGreeter), "a queued task must keep the library loaded");
    release = true;
    BOOST_TEST(eventually([&] { return !library_is_mapped(kGreeter); }));
    BOOST_TEST(ran.load() == 0, "a task posted by a destroyed instance must not run");
}

BOOST_AUTO_TEST_CASE(kernel_services_are_found_before_plugins)
{
    net::test::TempDir dir;
    const auto manifest = dir.write("m.json", R"({"node": {"name": "info-node", "threads": 3},
                       "plugins": [{"name": "g", "library": ")" + kGreeter + R"("}]})");
    std::ostringstream log;
    nk::Node node(nk::load_manifest(manifest), log);
    node.start();
    const net_host_t* table = node.plugins().find("g")->host_table();
    for (const char* provider : {static_cast<const char*>(nullptr), "kernel"}) {
        net_interface_ref_t ref{};
        BOOST_REQUIRE(table->interface_acquire(table, provider, NET_IFACE_KERNEL_INFO_V1, &ref) == NET_OK);
        const auto* info = static_cast<const net_kernel_info_v1_t*>(ref.vtable);
        BOOST_TEST(std::string(info->node_name(ref.object)) == "info-node");
        BOOST_TEST(info->loop_threads(ref.object) == 3u);
        BOOST_TEST(info->abi_version(ref.object) == NET_ABI_VERSION);
        table->interface_release(table, &ref);
    }
    net_interface_ref_t ref{};
    BOOST_TEST(table->interface_acquire(table, "kernel", ORG_EXAMPLE_GREETER_V1, &ref) == NET_E_NOT_FOUND);
    BOOST_TEST(node.plugins().find("g")->interface_refs_outstanding() == 0);
    node.stop();
}

BOOST_AUTO_TEST_CASE(stop_waits_for_a_running_callback_and_runs_none_after)
{
    Kernel k;
    nk::PluginHost host(k.services);
    host.load({greeter("g")});
    host.start_all();
    const net_host_t* table = host.find("g")->host_table();
    struct Probe {
        std::atomic<bool> started{false};
        std::atomic<bool> finished{false};
        std::atomic<int> late{0};
    };
    static Probe probe;
    net_timer_id_t id = 0;
    BOOST_REQUIRE(table->timer_start(table, 0, 0, [](void*) {
        probe.started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        probe.finished = true;
    }, nullptr, &id) == NET_OK);
    BOOST_REQUIRE(eventually([] { return probe.started.load(); }));
    // A task queued behind the running callback must be dropped once stop has returned.
    BOOST_REQUIRE(table->post(table, [](void*) { ++probe.late; }, nullptr) == NET_OK);
    BOOST_REQUIRE(table->post(table, [](void*) { ++probe.late; }, nullptr) == NET_OK);
    host.find("g")->stop();
    BOOST_TEST(probe.finished.load(), "stop must wait for the instance's running callback");
    const int late_at_stop = probe.late.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    BOOST_TEST(probe.late.load() == late_at_stop, "no callback may run after stop returned");
    host.stop_all();
}
