// bench_packet_cipher.cpp — PacketCipher seal+open beside two references measured in the same run:
// (a) Botan's AEAD_Mode doing the same work (set AD, start nonce, finish, both directions) on a
// reserved secure_vector: the framing overhead is framed / raw - 1, and must stay <= 10%;
// (b) `openssl speed -evp <suite> -bytes N -seconds 1` as a subprocess, the physical reference.
// OpenSSL times one direction (encrypt), so it is compared with half of our seal+open.
// Also ReplayWindow::try_admit ns/op beside an uncontended std::mutex lock+unlock.
// Usage: bench_packet_cipher [--quick]   (--quick: tiny counts, no openssl, a smoke run for ctest)
#include <botan/aead.h>
#include <botan/block_cipher.h>
#include <botan/mac.h>
#include <botan/stream_cipher.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "net/kernel/crypto/packet_cipher.hpp"
#include "net/kernel/crypto/replay_window.hpp"

using net::kernel::crypto::CipherSuite;
using net::kernel::crypto::PacketCipher;
using net::kernel::crypto::ReplayVerdict;
using net::kernel::crypto::ReplayWindow;

namespace {

constexpr int repetitions = 5;
constexpr std::size_t ad_len = 24;  // a packet header's worth of associated data
constexpr std::array<std::uint8_t, 4> prefix{1, 2, 3, 4};

struct SuiteInfo {
    CipherSuite suite;
    const char* botan_name;
    const char* openssl_name;
};

constexpr SuiteInfo suites[] = {
    {CipherSuite::chacha20_poly1305, "ChaCha20Poly1305", "chacha20-poly1305"},
    {CipherSuite::aes256_gcm, "AES-256/GCM", "aes-256-gcm"},
};

std::array<std::uint8_t, 32> bench_key()
{
    std::array<std::uint8_t, 32> k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 13 + 5);
    return k;
}

// ns per seal+open pair through PacketCipher.
double framed_ns(const SuiteInfo& s, std::size_t n, std::size_t iterations)
{
    const auto key = bench_key();
    PacketCipher tx(s.suite, std::span<const std::uint8_t, 32>(key), std::span(prefix));
    PacketCipher rx(s.suite, std::span<const std::uint8_t, 32>(key), std::span(prefix));
    std::vector<std::uint8_t> buf(n + PacketCipher::tag_size, 0x42);
    std::array<std::uint8_t, ad_len> ad{};
    std::uint64_t counter = 0;
    std::size_t failures = 0;
    const double secs = net::bench::seconds([&] {
        for (std::size_t i = 0; i < iterations; ++i, ++counter) {
            failures += tx.seal_in_place(ad, buf, n, counter) != NET_OK;
            failures += !rx.open_in_place(ad, buf, counter).ok();
        }
    });
    net::bench::keep(failures);
    if (failures != 0) std::fprintf(stderr, "bench_packet_cipher: %zu framed failures\n", failures);
    return secs * 1e9 / static_cast<double>(iterations);
}

// ns per seal+open pair through Botan's AEAD_Mode, the same nonce layout and AD.
double raw_botan_ns(const SuiteInfo& s, std::size_t n, std::size_t iterations)
{
    const auto key = bench_key();
    auto enc = Botan::AEAD_Mode::create_or_throw(s.botan_name, Botan::ENCRYPTION);
    auto dec = Botan::AEAD_Mode::create_or_throw(s.botan_name, Botan::DECRYPTION);
    enc->set_key(key.data(), key.size());
    dec->set_key(key.data(), key.size());
    Botan::secure_vector<std::uint8_t> buf(n, 0x42);
    buf.reserve(n + 16);
    std::array<std::uint8_t, ad_len> ad{};
    std::array<std::uint8_t, 12> nonce{};
    std::memcpy(nonce.data(), prefix.data(), prefix.size());
    std::uint64_t counter = 0;
    const double secs = net::bench::seconds([&] {
        for (std::size_t i = 0; i < iterations; ++i, ++counter) {
            std::memcpy(nonce.data() + 4, &counter, 8);  // little-endian host
            enc->set_associated_data(ad.data(), ad.size());
            enc->start(nonce.data(), nonce.size());
            enc->finish(buf);
            dec->set_associated_data(ad.data(), ad.size());
            dec->start(nonce.data(), nonce.size());
            dec->finish(buf);  // throws on a bad tag; never here
        }
    });
    net::bench::keep(buf.data());
    return secs * 1e9 / static_cast<double>(iterations);
}

// OpenSSL's encrypt ns/op for one size, or a negative value when openssl cannot be run.
double openssl_ns(const char* cipher, std::size_t n, bool aead)
{
    const std::string cmd = std::string("openssl speed -evp ") + cipher + (aead ? " -aead" : "") + " -bytes " +
                            std::to_string(n) + " -seconds 1 -mr 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return -1;
    double bytes_per_second = -1;
    char line[512];
    while (std::fgets(line, sizeof(line), p) != nullptr) {
        // "+F:<index>:<name>:<bytes per second>"
        if (std::strncmp(line, "+F:", 3) != 0) continue;
        const char* last = std::strrchr(line, ':');
        if (last != nullptr) bytes_per_second = std::strtod(last + 1, nullptr);
    }
    ::pclose(p);
    return bytes_per_second > 0 ? static_cast<double>(n) * 1e9 / bytes_per_second : -1;
}

