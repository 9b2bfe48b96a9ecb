// The plugin's JSON config (validated against kConfigSchema by the host) turned into LogOptions.
#pragma once

#include <string>
#include <string_view>

#include "log_options.hpp"

namespace net::redex {

inline constexpr const char* kConfigSchema = R"json({
    "type": "object",
    "additionalProperties": false,
    "properties": {
        "directory":         {"type": "string", "minLength": 1,
                              "description": "root folder of the logs (one sub-folder per channel); absent = memory only"},
        "fsync":             {"enum": ["never", "every", "interval"],
                              "description": "when appends reach stable storage (close always syncs)"},
        "fsync_every":       {"type": "integer", "minimum": 1, "maximum": 1000000000,
                              "description": "with fsync=every: entries per sync round (1 = every entry)"},
        "fsync_interval_ms": {"type": "integer", "minimum": 1, "maximum": 3600000,
                              "description": "with fsync=interval: longest time between sync rounds"},
        "segment_bytes":     {"type": "integer", "minimum": 4096, "maximum": 1073741824,
                              "description": "data bytes per segment before a new one starts (memory segments cap at 64 MiB)"},
        "write_buffer_bytes": {"type": "integer", "minimum": 0, "maximum": 67108864,
                              "description": "disk logs: appends collect in memory up to this many bytes before they are written (0 = each append is written before it returns; a process crash may lose what is buffered)"},
        "retention": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "max_entries": {"type": "integer", "minimum": 1},
                "max_bytes":   {"type": "integer", "minimum": 1},
                "max_age_ms":  {"type": "integer", "minimum": 1}
            }
        }
    }
})json";

// Options shared by every channel; `directory` is the instance's root (each channel gets a folder).
LogOptions parse_plugin_config(std::string_view json);

// True for 1-200 bytes of [A-Za-z0-9._-] not starting with '.': safe as a folder name.
bool is_valid_channel_name(std::string_view name);

}  // namespace net::redex
