// parse_manifest_document: one manifest file on its own — JSON syntax, the schema, and the
// rules that need no other file (unique instance names).
#include <map>

#include "manifest/json_reader.hpp"
#include "manifest/json_text.hpp"
#include "net/kernel/manifest.hpp"

namespace net::kernel {
namespace {

constexpr std::size_t max_manifest_bytes = 16U << 20U;

void check_unique_names(const nlohmann::json& doc, const std::string& file)
{
    const auto plugins = doc.find("plugins");
    if (plugins == doc.end()) return;
    std::map<std::string, std::size_t, std::less<>> first_index;
    for (std::size_t i = 0; i < plugins->size(); ++i) {
        const auto& name = (*plugins)[i].at("name").get_ref<const std::string&>();
        const auto [it, inserted] = first_index.emplace(name, i);
        if (!inserted) {
            throw ManifestError(file, "/plugins/" + std::to_string(i) + "/name",
                                "duplicate instance name " + quote_for_message(name) + " (first declared at /plugins/" +
                                    std::to_string(it->second) + ")");
        }
    }
}

}  // namespace

nlohmann::json parse_manifest_document(std::string_view text, const std::filesystem::path& file)
{
    const std::string file_name = file.string();
    if (text.size() > max_manifest_bytes) {
        throw ManifestError(file_name, "",
                            "manifest larger than " + std::to_string(max_manifest_bytes >> 20U) + " MiB");
    }
    nlohmann::json doc;
    try {
        doc = read_json_text(text);
    } catch (const JsonReadError& e) {
        throw ManifestError(file_name, e.pointer, e.detail, e.line, e.column);
    }
    auto violations = manifest_schema().validate(doc);
    if (!violations.empty()) {
        ManifestError error(file_name, violations.front().pointer, violations.front().message);
        error.further_violations.assign(violations.begin() + 1, violations.end());
        throw error;
    }
    check_unique_names(doc, file_name);
    return doc;
}

}  // namespace net::kernel
