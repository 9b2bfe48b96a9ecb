// net/kernel/plugin_library.hpp — one loaded plugin library: mapped with Boost.DLL, its
// descriptor checked against the kernel's ABI, its config schema compiled.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>
#include <nlohmann/json_fwd.hpp>

#include "net/kernel/json_schema.hpp"
#include "net/plugin.h"

namespace net::kernel {

// A library that cannot be used. what() names the file and says what is wrong with it.
class PluginLoadError : public std::runtime_error {
public:
    PluginLoadError(std::filesystem::path file, const std::string& problem)
        : std::runtime_error(file.string() + ": " + problem), file_(std::move(file)), problem_(problem) {}
    const std::filesystem::path& file() const noexcept { return file_; }
    const std::string& problem() const noexcept { return problem_; }

private:
    std::filesystem::path file_;
    std::string problem_;
};

// Returns what is wrong with `descriptor` for a host of ABI `host_abi`, or nullopt when it is
// usable. Reads only the fields the descriptor's struct_size says it has.
std::optional<std::string> check_plugin_descriptor(const net_plugin_descriptor_t* descriptor, std::uint32_t host_abi);

class PluginLibrary {
public:
    // Maps the library and checks it. Throws PluginLoadError.
    static std::shared_ptr<PluginLibrary> load(const std::filesystem::path& file, std::uint32_t host_abi = NET_ABI_VERSION);

    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const net_plugin_descriptor_t& descriptor() const noexcept { return *descriptor_; }
    const std::filesystem::path& file() const noexcept { return file_; }
    std::string id() const { return descriptor_->id; }
    const std::vector<std::string>& provides() const noexcept { return provides_; }
    const std::vector<std::string>& needs() const noexcept { return needs_; }
    // nullptr when the plugin publishes no schema (then any JSON object is accepted).
    const JsonSchema* config_schema() const noexcept { return schema_ ? &*schema_ : nullptr; }
    // Violations of the config schema, with pointers relative to the config object.
    std::vector<SchemaViolation> validate_config(const nlohmann::json& config) const;

private:
    PluginLibrary() = default;

    std::filesystem::path file_;
    boost::dll::shared_library library_;
    const net_plugin_descriptor_t* descriptor_ = nullptr;
    std::vector<std::string> provides_;
    std::vector<std::string> needs_;
    std::optional<JsonSchema> schema_;
};

}  // namespace net::kernel
