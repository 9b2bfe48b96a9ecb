// Reopening damaged logs: torn tails are cut back to exactly the intact prefix, corruption is
// detected and reported, and no damaged entry is ever returned.
#define BOOST_TEST_MODULE redex_recovery
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "net_test_support.hpp"
#include "record_format.hpp"
#include "redex_test_util.hpp"

using namespace net::redex;
using namespace net::redex::test;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kEntries = 6;

LogOptions options(const fs::path& dir, std::uint64_t segment_bytes = 1 << 20)
{
    LogOptions o;
    o.directory = dir;
    o.fsync = FsyncPolicy::never;
    o.segment_bytes = segment_bytes;
    return o;
}

std::vector<std::uint8_t> slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::vector<std::uint8_t>& bytes, std::size_t len)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(len));
}

const fs::path kIdx = "00000000000000000000.idx", kDat = "00000000000000000000.dat", kTs = "00000000000000000000.ts";

struct Pristine {
    std::vector<std::uint8_t> idx, dat, ts;
};

Pristine write_log(const fs::path& dir)
{
    {
        auto log = make_log(options(dir));
        for (std::uint64_t s = 0; s < kEntries; ++s) log->append(payload_for(s));
    }
    return Pristine{slurp(dir / kIdx), slurp(dir / kDat), slurp(dir / kTs)};
}

void restore(const fs::path& dir, const Pristine& p)
{
    spit(dir / kIdx, p.idx, p.idx.size());
    spit(dir / kDat, p.dat, p.dat.size());
    spit(dir / kTs, p.ts, p.ts.size());
}

// Reopens and checks the log holds exactly entries [0, expected), each intact; then that it
// appends after them and reopens again cleanly.
void expect_prefix(const fs::path& dir, std::uint64_t expected, bool corrupt = false)
{
    {
        auto log = make_log(options(dir));
        const LogStats s = log->stats();
        BOOST_REQUIRE_EQUAL(s.next_sequence, expected);
        BOOST_TEST(s.recovery.corrupt == corrupt);
        for (std::uint64_t q = 0; q < expected; ++q) BOOST_REQUIRE(bytes_of(*log->read_one(q)) == payload_for(q));
        BOOST_TEST(!log->read_one(expected));
        BOOST_REQUIRE_EQUAL(log->append(payload_for(expected)), expected);
    }
    auto log = make_log(options(dir));
    BOOST_REQUIRE_EQUAL(log->stats().next_sequence, expected + 1);
    BOOST_TEST(log->stats().recovery.discarded_records == 0u);
    BOOST_TEST(bytes_of(*log->read_one(expected)) == payload_for(expected));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_cut_anywhere_in_the_last_index_record_drops_only_that_entry)
{
    net::test::TempDir dir;
    const Pristine p = write_log(dir.path());
    for (std::size_t cut = p.idx.size() - kIndexRecordSize; cut < p.idx.size(); ++cut) {
        restore(dir.path(), p);
        spit(dir.path() / kIdx, p.idx, cut);
        expect_prefix(dir.path(), kEntries - 1);
    }
}

BOOST_AUTO_TEST_CASE(a_cut_anywhere_in_the_last_payload_drops_only_that_entry)
{
    net::test::TempDir dir;
    const Pristine p = write_log(dir.path());
    const std::size_t last_len = payload_for(kEntries - 1).size();
    for (std::size_t cut = p.dat.size() - last_len; cut < p.dat.size(); ++cut) {
        restore(dir.path(), p);
        spit(dir.path() / kDat, p.dat, cut);
        expect_prefix(dir.path(), kEntries - 1);
    }
}

BOOST_AUTO_TEST_CASE(a_cut_anywhere_in_the_last_timestamp_drops_only_that_entry)
{
    net::test::TempDir dir;
    const Pristine p = write_log(dir.path());
    for (std::size_t cut = p.ts.size() - kTimestampSize; cut < p.ts.size(); ++cut) {
        restore(dir.path(), p);
        spit(dir.path() / kTs, p.ts, cut);
        expect_prefix(dir.path(), kEntries - 1);
    }
}

