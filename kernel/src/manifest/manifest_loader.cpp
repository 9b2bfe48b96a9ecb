// load_manifest: reads the `extends` chain (each file checked on its own first), merges it,
// checks what only the merged result can show (node.name, depends_on names), resolves libraries.
// Dependency cycles are left to the plugin host, which also sees needs/provides edges.
#include <algorithm>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "manifest/edit_distance.hpp"
#include "manifest/json_text.hpp"
#include "manifest/manifest_merge.hpp"
#include "net/kernel/manifest.hpp"

namespace net::kernel {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_extends_depth = 32;
constexpr std::size_t max_read_bytes = (16U << 20U) + 1;  // one past parse_manifest_document's cap

// Contents of `file`, or nullopt with `reason` set.
std::optional<std::string> read_file(const fs::path& file, std::string& reason)
{
    std::error_code ec;
    if (fs::is_directory(file, ec)) {
        reason = "is a directory";
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        reason = std::generic_category().message(errno != 0 ? errno : ENOENT);
        return std::nullopt;
    }
    std::string text(max_read_bytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        reason = "read error";
        return std::nullopt;
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

fs::path identity_of(const fs::path& file)
{
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(file, ec);
    return ec ? fs::absolute(file, ec).lexically_normal() : canonical;
}

// Top manifest first, each followed by the base it extends.
std::vector<ManifestLayer> load_chain(const fs::path& top)
{
    std::vector<ManifestLayer> layers;
    std::vector<fs::path> identities;
    fs::path current = top;
    std::string extends_value;  // as written in the previous layer
    while (true) {
        const fs::path identity = identity_of(current);
        if (auto seen = std::find(identities.begin(), identities.end(), identity); seen != identities.end()) {
            std::string chain;
            for (auto it = seen; it != identities.end(); ++it) {
                chain += layers[static_cast<std::size_t>(it - identities.begin())].file.string() + " \u2192 ";
            }
            chain += current.string();
            throw ManifestError(layers.back().file.string(), "/extends", "cyclic extends: " + chain);
        }
        if (layers.size() == max_extends_depth) {
            throw ManifestError(layers.back().file.string(), "/extends",
                                "extends chain longer than " + std::to_string(max_extends_depth) + " manifests");
        }
        std::string reason;
        const auto text = read_file(current, reason);
        if (!text) {
            if (layers.empty()) throw ManifestError(current.string(), "", "cannot read manifest: " + reason);
            throw ManifestError(layers.back().file.string(), "/extends",
                                "cannot read base manifest " + quote_for_message(extends_value) + " (" +
                                    current.string() + "): " + reason);
        }
        nlohmann::json doc = parse_manifest_document(*text, current);
        identities.push_back(identity);
        const auto extends = doc.find("extends");
        const bool has_base = extends != doc.end();
        if (has_base) extends_value = extends->get<std::string>();
        layers.push_back(ManifestLayer{current, std::move(doc)});
        if (!has_base) break;
        current = (current.parent_path() / extends_value).lexically_normal();
    }
    return layers;
}

std::string list_paths(const std::vector<fs::path>& paths)
{
    std::string out;
    for (const auto& p : paths) out += (out.empty() ? "" : ", ") + p.string();
    return out;
}

void check_dependencies(const MergedManifest& m)
{
    std::vector<std::string> all_names;
    for (const auto& p : m.plugins) all_names.push_back(p.entry.at("name").get<std::string>());
    for (const auto& p : m.plugins) {
        if (!p.enabled()) continue;
        const auto deps = p.entry.find("depends_on");
        if (deps == p.entry.end()) continue;
        const FieldOrigin& origin = p.origins.at("depends_on");
        for (std::size_t k = 0; k < deps->size(); ++k) {
            const auto& dep = (*deps)[k].get_ref<const std::string&>();
            const std::string at = child_pointer(origin.pointer, k);
            const auto found = m.index_by_name.find(dep);
            if (found == m.index_by_name.end()) {
                std::string known;
                for (const auto& n : all_names) known += (known.empty() ? "" : ", ") + quote_for_message(n);
                throw ManifestError(origin.file.string(), at,
                                    "depends on unknown instance " + quote_for_message(dep) +
                                        did_you_mean(dep, all_names) +
                                        "; declared instances: " + (known.empty() ? "none" : known));
            }
            const MergedPlugin& target = m.plugins[found->second];
            if (!target.enabled()) {
                const FieldOrigin& off = target.origins.at("enabled");
                throw ManifestError(origin.file.string(), at,
                                    "depends on instance " + quote_for_message(dep) + ", which is disabled (" +
                                        off.file.string() + ": " + off.pointer + ")");
            }
        }
    }
}

NodeSettings node_settings(const nlohmann::json& node, const fs::path& top, const nlohmann::json& top_doc)
{
    if (!node.contains("name")) {
        throw ManifestError(
            top.string(), top_doc.contains("node") ? "/node" : "",
            "missing required property \"name\" of \"node\" (set it in this manifest or in one it extends)");
    }
    NodeSettings settings;
    settings.name = node.at("name").get<std::string>();
    if (auto it = node.find("threads"); it != node.end()) settings.threads = it->get<unsigned>();
    if (auto it = node.find("log_level"); it != node.end()) settings.log_level = it->get<std::string>();
    return settings;
}

PluginEntry make_entry(const MergedPlugin& p, const LoadOptions& options, const std::vector<fs::path>& search_path)
{
    PluginEntry entry;
    entry.name = p.entry.at("name").get<std::string>();
    entry.library = p.entry.at("library").get<std::string>();
    if (auto it = p.entry.find("config"); it != p.entry.end()) entry.config = *it;
    if (auto it = p.entry.find("depends_on"); it != p.entry.end())
        entry.depends_on = it->get<std::vector<std::string>>();
    entry.declared_in = p.declared.file;
    entry.pointer = p.declared.pointer;
    if (!options.resolve_libraries) return entry;
    const FieldOrigin& origin = p.origins.at("library");
    const LibraryResolution found = resolve_plugin_library(entry.library, origin.file.parent_path(), search_path);
    if (!found.path) {
        throw ManifestError(origin.file.string(), origin.pointer,
                            "plugin library " + quote_for_message(entry.library) + " not found; tried " +
                                list_paths(found.tried) +
                                " (add the directory holding it to the plugin path, e.g. NET_PLUGIN_PATH)");
    }
    entry.library_path = *found.path;
    return entry;
}

nlohmann::json effective_document(const MergedManifest& m)
{
    nlohmann::json doc = nlohmann::json::object();
    if (m.schema_ref) doc["$schema"] = *m.schema_ref;
    doc["node"] = m.node;
    if (m.mesh) doc["mesh"] = *m.mesh;
    if (m.bus) doc["bus"] = *m.bus;
    if (m.channels) doc["channels"] = *m.channels;
    doc["plugins"] = nlohmann::json::array();
    for (const auto& p : m.plugins) {
        if (!p.enabled()) continue;
        nlohmann::json entry = p.entry;
        entry.erase("enabled");
        doc["plugins"].push_back(std::move(entry));
    }
    return doc;
}

}  // namespace

Manifest load_manifest(const fs::path& file, const LoadOptions& options)
{
    std::vector<ManifestLayer> layers = load_chain(file);
    std::reverse(layers.begin(), layers.end());
    MergedManifest merged;
    for (std::size_t i = 0; i < layers.size(); ++i) merge_layer(merged, layers[i], i > 0);
    check_dependencies(merged);

    Manifest manifest;
    manifest.file = file;
    manifest.node = node_settings(merged.node, file, layers.back().document);
    std::vector<fs::path> search_path = options.plugin_path;
    if (options.resolve_libraries) {
        const auto env = plugin_search_path_from_env();
        search_path.insert(search_path.end(), env.begin(), env.end());
    }
    for (const auto& p : merged.plugins) {
        if (p.enabled()) manifest.plugins.push_back(make_entry(p, options, search_path));
    }
    if (merged.mesh) manifest.mesh = *merged.mesh;
    if (merged.bus) manifest.bus = *merged.bus;
    if (merged.channels) manifest.channels = *merged.channels;
    manifest.merged = effective_document(merged);
    return manifest;
}

}  // namespace net::kernel
