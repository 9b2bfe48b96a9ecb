// check_support.cpp — small pieces several checks share.
#include "check_support.hpp"

#include "child_channel.hpp"

namespace net::conformance {

std::shared_ptr<kernel::PluginLibrary> load_library(const CheckInput& input)
{
    note_step("PluginLibrary::load");
    return kernel::PluginLibrary::load(input.library);
}

std::string config_text(const CheckInput& input)
{
    return input.config.dump();
}

std::optional<nlohmann::json> wrong_typed_config(const char* schema_text)
{
    if (schema_text == nullptr) return std::nullopt;
    const auto schema = nlohmann::json::parse(schema_text, nullptr, false);
    if (!schema.is_object()) return std::nullopt;
    const auto properties = schema.find("properties");
    if (properties == schema.end() || !properties->is_object()) return std::nullopt;
    for (const auto& [name, property] : properties->items()) {
        if (!property.is_object()) continue;
        const auto type = property.find("type");
        if (type == property.end() || !type->is_string()) continue;
        nlohmann::json wrong = *type == "string" ? nlohmann::json(12345) : nlohmann::json("conformance: wrong type");
        return nlohmann::json{{name, std::move(wrong)}};
    }
    return std::nullopt;
}

std::string status_text(net_status_t status)
{
    return net_status_name(status);
}

std::string shorten(std::string_view text, std::size_t limit)
{
    std::string out;
    for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
    if (out.size() > limit) out = out.substr(0, limit) + "...";
    return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator)
{
    std::string out;
    for (const std::string& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

}  // namespace net::conformance
