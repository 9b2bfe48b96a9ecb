// library_runner.hpp — runs the selected checks on one library, each in its own child process;
// "load" runs first and the others are skipped when it does not pass.
#pragma once

#include <filesystem>

#include "options.hpp"
#include "verdict.hpp"

namespace net::conformance {

LibraryReport run_library(const std::filesystem::path& library, const Options& options);

}  // namespace net::conformance
