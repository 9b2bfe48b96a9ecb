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
    "mesh": { "$ref": "#/$defs/mesh" },
    "bus": { "$ref": "#/$defs/bus" },
    "channels": { "$ref": "#/$defs/channels" },
    "plugins": {
      "description": "Plugin instances. An entry whose name a base manifest already declares overrides that entry.",
      "type": "array",
      "items": { "$ref": "#/$defs/plugin" }
    }
  },
  "$defs": {
    "bus": {
      "description": "The bus engine (docs/bus.md): sharded rings, batching, retries, handing batches to the instance that provides net.bus.adapter/1. Every field is optional.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "adapter": { "description": "Instance providing net.bus.adapter/1; default: the only one.", "type": "string", "minLength": 1 },
        "shards": { "type": "integer", "minimum": 1, "maximum": 256 },
        "ring_capacity": { "description": "Events per shard ring (rounded up to a power of two).", "type": "integer", "minimum": 2, "maximum": 16777216 },
        "policy": { "description": "What a full ring does to a publish.", "enum": ["fail", "drop_oldest", "drop_newest", "sample"] },
        "sample": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "rate": { "type": "integer", "minimum": 1 },
            "high_water": { "type": "integer", "minimum": 1 }
          }
        },
        "batch": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "max_events": { "type": "integer", "minimum": 1 },
            "max_bytes": { "type": "integer", "minimum": 1 },
            "max_delay_us": { "type": "integer", "minimum": 0 },
            "min_delay_us": { "type": "integer", "minimum": 0 },
            "adaptive": { "type": "boolean" }
          }
        },
        "retry": {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "initial_backoff_ms": { "type": "integer", "minimum": 0 },
            "max_backoff_ms": { "type": "integer", "minimum": 0 },
            "timeout_ms": { "type": "integer", "minimum": 0 }
          }
        }
      }
    },
    "channels": {
      "description": "The channel service (docs/channels.md, docs/tokens.md); needs a mesh section. Relative paths are relative to the manifest that is loaded.",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "subnet": { "description": "This node's subnet, e.g. \"0\" (the root) or \"1.2\".", "type": "string", "minLength": 1 },
        "trust": {
          "description": "Ed25519 public keys (64 hex digits) allowed to issue root tokens.",
          "type": "array",
          "items": { "type": "string", "pattern": "^[0-9a-fA-F]{64}$" }
        },
        "clock_skew_s": { "description": "Tolerance on token validity windows.", "type": "integer", "minimum": 0, "maximum": 86400 },
        "tokens": {
          "description": "Files holding the token chains this node presents (`net-mesh token issue` output), one chain per file.",
          "type": "array",
          "items": { "type": "string", "minLength": 1 }
        },
        "announce_interval_ms": { "type": "integer", "minimum": 10, "maximum": 600000 },
        "entry_ttl_ms": { "type": "integer", "minimum": 20, "maximum": 3600000 },
        "persist": {
          "description": "Channels whose events this node appends to a RedEX log named after the channel (`net-mesh log tail`).",
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["channel"],
            "properties": {
              "channel": { "type": "string", "minLength": 1 },
              "visibility": { "enum": ["subnet-local", "parent-visible", "exported", "global"] },
              "redex": { "description": "Instance providing net.redex/1; default: the first one.", "type": "string", "minLength": 1 }
            }
          }
        },
        "ingest": {
          "description": "Channels whose events this node hands to the bus engine (needs a bus section).",
          "type": "array",
          "items": { "type": "string", "minLength": 1 }
        }
      }
    },
    "mesh": {
      "description": "The node's encrypted mesh (docs/mesh.md). identity and one of psk / psk_file are required once the extends chain is merged. Relative paths are relative to the manifest that is loaded (the last of an extends chain).",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "identity": { "description": "Key file written by `net-mesh identity generate`.", "type": "string", "minLength": 1 },
        "psk": { "description": "Mesh pre-shared key: 64 hex digits. Prefer psk_file.", "type": "string", "pattern": "^[0-9a-fA-F]{64}$" },
        "psk_file": { "description": "File holding the 64-hex-digit pre-shared key (owner-only permissions).", "type": "string", "minLength": 1 },
        "transport": { "description": "Instance providing net.transport/1; default: the only one.", "type": "string", "minLength": 1 },
        "suite": { "enum": ["chacha20-poly1305", "aes-256-gcm"], "default": "chacha20-poly1305" },
        "heartbeat_interval_ms": { "type": "integer", "minimum": 10, "maximum": 3600000, "default": 5000 },
        "suspect_after_misses": { "type": "integer", "minimum": 1, "maximum": 100, "default": 2 },
        "session_timeout_ms": { "type": "integer", "minimum": 20, "maximum": 86400000, "default": 30000 },
        "pingwave_interval_ms": { "type": "integer", "minimum": 10, "maximum": 3600000, "default": 1000 },
        "route_ttl_ms": { "description": "A flooded route not refreshed for this long is withdrawn; default 3 pingwave intervals.", "type": "integer", "minimum": 10, "maximum": 86400000 },
        "handshake_timeout_ms": { "type": "integer", "minimum": 10, "maximum": 600000, "default": 1000 },
        "handshake_retries": { "type": "integer", "minimum": 0, "maximum": 100, "default": 5 },
        "reconnect_interval_ms": { "description": "Wait before opening a new session to a configured peer after one failed.", "type": "integer", "minimum": 10, "maximum": 3600000, "default": 2000 },
        "admin_socket": { "description": "Unix socket serving status and ping; default ${XDG_RUNTIME_DIR:-/tmp}/net-mesh-<node name>.sock.", "type": "string", "minLength": 1 },
        "peers": {
          "type": "array",
          "items": { "$ref": "#/$defs/peer" }
        }
      }
    },
    "peer": {
      "description": "A node this one knows. Without an endpoint it is reached through relays.",
      "type": "object",
      "additionalProperties": false,
      "required": ["name", "entity_key", "static_key"],
      "properties": {
        "name": { "type": "string", "minLength": 1, "maxLength": 64 },
        "entity_key": { "description": "Ed25519 public key (64 hex digits); the address derives from it.", "type": "string", "pattern": "^[0-9a-fA-F]{64}$" },
        "static_key": { "description": "X25519 public key (64 hex digits).", "type": "string", "pattern": "^[0-9a-fA-F]{64}$" },
        "endpoint": { "description": "UDP endpoint \"host:port\" or \"[v6]:port\".", "type": "string", "minLength": 3 }
      }
    },
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
