// bench_wire_header.cpp — the 64-byte packet header's encode and decode (with every check) beside
// two references measured in the same run: a plain 64-byte memcpy, and a naive decode that loads
// each field with its own unaligned little-endian load and checks nothing. Decode is measured on
// ordinary packets (its inline fast path) and on fragments (its out-of-line full check).
// Each loop walks 1024 distinct headers, so no iteration sees the same input as the one before.
// Usage: bench_wire_header [--quick]   (--quick: tiny iteration counts, a smoke run for ctest)
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "bench_common.hpp"
#include "net/kernel/wire/packet_header.hpp"

namespace wire = net::kernel::wire;
// 64-byte aligned, as headers are in BufferPool buffers: no access in any loop splits a cache line.
struct alignas(64) Block : std::array<std::uint8_t, wire::kPacketHeaderSize> {};
struct alignas(64) AlignedHeader : wire::PacketHeader {};

namespace {

constexpr int kRepetitions = 5;
constexpr std::size_t kDistinct = 1024;  // power of two: index with a mask

// Makes the pointed-to memory observable, so stores into it and the object's fields are kept.
inline void escape(const void* p)
{
    asm volatile("" : : "r"(p) : "memory");
}

// The naive reference: one unaligned load per field, no validation.
struct NaiveHeader {
    std::uint16_t magic, subprotocol_id, channel_hash, fragment_id, payload_length, event_count, reserved;
    std::uint8_t version, flags, priority, hop_ttl, hop_count, fragment_flags;
    std::uint8_t nonce[12];
    std::uint64_t session_id, sequence;
    std::uint32_t stream_id, subnet_id, origin_hash, fragment_offset;
};

template <class T>
inline T load(const std::uint8_t* p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

__attribute__((noinline)) void naive_decode(const std::uint8_t* p, NaiveHeader& h)
{
    h.magic = load<std::uint16_t>(p);
    h.version = p[2];
    h.flags = p[3];
    h.priority = p[4];
    h.hop_ttl = p[5];
    h.hop_count = p[6];
    h.fragment_flags = p[7];
    h.subprotocol_id = load<std::uint16_t>(p + 8);
    h.channel_hash = load<std::uint16_t>(p + 10);
    std::memcpy(h.nonce, p + 12, 12);
    h.session_id = load<std::uint64_t>(p + 24);
    h.sequence = load<std::uint64_t>(p + 32);
    h.stream_id = load<std::uint32_t>(p + 40);
    h.subnet_id = load<std::uint32_t>(p + 44);
    h.origin_hash = load<std::uint32_t>(p + 48);
    h.fragment_offset = load<std::uint32_t>(p + 52);
    h.fragment_id = load<std::uint16_t>(p + 56);
    h.payload_length = load<std::uint16_t>(p + 58);
    h.event_count = load<std::uint16_t>(p + 60);
    h.reserved = load<std::uint16_t>(p + 62);
}

template <class Body>
double ns_per_op(std::size_t iterations, Body&& body)
{
    body(iterations / 8 + 1);  // warm caches and branch predictors
    return net::bench::seconds([&] { body(iterations); }) * 1e9 / static_cast<double>(iterations);
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    const std::size_t iterations = quick ? 10000 : 50000000;

    std::mt19937_64 rng(0xBE7C4);
    std::vector<AlignedHeader> headers(kDistinct);
    std::vector<Block> encoded(kDistinct);
    std::vector<Block> out(kDistinct);
    std::vector<Block> fragments(kDistinct);  // take decode's out-of-line path
    for (std::size_t i = 0; i < kDistinct; ++i) {
        wire::PacketHeader& h = headers[i];
        h.flags = static_cast<std::uint8_t>(rng() & (wire::packet_flag::reliable | wire::packet_flag::fin));
        h.hop_ttl = 8;
        h.hop_count = static_cast<std::uint8_t>(rng() % 9);
        h.subprotocol_id = static_cast<std::uint16_t>(rng());
        h.channel_hash = static_cast<std::uint16_t>(rng());
        for (auto& b : h.nonce) b = static_cast<std::uint8_t>(rng());
        h.session_id = rng();
        h.sequence = i;
        h.stream_id = static_cast<std::uint32_t>(rng());
        h.origin_hash = static_cast<std::uint32_t>(rng());
        h.payload_length = static_cast<std::uint16_t>(rng() % wire::kMaxPayloadSize);
        h.event_count = static_cast<std::uint16_t>(h.payload_length / 64);
        wire::encode(h, encoded[i]);
        wire::PacketHeader f = h;
        f.fragment_flags = wire::fragment_flag::fragment;
        f.fragment_id = static_cast<std::uint16_t>(i);
        f.fragment_offset = static_cast<std::uint32_t>(i * wire::kMaxPayloadSize);
        wire::encode(f, fragments[i]);
        if (!wire::decode(encoded[i]) || !wire::decode(fragments[i])) {
            std::fprintf(stderr, "bench input %zu does not decode\n", i);
            return 1;
        }
    }

    std::size_t failures = 0;
    auto encode_loop = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            Block& o = out[i & (kDistinct - 1)];
            wire::encode(headers[i & (kDistinct - 1)], o);
            escape(o.data());
        }
    };
    auto decode_loop = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto r = wire::decode(encoded[i & (kDistinct - 1)]);
            failures += !r.ok();
            escape(&r);
        }
    };
    auto decode_fragments_loop = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto r = wire::decode(fragments[i & (kDistinct - 1)]);
            failures += !r.ok();
            escape(&r);
        }
    };
    auto memcpy_loop = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            Block& o = out[i & (kDistinct - 1)];
            std::memcpy(o.data(), encoded[i & (kDistinct - 1)].data(), o.size());
            escape(o.data());
        }
    };
    auto naive_loop = [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            NaiveHeader h;
            naive_decode(encoded[i & (kDistinct - 1)].data(), h);
            escape(&h);
        }
    };

    std::vector<double> enc, dec, frag, cpy, naive;
    for (int r = 0; r < kRepetitions; ++r) {  // interleaved, so all four see the same machine noise
        enc.push_back(ns_per_op(iterations, encode_loop));
        dec.push_back(ns_per_op(iterations, decode_loop));
        frag.push_back(ns_per_op(iterations, decode_fragments_loop));
        cpy.push_back(ns_per_op(iterations, memcpy_loop));
        naive.push_back(ns_per_op(iterations, naive_loop));
    }
    if (failures != 0) {
        std::fprintf(stderr, "%zu decodes failed\n", failures);
        return 1;
    }
    const double e = net::bench::median(enc);
    const double d = net::bench::median(dec);
    const double fr = net::bench::median(frag);
    const double c = net::bench::median(cpy);
    const double nv = net::bench::median(naive);

    std::printf("64-byte packet header: median of %d repetitions, %zu ops each, %zu distinct headers%s\n", kRepetitions,
                iterations, kDistinct, quick ? " (--quick smoke run: figures are meaningless)" : "");
    std::printf("%-48s %10s %14s\n", "operation", "ns/op", "vs memcpy 64 B");
    std::printf("%-48s %10.2f %13.2fx\n", "wire::encode", e, e / c);
    std::printf("%-48s %10.2f %13.2fx\n", "wire::decode (all checks)", d, d / c);
    std::printf("%-48s %10.2f %13.2fx\n", "wire::decode, fragments (out-of-line path)", fr, fr / c);
    std::printf("%-48s %10.2f %13.2fx\n", "reference: memcpy 64 bytes", c, 1.0);
    std::printf("%-48s %10.2f %13.2fx\n", "reference: naive field-by-field load (no checks)", nv, nv / c);
    if (!quick) {
        const bool met = e <= 3.0 && d <= 3.0;
        std::printf("floor (encode and common-case decode <= 3.0 ns/op each; original Net 1.2-2.2 ns): %s\n",
                    met ? "met" : "NOT met");
    }
    return 0;
}
