// Composition of an `extends` chain: each layer (base first) merges into the result, and every
// plugin field remembers which file and pointer set it, so later errors point at the right line.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace net::kernel {

struct FieldOrigin {
    std::filesystem::path file;
    std::string pointer;
};

struct ManifestLayer {
    std::filesystem::path file;
    nlohmann::json document;  // already checked by parse_manifest_document
};

struct MergedPlugin {
    nlohmann::json entry;                        // merged fields, including name and enabled
    std::map<std::string, FieldOrigin> origins;  // field -> where it was last set
    FieldOrigin declared;                        // the entry that set `library`
    bool enabled() const { return entry.value("enabled", true); }
};

struct MergedManifest {
    std::optional<nlohmann::json> schema_ref;  // "$schema" of the last layer that had one
    nlohmann::json node = nlohmann::json::object();
    std::optional<nlohmann::json> mesh;  // merged like node; absent when no layer has one
    std::optional<nlohmann::json> bus;       // the same for "bus"
    std::optional<nlohmann::json> channels;  // and "channels"
    std::vector<MergedPlugin> plugins;  // in declaration order
    std::map<std::string, std::size_t, std::less<>> index_by_name;
};

// Objects merge recursively (overlay wins); anything else in the overlay replaces.
void merge_objects(nlohmann::json& base, const nlohmann::json& overlay);

// Merges one layer. `has_base` says whether earlier layers exist (it shapes error messages).
// Throws ManifestError for an entry that is new but lacks `library`.
void merge_layer(MergedManifest& into, const ManifestLayer& layer, bool has_base);

}  // namespace net::kernel
