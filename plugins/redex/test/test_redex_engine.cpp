// The RedEX storage engine without the plugin: appends, reads, segments, retention, watchers.
#define BOOST_TEST_MODULE redex_engine
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <thread>

#include "net_test_support.hpp"
#include "record_format.hpp"
#include "redex_test_util.hpp"
#include "segment_recovery.hpp"

using namespace net::redex;
using namespace net::redex::test;

namespace {

LogOptions memory_options(std::uint64_t segment_bytes = 4096)
{
    LogOptions o;
    o.segment_bytes = segment_bytes;
    return o;
}

LogOptions disk_options(const std::filesystem::path& dir, std::uint64_t segment_bytes = 4096)
{
    LogOptions o;
    o.directory = dir;
    o.segment_bytes = segment_bytes;
    o.fsync = FsyncPolicy::never;
    return o;
}

LogOptions every_n_options(const std::filesystem::path& dir, std::uint64_t n)
{
    LogOptions o = disk_options(dir, 1 << 20);
    o.fsync = FsyncPolicy::every;
    o.fsync_every = n;
    return o;
}

void append_n(Log& log, std::uint64_t n)
{
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t seq = log.stats().next_sequence;
        BOOST_REQUIRE_EQUAL(log.append(payload_for(seq), static_cast<std::int64_t>(seq) * 1000), seq);
    }
}

