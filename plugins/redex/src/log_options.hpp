// How a log stores, syncs and retains its entries (the plugin's config, docs/redex.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace net::redex {

enum class FsyncPolicy { never, every, interval };

struct Retention {
    std::optional<std::uint64_t> max_entries;
    std::optional<std::uint64_t> max_bytes;
    std::optional<std::uint64_t> max_age_ms;
};

inline constexpr std::uint64_t kMaxEntryBytes = 64u << 20;

struct LogOptions {
    std::optional<std::filesystem::path> directory;  // the channel's own folder; empty = memory only
    FsyncPolicy fsync = FsyncPolicy::every;
    std::uint64_t fsync_every = 1000;        // entries per sync round with FsyncPolicy::every
    std::uint64_t fsync_interval_ms = 1000;  // with FsyncPolicy::interval
    Retention retention;
    std::uint64_t segment_bytes = 8u << 20;
    // 0: every append reaches the files (the page cache) before it returns. More: appends collect
    // in memory up to this many bytes and are written when that fills, at each sync round, when a
    // segment ends, on flush() and on close; a process crash can lose what was still buffered.
    std::uint64_t write_buffer_bytes = 0;
    std::function<std::int64_t()> now_ns;  // wall clock; empty = std::chrono::system_clock
};

}  // namespace net::redex
