// Manifests: which plugins a node loads and how they are configured. Loading reads a JSON file,
// validates it against manifests/schema/manifest.schema.json, follows `extends` to base
// manifests, merges them, checks cross-references and resolves plugin libraries.
//
// Composition: `extends` names a base manifest relative to the extending file (chains allowed,
// cycles rejected). Every file is checked against the schema on its own first, so errors name
// the file and pointer where the mistake is. Then, base first: `node` merges field by field;
// plugin entries merge by `name` — a known name overrides fields of the base entry (`config`
// merges recursively, objects inside it too; arrays, scalars and null replace), a new name is
// appended and must give `library`; `"enabled": false` drops the instance from the result (a
// later file may set it back to true). Disabling a name no base declares is an error (a typo).
// After merging: node.name must be set, and every depends_on of an enabled instance must name
// an enabled instance (dependency cycles are reported by the plugin host, which also sees
// needs/provides).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/kernel/json_schema.hpp"

namespace net::kernel {

// Every loading problem. what() is "<file>: <pointer>: <detail>" (the pointer part omitted
// when empty); detail says what was expected and what was found.
struct ManifestError : std::runtime_error {
    ManifestError(std::string file, std::string pointer, std::string detail, std::size_t line = 0,
                  std::size_t column = 0);
    std::string file;     // the manifest the problem is in (as named by the caller or by `extends`)
    std::string pointer;  // RFC 6901 pointer in that file; empty for whole-file problems
    std::string detail;
    std::size_t line = 0;  // 1-based position of a JSON syntax error (also in detail); else 0
    std::size_t column = 0;
    // Further schema violations in the same file, beyond the one this error reports.
    std::vector<SchemaViolation> further_violations;
};

struct PluginEntry {
    std::string name;                                  // instance name, unique in the node
    std::string library;                               // as written in the manifest
    std::filesystem::path library_path;                // resolved (absolute); empty when resolve_libraries is false
    nlohmann::json config = nlohmann::json::object();  // merged; {} when absent
    std::vector<std::string> depends_on;
    std::filesystem::path declared_in;  // the manifest whose `library` this entry uses
    std::string pointer;                // of the entry in declared_in, e.g. "/plugins/2"
};

struct NodeSettings {
    std::string name;
    unsigned threads = 2;
    std::string log_level = "info";
};

struct Manifest {
    std::filesystem::path file;
    NodeSettings node;
    std::vector<PluginEntry> plugins;  // enabled instances, base manifests' order first
    // The merged "mesh" section (schema-checked; mesh/mesh_config.hpp reads it); null when absent.
    nlohmann::json mesh;
    // The merged "bus" (bus/bus_config.hpp reads it) and "channels" (node/channels_section.hpp)
    // sections; null when absent.
    nlohmann::json bus;
    nlohmann::json channels;
    nlohmann::json merged;             // the effective manifest: no `extends`, no disabled entries
};

struct LoadOptions {
    std::vector<std::filesystem::path> plugin_path;  // searched before NET_PLUGIN_PATH
    bool resolve_libraries = true;
};

// Loads, validates, composes and resolves. Throws ManifestError (or std::bad_alloc) only.
Manifest load_manifest(const std::filesystem::path& file, const LoadOptions& options = {});

// Parses and checks one manifest document on its own: JSON syntax (depth <= 64, no duplicate
// keys), the schema, and the rules local to one file (unique instance names). Does not follow
// `extends` or touch the file system. `file` only names the document in errors.
// Throws ManifestError only.
nlohmann::json parse_manifest_document(std::string_view text, const std::filesystem::path& file);

// NET_PLUGIN_PATH split on ':', empty entries ignored.
std::vector<std::filesystem::path> plugin_search_path_from_env();

struct LibraryResolution {
    std::optional<std::filesystem::path> path;  // the library found, absolute
    std::vector<std::filesystem::path> tried;   // every candidate looked at, in order
};

// Where `library` lives. A value containing '/' or ending in ".so" is a path relative to
// manifest_dir; a bare name X is looked for as libX.so, X.so and X in each search_path
// directory, then in manifest_dir.
LibraryResolution resolve_plugin_library(const std::string& library, const std::filesystem::path& manifest_dir,
                                         const std::vector<std::filesystem::path>& search_path);

// The manifest schema, as shipped in manifests/schema/manifest.schema.json (embedded copy).
std::string_view manifest_schema_text() noexcept;
const JsonSchema& manifest_schema();

}  // namespace net::kernel
