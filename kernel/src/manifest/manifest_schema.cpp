// The manifest schema, embedded so the loader never depends on finding a data file at run
// time. This must stay byte-for-byte equal to manifests/schema/manifest.schema.json;
// tests/unit/test_manifest.cpp checks that it does.
#include "net/kernel/manifest.hpp"

namespace net::kernel {
namespace {

constexpr std::string_view schema_text = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "urn:net:manifest:1",
  "title": "Net node manifest",
  "description": "Which plugins a node loads and how they are configured. A file may extend a base manifest: node settings merge field by field, plugin entries merge by name (config merges recursively), new names are appended, and \"enabled\": false removes an instance. Checked by the kernel's own validator, which supports a subset of draft 2020-12.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "$schema": {
      "description": "Path or URI of this schema, for editors. Ignored by the loader.",
      "type": "string"
    },
    "extends": {
      "description": "Base manifest, relative to this file. Its settings apply first; this file overrides them.",
      "type": "string",
      "minLength": 1
    },
    "node": { "$ref": "#/$defs/node" },
    "plugins": {
      "description": "Plugin instances. An entry whose name a base manifest already declares overrides that entry.",
      "type": "array",
      "items": { "$ref": "#/$defs/plugin" }
    }
  },
  "$defs": {
    "node": {
      "description": "Settings of the node itself. name is required once every manifest in the extends chain is merged.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "name": { "type": "string", "minLength": 1, "maxLength": 255 },
        "threads": {
          "description": "Threads running the event loop.",
          "type": "integer",
          "minimum": 1,
          "maximum": 256,
          "default": 2
        },
        "log_level": {
          "enum": ["trace", "debug", "info", "warn", "error"],
          "default": "info"
        }
      }
    },
    "plugin": {
      "description": "One plugin instance. library is required unless a base manifest declares an instance of the same name.",
      "type": "object",
      "additionalProperties": false,
      "required": ["name"],
      "properties": {
        "name": {
          "description": "Instance name, unique within the node.",
          "type": "string",
          "pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"
        },
        "library": {
          "description": "A bare name X is searched as libX.so, X.so or X on the plugin path; a value containing '/' or ending in .so is a path relative to this manifest.",
          "type": "string",
          "minLength": 1
        },
        "config": {
          "description": "Instance configuration, checked against the plugin's own config schema.",
          "type": "object"
        },
        "depends_on": {
          "description": "Instances that must start before this one.",
          "type": "array",
          "items": { "type": "string" },
          "uniqueItems": true
        },
        "enabled": {
          "description": "false removes the instance from the node.",
          "type": "boolean",
          "default": true
        }
      }
    }
  }
}
)json";

}  // namespace

std::string_view manifest_schema_text() noexcept
{
    return schema_text;
}

const JsonSchema& manifest_schema()
{
    // Compiled once; a failure here is a bug in the shipped schema, which the tests catch.
    static const JsonSchema schema = JsonSchema::compile(nlohmann::json::parse(schema_text));
    return schema;
}

}  // namespace net::kernel