void check_all(const Log& log, std::uint64_t from, std::uint64_t to)
{
    for (std::uint64_t s = from; s < to; ++s) {
        const auto e = log.read_one(s);
        BOOST_REQUIRE_MESSAGE(e, "entry " << s);
        BOOST_REQUIRE(bytes_of(*e) == payload_for(s));
        BOOST_REQUIRE_EQUAL(e->timestamp_ns, static_cast<std::int64_t>(s) * 1000);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(memory_log_reads_back_every_entry_across_segments)
{
    auto log = make_log(memory_options());
    append_n(*log, 500);
    BOOST_TEST(log->stats().segments > 10u);
    check_all(*log, 0, 500);
    BOOST_TEST(!log->read_one(500));
    const RangeResult r = log->read_range(100, 200, 1000);
    BOOST_REQUIRE_EQUAL(r.entries.size(), 100u);
    BOOST_TEST(r.next == 200u);
    for (std::size_t i = 0; i < r.entries.size(); ++i) BOOST_TEST(r.entries[i].sequence == 100 + i);
    const RangeResult capped = log->read_range(490, UINT64_MAX, 4);
    BOOST_TEST(capped.entries.size() == 4u);
    BOOST_TEST(capped.next == 494u);
}

BOOST_AUTO_TEST_CASE(memory_reads_are_views_of_the_segment_not_copies)
{
    auto log = make_log(memory_options(1 << 16));
    append_n(*log, 3);
    const auto a = log->read_one(0), b = log->read_one(1);
    BOOST_TEST(a->block == b->block);
    BOOST_TEST(b->offset == a->length);
}

BOOST_AUTO_TEST_CASE(an_entry_larger_than_a_segment_gets_its_own)
{
    auto log = make_log(memory_options(4096));
    const std::vector<std::uint8_t> big(10000, 0x5A);
    log->append(payload_for(0, 10));
    log->append(big);
    log->append(payload_for(2, 10));
    BOOST_TEST(bytes_of(*log->read_one(1)) == big);
    BOOST_TEST(bytes_of(*log->read_one(2)) == payload_for(2, 10));
}

BOOST_AUTO_TEST_CASE(disk_log_reads_back_and_survives_reopen)
{
    net::test::TempDir dir;
    {
        auto log = make_log(disk_options(dir.path()));
        append_n(*log, 300);
        check_all(*log, 0, 300);
        BOOST_TEST(log->stats().segments > 5u);
    }
    auto log = make_log(disk_options(dir.path()));
    const LogStats s = log->stats();
    BOOST_TEST(s.next_sequence == 300u);
    BOOST_TEST(s.recovery.recovered_entries == 300u);
    BOOST_TEST(!s.recovery.corrupt);
    BOOST_TEST(s.recovery.discarded_records == 0u);
    check_all(*log, 0, 300);
    append_n(*log, 10);
    check_all(*log, 290, 310);
}

BOOST_AUTO_TEST_CASE(retention_by_count_drops_the_oldest_and_whole_segments)
{
    net::test::TempDir dir;
    LogOptions o = disk_options(dir.path());
    o.retention.max_entries = 50;
    auto log = make_log(o);
    append_n(*log, 400);
    const LogStats s = log->stats();
    BOOST_TEST(s.entries == 50u);
    BOOST_TEST(s.first_sequence == 350u);
    BOOST_TEST(s.retained_dropped == 350u);
    BOOST_TEST(!log->read_one(349));
    check_all(*log, 350, 400);
    const RangeResult r = log->read_range(0, UINT64_MAX, 1000);
    BOOST_TEST(r.entries.front().sequence == 350u);
    BOOST_TEST(SegmentFiles::list(dir.path()).size() == s.segments);
    BOOST_TEST(s.segments < 10u);
}

BOOST_AUTO_TEST_CASE(retention_by_bytes_keeps_the_total_under_the_limit)
{
    LogOptions o = memory_options();
    o.retention.max_bytes = 2000;
    auto log = make_log(o);
    append_n(*log, 200);
    const LogStats s = log->stats();
    BOOST_TEST(s.bytes <= 2000u);
    std::uint64_t sum = 0;
    for (std::uint64_t q = s.first_sequence; q < s.next_sequence; ++q) sum += payload_for(q).size();
    BOOST_TEST(sum == s.bytes);
    BOOST_TEST(s.bytes + payload_for(s.first_sequence - 1).size() > 2000u);
}

BOOST_AUTO_TEST_CASE(retention_by_age_uses_the_entry_timestamps)
{
    std::int64_t now = 0;
    LogOptions o = memory_options();
    o.retention.max_age_ms = 10;
    o.now_ns = [&now] { return now; };
    auto log = make_log(o);
    for (int i = 0; i < 20; ++i) {
        now = i * 1'000'000LL;  // one entry per millisecond
        log->append(payload_for(static_cast<std::uint64_t>(i)));
    }
    BOOST_TEST(log->stats().first_sequence == 9u);  // 19 ms - 10 ms
    now = 100'000'000;
    log->enforce_retention();
    BOOST_TEST(log->stats().entries == 0u);
}

BOOST_AUTO_TEST_CASE(watchers_get_the_tail_then_new_entries_in_order)
{
    auto log = make_log(memory_options());
    append_n(*log, 10);
    std::vector<std::uint64_t> seen;
    const std::uint64_t id = log->watch(5, EntryFilter{}, [&](std::uint64_t, const std::vector<Entry>& batch) {
        for (const Entry& e : batch) {
            BOOST_REQUIRE(bytes_of(e) == payload_for(e.sequence));
            seen.push_back(e.sequence);
        }
    });
    BOOST_TEST(log->poll_watchers() == 5u);
    append_n(*log, 600);
    log->poll_watchers();
    BOOST_REQUIRE_EQUAL(seen.size(), 605u);
    for (std::size_t i = 0; i < seen.size(); ++i) BOOST_REQUIRE_EQUAL(seen[i], 5 + i);
    BOOST_TEST(log->unwatch(id));
    append_n(*log, 3);
    BOOST_TEST(log->poll_watchers() == 0u);
    BOOST_TEST(!log->unwatch(id));
}

BOOST_AUTO_TEST_CASE(filters_select_by_timestamp_prefix_and_substring)
{
    auto log = make_log(memory_options());
    const std::string words[] = {"alpha-1", "beta-2", "alpha-3", "gamma-alpha", "beta-5"};
    for (std::size_t i = 0; i < 5; ++i) {
        log->append({reinterpret_cast<const std::uint8_t*>(words[i].data()), words[i].size()},
                    static_cast<std::int64_t>(i) * 10);
    }
    FilterSpec prefix;
    prefix.prefix = {'a', 'l', 'p', 'h', 'a'};
    RangeResult r = log->read_range(0, UINT64_MAX, 10, EntryFilter(prefix));
    BOOST_REQUIRE_EQUAL(r.entries.size(), 2u);
    BOOST_TEST(r.entries[1].sequence == 2u);
    BOOST_TEST(r.next == 5u);

    FilterSpec contains;
    contains.contains = {'a', 'l', 'p', 'h', 'a'};
    contains.min_timestamp_ns = 15;
    r = log->read_range(0, UINT64_MAX, 10, EntryFilter(contains));
    BOOST_REQUIRE_EQUAL(r.entries.size(), 2u);
    BOOST_TEST(r.entries[0].sequence == 2u);
    BOOST_TEST(r.entries[1].sequence == 3u);

    FilterSpec window;
    window.min_timestamp_ns = 10;
    window.max_timestamp_ns = 30;
    std::vector<std::uint64_t> seen;
    log->watch(0, EntryFilter(window), [&](std::uint64_t, const std::vector<Entry>& batch) {
        for (const Entry& e : batch) seen.push_back(e.sequence);
    });
    log->poll_watchers();
    BOOST_TEST(seen == (std::vector<std::uint64_t>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(disk_filters_read_payloads_to_decide)
{
    net::test::TempDir dir;
    auto log = make_log(disk_options(dir.path()));
    append_n(*log, 20);
    FilterSpec spec;
    spec.prefix = payload_for(7);
    const RangeResult r = log->read_range(0, UINT64_MAX, 10, EntryFilter(spec));
    BOOST_REQUIRE_EQUAL(r.entries.size(), 1u);
    BOOST_TEST(r.entries[0].sequence == 7u);
}

BOOST_AUTO_TEST_CASE(fsync_every_n_advances_the_synced_sequence_in_steps)
{
    net::test::TempDir dir;
    auto log = make_log(every_n_options(dir.path(), 10));
    append_n(*log, 25);
    BOOST_TEST(log->stats().synced_sequence == 20u);
    log->sync();
    BOOST_TEST(log->stats().synced_sequence == 25u);
}

BOOST_AUTO_TEST_CASE(a_closed_log_refuses_appends)
{
    auto log = make_log(memory_options());
    append_n(*log, 2);
    log->close();
    BOOST_CHECK_THROW(log->append(payload_for(0)), IoError);
    BOOST_TEST(!log->read_one(0));
}

BOOST_AUTO_TEST_CASE(interval_policy_syncs_once_the_period_has_passed)
{
    net::test::TempDir dir;
    std::int64_t now = 0;
    LogOptions o = disk_options(dir.path(), 1 << 20);
    o.fsync = FsyncPolicy::interval;
    o.fsync_interval_ms = 50;
    o.now_ns = [&now] { return now; };
    auto log = make_log(o);
    log->append(payload_for(0));
    log->append(payload_for(1));
    BOOST_TEST(log->stats().synced_sequence == 0u);
    now = 49'000'000;
    log->sync_if_due();
    BOOST_TEST(log->stats().synced_sequence == 0u);
    now = 50'000'000;
    log->append(payload_for(2));
    BOOST_TEST(log->stats().synced_sequence == 3u);
    log->append(payload_for(3));
    now = 100'000'000;
    log->sync_if_due();
    BOOST_TEST(log->stats().synced_sequence == 4u);
}

BOOST_AUTO_TEST_CASE(concurrent_appenders_and_a_polling_watcher_see_one_gap_free_order)
{
    auto log = make_log(memory_options(1 << 16));
    std::vector<std::uint64_t> seen;
    std::atomic<bool> bad_payload{false};
    log->watch(0, EntryFilter{}, [&](std::uint64_t, const std::vector<Entry>& batch) {
        for (const Entry& e : batch) {
            // Each appender writes its own id and a counter; the payload must be intact.
            if (e.length != 16) bad_payload = true;
            seen.push_back(e.sequence);
        }
    });
    constexpr int kThreads = 4, kPerThread = 5000;
    std::atomic<int> done{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            std::uint8_t payload[16] = {};
            for (int i = 0; i < kPerThread; ++i) {
                std::memcpy(payload, &t, sizeof(t));
                std::memcpy(payload + 8, &i, sizeof(i));
                log->append(payload);
            }
            ++done;
        });
    }
    while (done < kThreads) log->poll_watchers();
    for (auto& w : writers) w.join();
    log->poll_watchers();
    BOOST_TEST(!bad_payload);
    BOOST_REQUIRE_EQUAL(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
    for (std::size_t i = 0; i < seen.size(); ++i) BOOST_REQUIRE_EQUAL(seen[i], i);
}

BOOST_AUTO_TEST_CASE(a_watcher_can_remove_itself_from_its_callback)
{
    auto log = make_log(memory_options());
    append_n(*log, 5);
    std::size_t calls = 0;
    std::uint64_t id = 0;
    id = log->watch(0, EntryFilter{}, [&](std::uint64_t, const std::vector<Entry>&) {
        ++calls;
        log->unwatch(id);
    });
    log->poll_watchers();
    append_n(*log, 5);
    log->poll_watchers();
    BOOST_TEST(calls == 1u);
    BOOST_TEST(!log->has_watchers());
}

namespace {

std::vector<AppendItem> items_for(const std::vector<std::vector<std::uint8_t>>& payloads, std::uint64_t first)
{
    std::vector<AppendItem> items;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        items.push_back(AppendItem{payloads[i], static_cast<std::int64_t>(first + i) * 1000});
    }
    return items;
}

std::vector<std::vector<std::uint8_t>> payloads_for(std::uint64_t first, std::size_t count)
{
    std::vector<std::vector<std::uint8_t>> out;
    for (std::size_t i = 0; i < count; ++i) out.push_back(payload_for(first + i));
    return out;
}

// Lowers the file size limit for the test's duration: writes past it fail with EFBIG (a real
// write error from the kernel), and SIGXFSZ is ignored so the process survives them.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lowered = saved_;
        lowered.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &lowered);
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

}  // namespace

BOOST_AUTO_TEST_CASE(append_batch_gives_consecutive_sequences_and_reads_back_in_memory_and_on_disk)
{
    net::test::TempDir dir;
    for (const bool durable : {false, true}) {
        auto log = make_log(durable ? disk_options(dir.path()) : memory_options());
        std::uint64_t next = 0;
        for (std::size_t group : {1u, 7u, 16u, 3u, 40u}) {
            const auto payloads = payloads_for(next, group);
            BOOST_REQUIRE_EQUAL(log->append_batch(items_for(payloads, next)), next);
            next += group;
        }
        BOOST_TEST(log->stats().next_sequence == next);
        BOOST_TEST(log->stats().appends == next);
        check_all(*log, 0, next);
    }
    auto reopened = make_log(disk_options(dir.path()));
    BOOST_TEST(reopened->stats().recovery.recovered_entries == 67u);
    BOOST_TEST(!reopened->stats().recovery.corrupt);
    check_all(*reopened, 0, 67);
}

BOOST_AUTO_TEST_CASE(a_batch_never_straddles_two_segments)
{
    net::test::TempDir dir;
    for (const bool durable : {false, true}) {
        auto log = make_log(durable ? disk_options(dir.path(), 4096) : memory_options(4096));
        log->append(std::vector<std::uint8_t>(3000, 1));
        // 3000 + 4 x 400 > 4096: the whole group starts the next segment.
        const std::vector<std::vector<std::uint8_t>> payloads(4, std::vector<std::uint8_t>(400, 2));
        log->append_batch(items_for(payloads, 1));
        BOOST_TEST(log->stats().segments == 2u);
        if (durable) {
            BOOST_TEST(SegmentFiles::list(dir.path()).back() == 1u);  // the new segment's base
        } else {
            const auto first = log->read_one(1), last = log->read_one(4);
            BOOST_TEST(first->offset == 0u);  // at the start of the new segment's block
            BOOST_TEST(first->block == last->block);
        }
        // A group larger than a segment gets a segment of its own.
        const std::vector<std::vector<std::uint8_t>> big(3, std::vector<std::uint8_t>(2000, 3));
        log->append_batch(items_for(big, 5));
        BOOST_TEST(log->stats().segments == 3u);
        BOOST_TEST(bytes_of(*log->read_one(7)) == big[2]);
    }
}

BOOST_AUTO_TEST_CASE(a_batch_counts_once_for_the_fsync_policy_and_syncs_all_of_it)
{
    net::test::TempDir dir;
    auto log = make_log(every_n_options(dir.path(), 10));
    log->append_batch(items_for(payloads_for(0, 6), 0));
    BOOST_TEST(log->stats().synced_sequence == 0u);
    BOOST_TEST(log->stats().fsyncs == 0u);
    log->append_batch(items_for(payloads_for(6, 6), 6));  // crosses 10: the whole group is synced
    BOOST_TEST(log->stats().synced_sequence == 12u);
    BOOST_TEST(log->stats().fsyncs == 1u);
    log->append_batch(items_for(payloads_for(12, 25), 12));  // 25 unsynced >= 10: one round, not two
    BOOST_TEST(log->stats().synced_sequence == 37u);
    BOOST_TEST(log->stats().fsyncs == 2u);
}

BOOST_AUTO_TEST_CASE(append_batch_refuses_empty_and_oversized_groups)
{
    auto log = make_log(memory_options());
    BOOST_CHECK_THROW(log->append_batch({}), std::invalid_argument);
    const std::vector<std::uint8_t> half(kMaxEntryBytes / 2 + 1, 0);
    const AppendItem two[] = {{half, std::nullopt}, {half, std::nullopt}};
    BOOST_CHECK_THROW(log->append_batch(two), std::invalid_argument);
    BOOST_TEST(log->stats().next_sequence == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_batch_write_appends_nothing_and_the_log_goes_on)
{
    net::test::TempDir dir;
    LogOptions o = disk_options(dir.path(), 1 << 20);
    auto log = make_log(o);
    log->append_batch(items_for(payloads_for(0, 5), 0));
    const std::uint64_t data_bytes = std::filesystem::file_size(dir.path() / "00000000000000000000.dat");
    {
        // Room for a little more data than there is: the next group's data write fails part way.
        FileSizeLimit limit(data_bytes + 100);
        const std::vector<std::vector<std::uint8_t>> payloads(4, std::vector<std::uint8_t>(300, 9));
        BOOST_CHECK_THROW(log->append_batch(items_for(payloads, 5)), IoError);
        BOOST_TEST(log->stats().next_sequence == 5u);
        BOOST_TEST(std::filesystem::file_size(dir.path() / "00000000000000000000.dat") == data_bytes);
    }
    log->append_batch(items_for(payloads_for(5, 3), 5));
    check_all(*log, 0, 8);
    log.reset();
    auto reopened = make_log(o);
    BOOST_TEST(reopened->stats().next_sequence == 8u);
    BOOST_TEST(reopened->stats().recovery.discarded_records == 0u);
    check_all(*reopened, 0, 8);
}

BOOST_AUTO_TEST_CASE(a_write_buffer_holds_appends_until_it_fills_or_is_flushed_and_reads_see_them)
{
    net::test::TempDir dir;
    LogOptions o = disk_options(dir.path(), 1 << 20);
    o.write_buffer_bytes = 4096;
    const std::filesystem::path data = dir.path() / "00000000000000000000.dat";
    auto log = make_log(o);
    append_n(*log, 5);  // well under 4 KiB with their timestamps and records
    BOOST_TEST(std::filesystem::file_size(data) == 0u);
    check_all(*log, 0, 5);  // read from the buffer
    append_n(*log, 60);     // the buffer filled at least once on the way
    BOOST_TEST(std::filesystem::file_size(data) > 0u);
    check_all(*log, 0, 65);
    log->flush();
    std::uint64_t expected = 0;
    for (std::uint64_t q = 0; q < 65; ++q) expected += payload_for(q).size();
    BOOST_TEST(std::filesystem::file_size(data) == expected);
    // A group larger than the buffer is written at once.
    const std::vector<std::vector<std::uint8_t>> big(3, std::vector<std::uint8_t>(3000, 7));
    log->append_batch(items_for(big, 65));
    BOOST_TEST(std::filesystem::file_size(data) == expected + 9000);
    append_n(*log, 2);
    log.reset();  // close flushes and syncs
    auto reopened = make_log(o);
    BOOST_TEST(reopened->stats().next_sequence == 70u);
    BOOST_TEST(reopened->stats().recovery.discarded_records == 0u);
    check_all(*reopened, 0, 65);
    BOOST_TEST(bytes_of(*reopened->read_one(67)) == big[2]);
}

BOOST_AUTO_TEST_CASE(a_sync_round_writes_the_buffer_before_it_syncs)
{
    net::test::TempDir dir;
    LogOptions o = every_n_options(dir.path(), 10);
    o.write_buffer_bytes = 1 << 20;
    auto log = make_log(o);
    append_n(*log, 9);
    BOOST_TEST(std::filesystem::file_size(dir.path() / "00000000000000000000.idx") == kIndexHeaderSize);
    append_n(*log, 1);  // the 10th: a sync round
    BOOST_TEST(log->stats().synced_sequence == 10u);
    BOOST_TEST(std::filesystem::file_size(dir.path() / "00000000000000000000.idx") == kIndexHeaderSize + 10 * kIndexRecordSize);
}

BOOST_AUTO_TEST_CASE(segments_are_written_out_before_the_next_one_starts)
{
    net::test::TempDir dir;
    LogOptions o = disk_options(dir.path(), 4096);  // fsync never: no sync round writes the buffer
    o.write_buffer_bytes = 1 << 20;
    auto log = make_log(o);
    append_n(*log, 100);
    const auto bases = SegmentFiles::list(dir.path());
    BOOST_REQUIRE(bases.size() > 3u);
    // Every segment but the last is complete on disk: a fresh reader recovers all of them.
    std::uint64_t complete = 0;
    for (std::size_t i = 0; i + 1 < bases.size(); ++i) {
        const SegmentContents c = SegmentFiles::read(dir.path(), bases[i]);
        const SegmentRecovery r = recover_segment(c.index, c.data, c.timestamps, bases[i]);
        BOOST_TEST((r.damage == Damage::none), "segment " << bases[i] << ": " << r.detail);
        complete += r.entries.size();
    }
    BOOST_TEST(complete == bases.back());
    check_all(*log, 0, 100);
}

BOOST_AUTO_TEST_CASE(a_failed_flush_keeps_the_buffered_entries_and_a_later_one_writes_them)
{
    net::test::TempDir dir;
    LogOptions o = disk_options(dir.path(), 1 << 20);
    o.write_buffer_bytes = 1 << 16;
    auto log = make_log(o);
    append_n(*log, 20);
    const std::filesystem::path data = dir.path() / "00000000000000000000.dat";
    {
        FileSizeLimit limit(100);  // the flush of 20 entries' data fails part way
        BOOST_CHECK_THROW(log->flush(), IoError);
        BOOST_TEST(std::filesystem::file_size(data) == 0u);  // cut back, nothing half written
        check_all(*log, 0, 20);                               // still readable from the buffer
    }
    log->sync();  // the limit is lifted: this flush succeeds
    BOOST_TEST(log->stats().synced_sequence == 20u);
    log.reset();
    auto reopened = make_log(o);
    BOOST_TEST(reopened->stats().next_sequence == 20u);
    check_all(*reopened, 0, 20);
}
