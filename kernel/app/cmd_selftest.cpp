// cmd_selftest.cpp — `net-mesh selftest noise <file> [--json]`: runs Noise test vectors in the
// cacophony format through the handshake engine. Unsupported suites are reported, not failed.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "net/kernel/crypto/noise_vectors.hpp"

namespace net::cli {

int selftest_noise_command(const Args& args)
{
    using namespace net::kernel::crypto;
    if (args.positional.size() != 1) {
        std::cerr << "net-mesh: usage: net-mesh selftest noise <file> [--json]\n";
        return exit_usage;
    }
    const auto& file = args.positional.front();
    const auto report = run_noise_vector_file(file);
    if (!report.loaded) {
        std::cerr << "net-mesh: selftest noise: " << report.error << "\n";
        return exit_failure;
    }
    const auto passed = report.count(NoiseVectorOutcome::pass);
    const auto failed = report.count(NoiseVectorOutcome::fail);
    const auto unsupported = report.count(NoiseVectorOutcome::unsupported);
    if (args.flag("--json")) {
        auto results = nlohmann::json::array();
        for (const auto& r : report.results) {
            results.push_back({{"index", r.index},
                               {"protocol_name", r.protocol_name},
                               {"result", noise_vector_outcome_name(r.outcome)},
                               {"reason", r.reason}});
        }
        nlohmann::json out{
            {"file", file}, {"results", results}, {"passed", passed}, {"failed", failed}, {"unsupported", unsupported}};
        std::cout << out.dump(2) << "\n";
    } else {
        for (const auto& r : report.results) {
            std::cout << noise_vector_outcome_name(r.outcome) << "  " << r.protocol_name;
            if (!r.reason.empty()) std::cout << "  (" << r.reason << ")";
            std::cout << "\n";
        }
        std::cout << passed << " passed, " << failed << " failed, " << unsupported << " unsupported\n";
    }
    return failed == 0 ? exit_ok : exit_failure;
}

}  // namespace net::cli
