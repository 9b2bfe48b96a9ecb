// Load + create + start of 20 plugin instances from a manifest (manifest parse, schema checks,
// library load, config validation, create and start), against the raw dlopen + dlsym + dlclose
// of the same library measured in the same run. Issue floor: at most 50 ms.
#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bench_common.hpp"
#include "net/kernel/node.hpp"

int main(int argc, char** argv)
{
    namespace nk = net::kernel;
    namespace fs = std::filesystem;
    const bool quick = net::bench::quick_mode(argc, argv);
    const int reps = quick ? 1 : 15;
    const std::string library = std::string(NET_TEST_PLUGIN_DIR) + "/libnet-greeter.so";

    const fs::path dir = fs::temp_directory_path() / ("net-bench-startup-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    nlohmann::json manifest{{"node", {{"name", "bench"}, {"threads", 2}, {"log_level", "warn"}}},
                            {"plugins", nlohmann::json::array()}};
    for (int i = 0; i < 20; ++i) {
        manifest["plugins"].push_back({{"name", "greeter-" + std::to_string(i)},
                                       {"library", library},
                                       {"config", {{"greeting", "hi"}, {"interval_ms", 60000}}}});
    }
    const fs::path file = dir / "twenty.json";
    std::ofstream(file) << manifest.dump(2);

    std::vector<double> node_ms, dlopen_ms;
    for (int r = 0; r < reps; ++r) {
        std::ostringstream log;
        std::unique_ptr<nk::Node> node;
        node_ms.push_back(net::bench::seconds([&] {
            node = std::make_unique<nk::Node>(nk::load_manifest(file), log);
            node->start();
        }) * 1e3);
        if (node->plugins().instances().size() != 20) {
            std::fprintf(stderr, "expected 20 instances\n");
            return 1;
        }
        node.reset();
        dlopen_ms.push_back(net::bench::seconds([&] {
            void* h = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
            net::bench::keep(::dlsym(h, "net_plugin_entry"));
            ::dlclose(h);
        }) * 1e3);
    }
    fs::remove_all(dir);
    std::printf("20 instances: load + create + start %.2f ms (floor: <= 50 ms)   raw dlopen+dlsym+dlclose of the "
                "library: %.3f ms   [median of %d runs]\n",
                net::bench::median(node_ms), net::bench::median(dlopen_ms), reps);
    return 0;
}
