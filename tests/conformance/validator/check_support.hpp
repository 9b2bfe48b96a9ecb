// check_support.hpp — small pieces several checks share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "check.hpp"
#include "net/kernel/plugin_library.hpp"

namespace net::conformance {

// Loads the library (noting the step). Throws PluginLoadError; the runner only calls the other
// checks for a library whose load check passed.
std::shared_ptr<kernel::PluginLibrary> load_library(const CheckInput& input);

// The JSON text instances are created with.
std::string config_text(const CheckInput& input);

// A config whose first typed property has a value of another type ({"count": "..."}), built from
// the plugin's schema; nullopt when the schema declares no typed property.
std::optional<nlohmann::json> wrong_typed_config(const char* schema_text);

// "<name>: <status>" formatting for messages.
std::string status_text(net_status_t status);
// `text` cut to `limit` characters with an ellipsis, on one line.
std::string shorten(std::string_view text, std::size_t limit = 80);
// Items joined with `separator`.
std::string join(const std::vector<std::string>& items, std::string_view separator = "; ");

}  // namespace net::conformance