BOOST_AUTO_TEST_CASE(data_written_without_its_index_record_is_cut_away)
{
    net::test::TempDir dir;
    Pristine p = write_log(dir.path());
    p.dat.insert(p.dat.end(), 100, 0xAB);
    p.ts.insert(p.ts.end(), 8, 0xCD);
    restore(dir.path(), p);
    expect_prefix(dir.path(), kEntries);
    BOOST_TEST(fs::file_size(dir.path() / kDat) == p.dat.size() - 100 + payload_for(kEntries).size());
}

BOOST_AUTO_TEST_CASE(zero_filled_index_tail_is_a_torn_tail)
{
    net::test::TempDir dir;
    Pristine p = write_log(dir.path());
    p.idx.insert(p.idx.end(), 3 * kIndexRecordSize, 0);
    restore(dir.path(), p);
    expect_prefix(dir.path(), kEntries);
}

BOOST_AUTO_TEST_CASE(a_flipped_payload_byte_in_the_middle_is_reported_corrupt_and_stops_there)
{
    net::test::TempDir dir;
    Pristine p = write_log(dir.path());
    const std::size_t offset_of_2 = payload_for(0).size() + payload_for(1).size();
    p.dat[offset_of_2 + 1] ^= 0x01;
    restore(dir.path(), p);
    expect_prefix(dir.path(), 2, true);
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_in_the_last_payload_is_a_torn_tail)
{
    net::test::TempDir dir;
    Pristine p = write_log(dir.path());
    p.dat.back() ^= 0x80;
    restore(dir.path(), p);
    expect_prefix(dir.path(), kEntries - 1);
}

BOOST_AUTO_TEST_CASE(a_flipped_index_or_timestamp_byte_is_detected)
{
    net::test::TempDir dir;
    Pristine p = write_log(dir.path());
    for (std::size_t i = kIndexHeaderSize; i < p.idx.size(); ++i) {
        Pristine damaged = p;
        damaged.idx[i] ^= 0x10;
        restore(dir.path(), damaged);
        const std::uint64_t record = (i - kIndexHeaderSize) / kIndexRecordSize;
        expect_prefix(dir.path(), record, record + 1 < kEntries);
    }
    for (std::size_t i = 0; i < p.ts.size(); ++i) {
        Pristine damaged = p;
        damaged.ts[i] ^= 0x01;
        restore(dir.path(), damaged);
        const std::uint64_t record = i / kTimestampSize;
        expect_prefix(dir.path(), record, record + 1 < kEntries);
    }
}

BOOST_AUTO_TEST_CASE(a_bad_header_is_corruption_not_a_crash)
{
    net::test::TempDir dir;
    Pristine p = write_log(dir.path());
    p.idx[9] ^= 0xFF;
    restore(dir.path(), p);
    auto log = make_log(options(dir.path()));
    BOOST_TEST(log->stats().recovery.corrupt);
    BOOST_TEST(log->stats().next_sequence == 0u);
    BOOST_TEST(fs::exists(dir.path() / (kIdx.string() + ".damaged")));
}

BOOST_AUTO_TEST_CASE(damage_in_an_earlier_segment_sets_the_later_ones_aside)
{
    net::test::TempDir dir;
    {
        auto log = make_log(options(dir.path(), 4096));
        for (std::uint64_t s = 0; s < 200; ++s) log->append(payload_for(s));
    }
    const std::vector<std::uint64_t> bases = SegmentFiles::list(dir.path());
    BOOST_REQUIRE(bases.size() > 3u);
    char name[32];
    std::snprintf(name, sizeof(name), "%020llu.dat", static_cast<unsigned long long>(bases[1]));
    std::vector<std::uint8_t> dat = slurp(dir.path() / name);
    dat[0] ^= 0xFF;
    spit(dir.path() / name, dat, dat.size());
    auto log = make_log(options(dir.path(), 4096));
    const LogStats s = log->stats();
    BOOST_TEST(s.recovery.corrupt);
    BOOST_TEST(s.next_sequence == bases[1]);
    BOOST_TEST(SegmentFiles::list(dir.path()).size() == 2u);
    for (std::uint64_t q = 0; q < s.next_sequence; ++q) BOOST_REQUIRE(bytes_of(*log->read_one(q)) == payload_for(q));
}
