#include "log.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "prefault.hpp"
#include "record_format.hpp"

namespace net::redex {

struct Log::Watcher {
    std::uint64_t id = 0;
    std::uint64_t next = 0;
    EntryFilter filter;
    WatchFn fn;
    std::mutex delivery;  // held while fn runs, so unwatch can wait for a running delivery
    std::atomic<bool> cancelled{false};
    std::atomic<std::thread::id> delivering{};
};

namespace {

constexpr std::size_t kWatchBatch = 256;
constexpr std::int64_t kNsPerMs = 1'000'000;

}  // namespace

Log::Log(LogOptions options, std::shared_ptr<BlockAllocator> allocator)
    : options_(std::move(options)), allocator_(std::move(allocator))
{
    last_sync_ns_ = now_ns();
    if (durable()) recover();
    enforce_retention_locked();
}

Log::~Log()
{
    try {
        close();
    } catch (const std::exception&) {
        // Nothing to report to: the files are as durable as the last successful sync.
    }
}

std::int64_t Log::now_ns() const
{
    if (options_.now_ns) return options_.now_ns();
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void Log::recover()
{
    const std::filesystem::path& dir = *options_.directory;
    std::filesystem::create_directories(dir);
    const std::vector<std::uint64_t> bases = SegmentFiles::list(dir);
    std::optional<std::uint64_t> expected_base;
    for (std::size_t i = 0; i < bases.size(); ++i) {
        const bool last = i + 1 == bases.size();
        const SegmentContents contents = SegmentFiles::read(dir, bases[i]);
        SegmentRecovery r = recover_segment(contents.index, contents.data, contents.timestamps, expected_base);
        recovery_.discarded_records += r.discarded_records;
        if (!r.base_sequence && last && contents.index.size() < kIndexHeaderSize) {
            // The segment's creation was interrupted before its header was complete.
            SegmentFiles::remove(dir, bases[i]);
            break;
        }
        const bool stop_here = r.damage == Damage::corrupt || (r.damage != Damage::none && !last);
        if (r.damage != Damage::none) {
            recovery_.messages.push_back("segment " + std::to_string(bases[i]) + ": " + r.detail);
        }
        if (stop_here) recovery_.corrupt = true;
        if (r.base_sequence) {
            Segment s;
            s.base = *r.base_sequence;
            for (const EntryLocation& e : r.entries) retained_bytes_ += e.length;
            s.entries = std::move(r.entries);
            s.used_bytes = r.data_bytes;
            s.files = SegmentFiles::open(dir, s.base, r.index_bytes, r.data_bytes, r.timestamp_bytes,
                                         options_.write_buffer_bytes);
            recovery_.recovered_entries += s.entries.size();
            expected_base = s.base + s.entries.size();
            segments_.push_back(std::move(s));
        } else {
            SegmentFiles::set_aside(dir, bases[i]);
        }
        if (stop_here) {
            for (std::size_t later = i + 1; later < bases.size(); ++later) SegmentFiles::set_aside(dir, bases[later]);
            break;
        }
    }
    if (segments_.empty()) {
        Segment s;
        s.base = expected_base.value_or(0);
        s.files = SegmentFiles::create(dir, s.base, options_.fsync != FsyncPolicy::never, options_.write_buffer_bytes);
        segments_.push_back(std::move(s));
    }
    first_sequence_ = segments_.front().base;
    next_sequence_ = segments_.back().base + segments_.back().entries.size();
    // What recovery kept (and cut) is made durable now, unless the policy never syncs; then only
    // a later sync() or close() vouches for it.
    if (options_.fsync != FsyncPolicy::never) {
        for (Segment& s : segments_) {
            s.files->sync_data();
            s.files->sync_index();
        }
        synced_sequence_ = next_sequence_;
    } else {
        synced_sequence_ = first_sequence_;
    }
}

Log::Segment& Log::writable_segment(std::size_t length)
{
    if (!segments_.empty()) {
        Segment& back = segments_.back();
        if (durable()) {
            if (back.used_bytes == 0 || back.used_bytes + length <= options_.segment_bytes) return back;
            if (options_.fsync != FsyncPolicy::never) sync_locked();
            back.files->flush();  // a segment is complete in its files before the next one exists
        } else {
            if (back.memory && back.used_bytes + length <= back.memory->size()) return back;
            if (back.entries.empty()) segments_.pop_back();
        }
    }
    Segment s;
    s.base = next_sequence_;
    if (durable()) {
        s.files = SegmentFiles::create(*options_.directory, s.base, options_.fsync != FsyncPolicy::never,
                                       options_.write_buffer_bytes);
    } else {
        s.memory = allocator_->allocate(std::max<std::size_t>({options_.segment_bytes, length, 1}));
        advise_huge_pages(s.memory->data(), s.memory->size());
    }
    segments_.push_back(std::move(s));
    return segments_.back();
}

std::uint64_t Log::append(std::span<const std::uint8_t> payload, std::optional<std::int64_t> timestamp_ns)
{
    const AppendItem one{payload, timestamp_ns};
    return append_batch({&one, 1});
}

std::uint64_t Log::append_batch(std::span<const AppendItem> items)
{
    if (items.empty()) throw std::invalid_argument("empty batch");
    std::uint64_t total = 0;
    for (const AppendItem& item : items) total += item.payload.size();
    if (total > kMaxEntryBytes) {
        throw std::invalid_argument(items.size() == 1 ? "entry larger than 64 MiB" : "batch larger than 64 MiB");
    }
    std::lock_guard lock(mutex_);
    if (closed_) throw IoError("log is closed");
    const std::int64_t now = now_ns();
    const std::uint64_t first = next_sequence_;
    Segment& s = writable_segment(static_cast<std::size_t>(total));
    if (s.memory) {
        write_to_memory(s, items, total);
    } else {
        write_to_disk(s, items, now, first);
    }
    for (const AppendItem& item : items) {
        const std::uint8_t flags = item.timestamp_ns ? kFlagTimestampGiven : 0;
        const auto length = static_cast<std::uint32_t>(item.payload.size());
        s.entries.push_back(EntryLocation{s.used_bytes, length, flags, item.timestamp_ns.value_or(now)});
        s.used_bytes += length;
    }
    next_sequence_ += items.size();
    retained_bytes_ += total;
    appends_ += items.size();
    if (options_.fsync == FsyncPolicy::interval &&
        now_ns() - last_sync_ns_ >= static_cast<std::int64_t>(options_.fsync_interval_ms) * kNsPerMs) {
        sync_locked();
    }
    enforce_retention_locked();
    return first;
}

void Log::write_to_memory(Segment& s, std::span<const AppendItem> items, std::uint64_t total)
{
    std::uint8_t* block = s.memory->data();
    const std::size_t end = static_cast<std::size_t>(s.used_bytes + total);
    if (end > s.prefaulted_bytes) {
        s.prefaulted_bytes = prefault_for_writes(block, s.memory->size(), s.prefaulted_bytes, end + kPrefaultAhead);
    }
    std::size_t at = static_cast<std::size_t>(s.used_bytes);
    for (const AppendItem& item : items) {
        if (!item.payload.empty()) std::memcpy(block + at, item.payload.data(), item.payload.size());
        at += item.payload.size();
    }
}

void Log::write_to_disk(Segment& s, std::span<const AppendItem> items, std::int64_t now, std::uint64_t first_sequence)
{
    scratch_payloads_.clear();
    scratch_timestamps_.resize(items.size() * kTimestampSize);
    scratch_records_.resize(items.size() * kIndexRecordSize);
    std::uint64_t offset = s.used_bytes;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const AppendItem& item = items[i];
        const std::int64_t ts = item.timestamp_ns.value_or(now);
        const std::uint8_t flags = item.timestamp_ns ? kFlagTimestampGiven : 0;
        scratch_payloads_.push_back(item.payload);
        const auto ts_bytes = encode_timestamp(ts);
        std::memcpy(scratch_timestamps_.data() + i * kTimestampSize, ts_bytes.data(), kTimestampSize);
        const IndexRecord record{offset, static_cast<std::uint32_t>(item.payload.size()), payload_check(item.payload), flags, 0};
        const auto record_bytes = encode_record(first_sequence + i, record, ts);
        std::memcpy(scratch_records_.data() + i * kIndexRecordSize, record_bytes.data(), kIndexRecordSize);
        offset += item.payload.size();
    }
    SegmentFiles& f = *s.files;
    const std::uint64_t index_before = f.index_bytes(), data_before = f.data_bytes(), ts_before = f.timestamp_bytes();
    const std::uint64_t end_sequence = first_sequence + items.size();
    const bool sync_now = options_.fsync == FsyncPolicy::every && end_sequence - synced_sequence_ >= options_.fsync_every;
    try {
        f.append_data(scratch_payloads_, scratch_timestamps_);
        if (sync_now) f.sync_data();
        f.append_index(scratch_records_);
        if (sync_now) f.sync_index();
    } catch (const IoError&) {
        f.roll_back(index_before, data_before, ts_before);
        throw;
    }
    if (sync_now) {
        synced_sequence_ = end_sequence;
        ++fsyncs_;
        last_sync_ns_ = now_ns();
    }
}

std::deque<Log::Segment>::const_iterator Log::find_segment(std::uint64_t sequence) const
{
    if (sequence < first_sequence_ || sequence >= next_sequence_) return segments_.end();
    auto it = std::upper_bound(segments_.begin(), segments_.end(), sequence,
                               [](std::uint64_t seq, const Segment& s) { return seq < s.base; });
    if (it == segments_.begin()) return segments_.end();
    --it;
    return sequence - it->base < it->entries.size() ? it : segments_.end();
}

const Log::Segment* Log::segment_of(std::uint64_t sequence) const
{
    const auto it = find_segment(sequence);
    return it == segments_.end() ? nullptr : &*it;
}

std::optional<Entry> Log::entry_at(const Segment& segment, std::uint64_t sequence) const
{
    const EntryLocation& loc = segment.entries[sequence - segment.base];
    if (segment.memory) return Entry{sequence, loc.timestamp_ns, segment.memory, loc.data_offset, loc.length};
    std::shared_ptr<Block> block = allocator_->allocate(std::max<std::size_t>(loc.length, 1));
    segment.files->read_data(loc.data_offset, std::span<std::uint8_t>(block->data(), loc.length));
    return Entry{sequence, loc.timestamp_ns, std::move(block), 0, loc.length};
}

std::optional<Entry> Log::read_one(std::uint64_t sequence) const
{
    std::lock_guard lock(mutex_);
    const Segment* s = segment_of(sequence);
    if (s == nullptr) return std::nullopt;
    return entry_at(*s, sequence);
}

RangeResult Log::read_range(std::uint64_t from, std::uint64_t to, std::size_t max, const EntryFilter& filter) const
{
    std::lock_guard lock(mutex_);
    RangeResult out;
    std::uint64_t seq = std::max(from, first_sequence_);
    const std::uint64_t end = std::min(to, next_sequence_);
    out.next = std::max(from, seq);
    if (seq >= end || max == 0) return out;
    out.entries.reserve(std::min<std::uint64_t>(max, end - seq));
    auto it = find_segment(seq);
    for (; seq < end && out.entries.size() < max; ++seq) {
        while (seq - it->base >= it->entries.size()) ++it;
        const EntryLocation& loc = it->entries[seq - it->base];
        if (!filter.passes_timestamp(loc.timestamp_ns)) continue;
        if (it->memory && filter.wants_payload() &&
            !filter.passes_payload({it->memory->data() + loc.data_offset, loc.length})) {
            continue;
        }
        std::optional<Entry> e = entry_at(*it, seq);
        if (!it->memory && filter.wants_payload() && !filter.passes_payload(e->bytes())) continue;
        out.entries.push_back(std::move(*e));
    }
    out.next = seq;
    return out;
}

std::uint64_t Log::watch(std::uint64_t from, EntryFilter filter, WatchFn fn)
{
    auto w = std::make_shared<Watcher>();
    w->next = from;
    w->filter = std::move(filter);
    w->fn = std::move(fn);
    std::lock_guard lock(mutex_);
    w->id = next_watch_id_++;
    watchers_.push_back(w);
    watcher_count_ = watchers_.size();
    return w->id;
}

bool Log::unwatch(std::uint64_t id)
{
    std::shared_ptr<Watcher> w;
    {
        std::lock_guard lock(mutex_);
        auto it = std::find_if(watchers_.begin(), watchers_.end(), [id](const auto& x) { return x->id == id; });
        if (it == watchers_.end()) return false;
        w = *it;
        watchers_.erase(it);
        watcher_count_ = watchers_.size();
    }
    w->cancelled = true;
    if (w->delivering.load() != std::this_thread::get_id()) std::lock_guard wait(w->delivery);
    return true;
}

bool Log::has_watchers() const noexcept { return watcher_count_.load(std::memory_order_relaxed) != 0; }

std::size_t Log::poll_watchers()
{
    std::vector<std::shared_ptr<Watcher>> snapshot;
    {
        std::lock_guard lock(mutex_);
        snapshot = watchers_;
    }
    std::size_t delivered = 0;
    for (const auto& w : snapshot) {
        std::lock_guard delivery(w->delivery);
        w->delivering = std::this_thread::get_id();
        while (!w->cancelled) {
            RangeResult r = read_range(w->next, UINT64_MAX, kWatchBatch, w->filter);
            if (r.next <= w->next) break;
            w->next = r.next;
            if (!r.entries.empty()) {
                delivered += r.entries.size();
                w->fn(w->id, r.entries);
            }
        }
        w->delivering = std::thread::id{};
    }
    return delivered;
}

void Log::sync_locked()
{
    if (!durable() || closed_ || synced_sequence_ == next_sequence_) return;
    for (Segment& s : segments_) {
        if (s.base + s.entries.size() <= synced_sequence_ && s.base < synced_sequence_) continue;
        s.files->sync_data();
        s.files->sync_index();
    }
    synced_sequence_ = next_sequence_;
    ++fsyncs_;
    last_sync_ns_ = now_ns();
}

void Log::flush()
{
    std::lock_guard lock(mutex_);
    // Only the last segment can hold buffered appends: a segment is flushed before the next starts.
    if (!durable() || closed_) return;
    segments_.back().files->flush();
}

void Log::sync()
{
    std::lock_guard lock(mutex_);
    sync_locked();
}

void Log::sync_if_due()
{
    std::lock_guard lock(mutex_);
    if (options_.fsync == FsyncPolicy::interval &&
        now_ns() - last_sync_ns_ >= static_cast<std::int64_t>(options_.fsync_interval_ms) * kNsPerMs) {
        sync_locked();
    }
}

void Log::enforce_retention()
{
    std::lock_guard lock(mutex_);
    enforce_retention_locked();
}

void Log::enforce_retention_locked()
{
    const Retention& r = options_.retention;
    if (!r.max_entries && !r.max_bytes && !r.max_age_ms) return;
    const std::int64_t oldest_allowed =
        r.max_age_ms ? now_ns() - static_cast<std::int64_t>(*r.max_age_ms) * kNsPerMs : INT64_MIN;
    while (first_sequence_ < next_sequence_) {
        const Segment* s = segment_of(first_sequence_);
        const EntryLocation& loc = s->entries[first_sequence_ - s->base];
        const bool drop = (r.max_entries && next_sequence_ - first_sequence_ > *r.max_entries) ||
                          (r.max_bytes && retained_bytes_ > *r.max_bytes) || loc.timestamp_ns < oldest_allowed;
        if (!drop) break;
        retained_bytes_ -= loc.length;
        ++first_sequence_;
        ++retained_dropped_;
    }
    while (segments_.size() > 1 && segments_.front().base + segments_.front().entries.size() <= first_sequence_) {
        if (durable()) SegmentFiles::remove(*options_.directory, segments_.front().base);
        segments_.pop_front();
    }
}

void Log::close()
{
    std::vector<std::shared_ptr<Watcher>> watchers;
    {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        watchers.swap(watchers_);
        watcher_count_ = 0;
        sync_locked();
        closed_ = true;
        segments_.clear();
        first_sequence_ = next_sequence_;
    }
    for (const auto& w : watchers) w->cancelled = true;
}

LogStats Log::stats() const
{
    std::lock_guard lock(mutex_);
    LogStats s;
    s.durable = durable();
    s.first_sequence = first_sequence_;
    s.next_sequence = next_sequence_;
    s.synced_sequence = durable() ? synced_sequence_ : 0;
    s.entries = next_sequence_ - first_sequence_;
    s.bytes = retained_bytes_;
    s.segments = segments_.size();
    s.appends = appends_;
    s.fsyncs = fsyncs_;
    s.retained_dropped = retained_dropped_;
    s.watchers = watchers_.size();
    s.recovery = recovery_;
    return s;
}

}  // namespace net::redex