void bench_ciphers(bool quick)
{
    constexpr std::size_t sizes[] = {64, 1024, 8192};
    std::printf("Botan providers: ChaCha(20) %s, Poly1305 %s, AES-256 %s\n",
                Botan::StreamCipher::create_or_throw("ChaCha(20)")->provider().c_str(),
                Botan::MessageAuthenticationCode::create_or_throw("Poly1305")->provider().c_str(),
                Botan::BlockCipher::create_or_throw("AES-256")->provider().c_str());
    std::printf("PacketCipher seal+open (ns per packet pair, median of %d; AD %zu B)\n", repetitions, ad_len);
    std::printf("%-18s %6s %11s %11s %9s %9s %12s %12s %9s %9s\n", "suite", "bytes", "framed", "botan-aead", "overhead",
                "MB/s", "openssl-evp", "openssl-aead", "vs-evp", "vs-aead");
    for (const SuiteInfo& s : suites) {
        for (std::size_t n : sizes) {
            // About 8 MiB per repetition in a full run.
            const std::size_t iterations = quick ? 50 : (std::size_t{8} << 20) / (n + 64);
            framed_ns(s, n, iterations / 8 + 1);
            raw_botan_ns(s, n, iterations / 8 + 1);
            std::vector<double> framed, raw;
            for (int r = 0; r < repetitions; ++r) {  // interleaved, so drift hits both alike
                framed.push_back(framed_ns(s, n, iterations));
                raw.push_back(raw_botan_ns(s, n, iterations));
            }
            const double f = net::bench::median(framed);
            const double b = net::bench::median(raw);
            const double per_direction = f / 2;
            std::printf("%-18s %6zu %11.1f %11.1f %8.1f%% %9.0f", s.openssl_name, n, f, b, (f / b - 1) * 100,
                        static_cast<double>(n) * 2e3 / f);
            if (quick) {
                std::printf(" %12s %12s %9s %9s\n", "skipped", "skipped", "-", "-");
                continue;
            }
            const double evp = openssl_ns(s.openssl_name, n, false);
            const double aead = openssl_ns(s.openssl_name, n, true);
            // Ratio = our time per direction / OpenSSL's time per operation (> 1: OpenSSL faster).
            std::printf(" %12.1f %12.1f %8.2fx %8.2fx\n", evp, aead, evp > 0 ? per_direction / evp : 0.0,
                        aead > 0 ? per_direction / aead : 0.0);
        }
    }
    std::printf(
        "framed/botan-aead: both do seal+open of the same bytes; overhead = framed/raw - 1 (target <= "
        "10%%).\nopenssl-*: ns per encrypt (-evp: streaming update; -aead: TLS-like init+AAD+update+tag); "
        "vs-* = (framed/2) / openssl.\n\n");
}

double replay_ns(std::size_t iterations, std::uint64_t stride_pattern)
{
    ReplayWindow window(1024);
    std::size_t admitted = 0;
    const double secs = net::bench::seconds([&] {
        for (std::uint64_t i = 0; i < iterations; ++i) {
            // pattern 0: in order; 1: adjacent pairs swapped; 2: every counter twice (dup rejects)
            const std::uint64_t c = stride_pattern == 0 ? i : stride_pattern == 1 ? (i ^ 1) : i / 2;
            admitted += window.try_admit(c) == ReplayVerdict::admitted;
        }
    });
    net::bench::keep(admitted);
    return secs * 1e9 / static_cast<double>(iterations);
}

double mutex_ns(std::size_t iterations)
{
    std::mutex m;
    std::uint64_t x = 0;
    const double secs = net::bench::seconds([&] {
        for (std::size_t i = 0; i < iterations; ++i) {
            std::lock_guard<std::mutex> lock(m);
            x += i;
            net::bench::keep(x);
        }
    });
    return secs * 1e9 / static_cast<double>(iterations);
}

void bench_replay(bool quick)
{
    const std::size_t iterations = quick ? 1000 : 5000000;
    const char* names[] = {"in order", "pairs swapped", "each twice"};
    std::printf("ReplayWindow(1024)::try_admit (ns/op, median of %d) beside std::mutex lock+unlock\n", repetitions);
    std::vector<double> ref;
    for (int r = 0; r < repetitions; ++r) ref.push_back(mutex_ns(iterations));
    const double m = net::bench::median(ref);
    for (std::uint64_t pattern = 0; pattern < 3; ++pattern) {
        std::vector<double> v;
        for (int r = 0; r < repetitions; ++r) v.push_back(replay_ns(iterations, pattern));
        const double t = net::bench::median(v);
        std::printf("  %-14s %7.2f ns   mutex %6.2f ns   ratio %5.2fx\n", names[pattern], t, m, t / m);
    }
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    bench_ciphers(quick);
    bench_replay(quick);
    return 0;
}
