// One channel's append-only log: segments in memory or on disk, reads by sequence, watchers,
// retention. Thread-safe: one mutex guards the state; watcher callbacks run outside it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "block.hpp"
#include "entry_filter.hpp"
#include "log_options.hpp"
#include "segment_files.hpp"
#include "segment_recovery.hpp"

namespace net::redex {

// An entry as readers get it: a view of `length` bytes at `offset` in `block` (shared, never
// written again).
struct Entry {
    std::uint64_t sequence = 0;
    std::int64_t timestamp_ns = 0;
    std::shared_ptr<Block> block;
    std::size_t offset = 0;
    std::size_t length = 0;

    std::span<const std::uint8_t> bytes() const noexcept { return {block->data() + offset, length}; }
};

struct RangeResult {
    std::vector<Entry> entries;
    std::uint64_t next = 0;  // where a following read continues
};

struct RecoveryReport {
    std::uint64_t recovered_entries = 0;
    std::uint64_t discarded_records = 0;
    bool corrupt = false;
    std::vector<std::string> messages;  // one per damaged segment
};

struct LogStats {
    bool durable = false;
    std::uint64_t first_sequence = 0, next_sequence = 0, synced_sequence = 0;
    std::uint64_t entries = 0, bytes = 0, segments = 0;
    std::uint64_t appends = 0, fsyncs = 0, retained_dropped = 0;
    std::uint64_t watchers = 0;
    RecoveryReport recovery;
};

using WatchFn = std::function<void(std::uint64_t watch_id, const std::vector<Entry>&)>;

// One entry of an append_batch: the payload (borrowed for the call) and its timestamp (empty: now).
struct AppendItem {
    std::span<const std::uint8_t> payload;
    std::optional<std::int64_t> timestamp_ns;
};

class Log {
public:
    Log(LogOptions options, std::shared_ptr<BlockAllocator> allocator);
    ~Log();
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    // Returns the entry's sequence. Throws IoError (nothing appended) or std::invalid_argument.
    std::uint64_t append(std::span<const std::uint8_t> payload, std::optional<std::int64_t> timestamp_ns = std::nullopt);
    // Appends the items in order as one group (a group commit): all land in one segment, with one
    // write per file, and count as one append for the fsync policy's decision to sync. Returns the
    // first item's sequence; the others follow. All or nothing: throws IoError (nothing appended),
    // or std::invalid_argument for an empty batch or one over 64 MiB of payload in all.
    std::uint64_t append_batch(std::span<const AppendItem> items);
    std::optional<Entry> read_one(std::uint64_t sequence) const;
    RangeResult read_range(std::uint64_t from, std::uint64_t to, std::size_t max, const EntryFilter& filter = {}) const;

    std::uint64_t watch(std::uint64_t from, EntryFilter filter, WatchFn fn);
    bool unwatch(std::uint64_t id);
    bool has_watchers() const noexcept;
    // Delivers pending entries to every watcher (on the calling thread). Returns entries delivered.
    std::size_t poll_watchers();

    // Writes what the write buffer holds to the files (no sync). Throws IoError; the entries stay
    // buffered (and readable) and the next flush, sync or append tries again.
    void flush();
    void sync();
    // Syncs when the interval policy's period has passed since the last sync round.
    void sync_if_due();
    void enforce_retention();
    // Syncs and closes the files; later calls throw IoError (reads return nothing).
    void close();

    LogStats stats() const;

private:
    struct Segment {
        std::uint64_t base = 0;
        std::vector<EntryLocation> entries;
        std::uint64_t used_bytes = 0;
        std::shared_ptr<Block> memory;        // memory logs
        std::size_t prefaulted_bytes = 0;     // memory logs: bytes of `memory` faulted in for writing
        std::unique_ptr<SegmentFiles> files;  // disk logs
    };
    struct Watcher;

    void recover();
    Segment& writable_segment(std::size_t length);
    void write_to_memory(Segment& s, std::span<const AppendItem> items, std::uint64_t total);
    void write_to_disk(Segment& s, std::span<const AppendItem> items, std::int64_t now, std::uint64_t first_sequence);
    std::deque<Segment>::const_iterator find_segment(std::uint64_t sequence) const;
    const Segment* segment_of(std::uint64_t sequence) const;
    std::optional<Entry> entry_at(const Segment& segment, std::uint64_t sequence) const;
    void sync_locked();
    void enforce_retention_locked();
    std::int64_t now_ns() const;
    bool durable() const noexcept { return options_.directory.has_value(); }

    const LogOptions options_;
    const std::shared_ptr<BlockAllocator> allocator_;

    mutable std::mutex mutex_;
    bool closed_ = false;
    std::deque<Segment> segments_;
    std::uint64_t first_sequence_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::uint64_t synced_sequence_ = 0;
    std::uint64_t retained_bytes_ = 0;
    std::uint64_t appends_ = 0, fsyncs_ = 0, retained_dropped_ = 0;
    std::int64_t last_sync_ns_ = 0;
    RecoveryReport recovery_;
    // Scratch for disk appends, kept to avoid allocating per append.
    std::vector<std::span<const std::uint8_t>> scratch_payloads_;
    std::vector<std::uint8_t> scratch_timestamps_, scratch_records_;

    std::vector<std::shared_ptr<Watcher>> watchers_;
    std::uint64_t next_watch_id_ = 1;
    std::atomic<std::size_t> watcher_count_{0};
};

}  // namespace net::redex
