#include "plugin_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace net::redex {
namespace {

LogOptions read_options(const nlohmann::json& config)
{
    if (!config.is_object()) throw std::invalid_argument("config must be a JSON object");
    LogOptions o;
    if (config.contains("directory")) o.directory = config["directory"].get<std::string>();
    const std::string fsync = config.value("fsync", std::string("every"));
    if (fsync != "never" && fsync != "every" && fsync != "interval") throw std::invalid_argument("fsync: unknown policy " + fsync);
    o.fsync = fsync == "never" ? FsyncPolicy::never : fsync == "interval" ? FsyncPolicy::interval : FsyncPolicy::every;
    o.fsync_every = config.value("fsync_every", o.fsync_every);
    o.fsync_interval_ms = config.value("fsync_interval_ms", o.fsync_interval_ms);
    o.segment_bytes = config.value("segment_bytes", o.segment_bytes);
    o.write_buffer_bytes = config.value("write_buffer_bytes", o.write_buffer_bytes);
    if (!o.directory) o.segment_bytes = std::min<std::uint64_t>(o.segment_bytes, kMaxEntryBytes);
    if (config.contains("retention")) {
        const nlohmann::json& r = config["retention"];
        if (r.contains("max_entries")) o.retention.max_entries = r["max_entries"].get<std::uint64_t>();
        if (r.contains("max_bytes")) o.retention.max_bytes = r["max_bytes"].get<std::uint64_t>();
        if (r.contains("max_age_ms")) o.retention.max_age_ms = r["max_age_ms"].get<std::uint64_t>();
    }
    return o;
}

}  // namespace

LogOptions parse_plugin_config(std::string_view json)
{
    try {
        return read_options(json.empty() ? nlohmann::json::object() : nlohmann::json::parse(json));
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("config: ") + e.what());
    }
}

bool is_valid_channel_name(std::string_view name)
{
    if (name.empty() || name.size() > 200 || name.front() == '.') return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace net::redex
