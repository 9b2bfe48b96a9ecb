// Merge rules: `node`, `mesh`, `bus` and `channels` merge field by field (arrays such as mesh.peers replace); plugins merge by instance name (fields replace,
// `config` merges recursively); new names append in order.
#include "manifest/manifest_merge.hpp"

#include "manifest/edit_distance.hpp"
#include "manifest/json_text.hpp"
#include "net/kernel/manifest.hpp"

namespace net::kernel {
namespace {

std::vector<std::string> names_of(const MergedManifest& m)
{
    std::vector<std::string> names;
    for (const auto& p : m.plugins) names.push_back(p.entry.at("name").get<std::string>());
    return names;
}

void merge_plugin(MergedPlugin& into, const nlohmann::json& overlay, const ManifestLayer& layer,
                  const std::string& pointer)
{
    for (const auto& [key, value] : overlay.items()) {
        if (key == "config" && into.entry.contains("config")) {
            merge_objects(into.entry["config"], value);
        } else {
            into.entry[key] = value;
        }
        into.origins[key] = FieldOrigin{layer.file, child_pointer(pointer, key)};
        if (key == "library") into.declared = FieldOrigin{layer.file, pointer};
    }
}

}  // namespace

void merge_objects(nlohmann::json& base, const nlohmann::json& overlay)
{
    for (const auto& [key, value] : overlay.items()) {
        auto it = base.find(key);
        if (it != base.end() && it->is_object() && value.is_object()) {
            merge_objects(*it, value);  // depth is bounded by the reader's cap
        } else {
            base[key] = value;
        }
    }
}

void merge_layer(MergedManifest& into, const ManifestLayer& layer, bool has_base)
{
    const auto& doc = layer.document;
    if (auto it = doc.find("$schema"); it != doc.end()) into.schema_ref = *it;
    if (auto it = doc.find("node"); it != doc.end()) merge_objects(into.node, *it);
    const auto merge_section = [&doc](const char* name, std::optional<nlohmann::json>& section) {
        if (auto it = doc.find(name); it != doc.end()) {
            if (!section) section = nlohmann::json::object();
            merge_objects(*section, *it);
        }
    };
    merge_section("mesh", into.mesh);
    merge_section("bus", into.bus);
    merge_section("channels", into.channels);
    const auto plugins = doc.find("plugins");
    if (plugins == doc.end()) return;
    for (std::size_t i = 0; i < plugins->size(); ++i) {
        const auto& overlay = (*plugins)[i];
        const std::string pointer = "/plugins/" + std::to_string(i);
        const auto& name = overlay.at("name").get_ref<const std::string&>();
        if (auto found = into.index_by_name.find(name); found != into.index_by_name.end()) {
            merge_plugin(into.plugins[found->second], overlay, layer, pointer);
            continue;
        }
        if (!overlay.contains("library")) {
            const std::string hint = did_you_mean(name, names_of(into));
            if (!has_base) throw ManifestError(layer.file.string(), pointer, "missing required property \"library\"");
            if (!overlay.value("enabled", true)) {
                throw ManifestError(
                    layer.file.string(), child_pointer(pointer, "name"),
                    "disables instance " + quote_for_message(name) + ", which no base manifest declares" + hint);
            }
            throw ManifestError(layer.file.string(), pointer,
                                "missing required property \"library\" (no base manifest declares an instance named " +
                                    quote_for_message(name) + ", so this entry is not an override)" + hint);
        }
        MergedPlugin entry;
        entry.entry = nlohmann::json::object();
        merge_plugin(entry, overlay, layer, pointer);
        into.index_by_name.emplace(name, into.plugins.size());
        into.plugins.push_back(std::move(entry));
    }
}

}  // namespace net::kernel
