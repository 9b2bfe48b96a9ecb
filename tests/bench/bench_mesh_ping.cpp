// bench_mesh_ping.cpp — round-trip time of Mesh::ping (an encrypted probe through the session and
// its encrypted answer) between two real nodes on loopback, beside a raw UDP ping-pong of the same
// datagram size (64 B header + 17 B probe + 16 B tag) between two plain sockets and an echo thread,
// measured in the same run. Also A–B–C through a relay (B forwards without decrypting), as
// information. One probe at a time (count = 1 per call), so each RTT is one unloaded round trip.
// The mesh figure is PingReply::rtt (taken on A's receive thread when the answer is opened); the
// wall time of the blocking ping() call (which adds waking the caller) is shown beside it.
// Ratio = mesh p50 / raw p50 (floor <= 2x). Medians of the per-run percentiles.
// Usage: bench_mesh_ping [--quick] [--mesh-only N] [--busy-poll-us N]
//   --quick: one run of 50 probes each, a smoke run
//   --mesh-only N: diagnostics for profiling: only N probes A-B (no raw reference, no ratio)
//   --busy-poll-us N: diagnostics: transport-udp busy_poll_us of the three nodes (default: the
//     transport's default)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "mesh_lab.hpp"
#include "net/kernel/crypto/packet_cipher.hpp"
#include "net/kernel/mesh/mesh_protocol.hpp"
#include "net/kernel/wire/packet_header.hpp"

using namespace std::chrono_literals;
using net::kernel::mesh::Mesh;
using net::test::MeshLab;
using net::test::TempDir;

namespace {

constexpr std::size_t kDatagramBytes = net::kernel::wire::kPacketHeaderSize + net::kernel::mesh::Probe::size +
                                       net::kernel::crypto::PacketCipher::tag_size;

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct Sample {
    std::vector<double> rtt_us;   // per answered probe
    std::vector<double> call_us;  // wall time of the call (mesh only)
    std::size_t lost = 0;
};

// ---------------------------------------------------------------- raw UDP ping-pong

int loopback_socket(sockaddr_in& bound)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    bound = sockaddr_in{};
    bound.sin_family = AF_INET;
    bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0) throw std::runtime_error("bind failed");
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    timeval tv{0, 100000};  // a lost datagram (or stop) is noticed within 100 ms
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

// Style blocking: blocking recv/recvfrom on both sides. Style polled: both sides wait in poll()
// and read with recvmmsg(MSG_DONTWAIT) until EAGAIN, as transport-udp's receive loop did before it
// blocked in recvmmsg; the echo answers with sendmmsg. Style spinning: both sides spin on
// recv(MSG_DONTWAIT) and never sleep — the fastest raw round trip there is, a stricter reference
// than blocking now that transport-udp busy-polls after each datagram. A spinning pair holds both
// CPUs, so it is created for its own runs only (its echo thread ends with it).
enum class RawStyle { blocking, polled, spinning };

class RawPingPong {
public:
    explicit RawPingPong(RawStyle style) : style_(style)
    {
        client_ = loopback_socket(client_addr_);
        echo_ = loopback_socket(echo_addr_);
        thread_ = std::thread([this] { echo_loop(); });
    }
    ~RawPingPong()
    {
        stop_ = true;
        thread_.join();
        ::close(client_);
        ::close(echo_);
    }
    RawPingPong(const RawPingPong&) = delete;
    RawPingPong& operator=(const RawPingPong&) = delete;

    Sample run(std::size_t probes)
    {
        Sample s;
        std::vector<std::uint8_t> out(kDatagramBytes, 0x5A), in(2048);
        for (std::uint64_t i = 0; i < probes; ++i) {
            std::memcpy(out.data(), &i, sizeof i);
            const auto t0 = std::chrono::steady_clock::now();
            ::sendto(client_, out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&echo_addr_),
                     sizeof echo_addr_);
            bool answered = false;
            for (;;) {  // skips a late answer to an earlier probe
                const ssize_t n = style_ == RawStyle::polled     ? polled_receive(client_, in)
                                  : style_ == RawStyle::spinning ? spinning_receive(client_, in)
                                                                 : ::recv(client_, in.data(), in.size(), 0);
                if (n < 0) break;
                std::uint64_t seq = 0;
                std::memcpy(&seq, in.data(), sizeof seq);
                if (seq == i) {
                    answered = true;
                    break;
                }
            }
            const auto t1 = std::chrono::steady_clock::now();
            if (answered) {
                s.rtt_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
            } else {
                ++s.lost;
            }
        }
        return s;
    }

private:
    // One datagram: poll, then recvmmsg(MSG_DONTWAIT) (and one more that finds nothing, as a
    // receive loop draining its socket does).
    static ssize_t polled_receive(int fd, std::vector<std::uint8_t>& in)
    {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) return -1;
        iovec iov{in.data(), in.size()};
        mmsghdr m{};
        m.msg_hdr.msg_iov = &iov;
        m.msg_hdr.msg_iovlen = 1;
        const int n = ::recvmmsg(fd, &m, 1, MSG_DONTWAIT, nullptr);
        if (n != 1) return -1;
        mmsghdr none{};  // a late answer found here is dropped, as the probe loop would skip it
        std::uint8_t spare[16];
        iovec spare_iov{spare, sizeof spare};
        none.msg_hdr.msg_iov = &spare_iov;
        none.msg_hdr.msg_iovlen = 1;
        (void)::recvmmsg(fd, &none, 1, MSG_DONTWAIT, nullptr);
        return static_cast<ssize_t>(m.msg_len);
    }

    // One datagram by spinning on a non-blocking recv (gives up after 100 ms).
    static ssize_t spinning_receive(int fd, std::vector<std::uint8_t>& in)
    {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        for (;;) {
            const ssize_t n = ::recv(fd, in.data(), in.size(), MSG_DONTWAIT);
            if (n >= 0) return n;
            if (std::chrono::steady_clock::now() > give_up) return -1;
        }
    }

    void spinning_echo_loop()
    {
        std::vector<std::uint8_t> buf(2048);
        while (!stop_.load(std::memory_order_relaxed)) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n =
                ::recvfrom(echo_, buf.data(), buf.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) continue;
            ::sendto(echo_, buf.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<const sockaddr*>(&from), len);
        }
    }

    void polled_echo_loop()
    {
        constexpr std::size_t batch = 64;
        std::vector<std::uint8_t> storage(batch * 2048);
        std::vector<iovec> iov(batch);
        std::vector<sockaddr_in> from(batch);
        std::vector<mmsghdr> msgs(batch);
        while (!stop_.load()) {
            pollfd p{echo_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            for (;;) {
                for (std::size_t k = 0; k < batch; ++k) {
                    iov[k] = iovec{storage.data() + k * 2048, 2048};
                    msgs[k].msg_hdr = msghdr{};
                    msgs[k].msg_hdr.msg_name = &from[k];
                    msgs[k].msg_hdr.msg_namelen = sizeof from[k];
                    msgs[k].msg_hdr.msg_iov = &iov[k];
                    msgs[k].msg_hdr.msg_iovlen = 1;
                }
                const int n = ::recvmmsg(echo_, msgs.data(), batch, MSG_DONTWAIT, nullptr);
                if (n <= 0) break;
                for (int k = 0; k < n; ++k) iov[static_cast<std::size_t>(k)].iov_len = msgs[static_cast<std::size_t>(k)].msg_len;
                ::sendmmsg(echo_, msgs.data(), static_cast<unsigned>(n), 0);
            }
        }
    }

    void echo_loop()
    {
        if (style_ == RawStyle::polled) {
            polled_echo_loop();
            return;
        }
        if (style_ == RawStyle::spinning) {
            spinning_echo_loop();
            return;
        }
        std::vector<std::uint8_t> buf(2048);
        while (!stop_.load()) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n = ::recvfrom(echo_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) continue;
            ::sendto(echo_, buf.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<const sockaddr*>(&from), len);
        }
    }

    int client_ = -1;
    int echo_ = -1;
    sockaddr_in client_addr_{};
    sockaddr_in echo_addr_{};
    RawStyle style_ = RawStyle::blocking;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// ---------------------------------------------------------------- the mesh

Sample mesh_run(Mesh& mesh, std::uint64_t to, std::size_t probes)
{
    Sample s;
    for (std::size_t i = 0; i < probes; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto replies = mesh.ping(to, 1, std::chrono::milliseconds(0), std::chrono::milliseconds(1000));
        const auto t1 = std::chrono::steady_clock::now();
        if (replies.size() == 1 && replies[0]) {
            s.rtt_us.push_back(std::chrono::duration<double, std::micro>(replies[0]->rtt).count());
            s.call_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        } else {
            ++s.lost;
        }
    }
    return s;
}

struct Figures {
    std::vector<double> p50, p99, call_p50, call_p99;
    std::size_t lost = 0;
    std::size_t answered = 0;

    void add(const Sample& s)
    {
        p50.push_back(percentile(s.rtt_us, 0.50));
        p99.push_back(percentile(s.rtt_us, 0.99));
        if (!s.call_us.empty()) {
            call_p50.push_back(percentile(s.call_us, 0.50));
            call_p99.push_back(percentile(s.call_us, 0.99));
        }
        lost += s.lost;
        answered += s.rtt_us.size();
    }
};

void print_row(const char* name, const Figures& f, double raw_p50)
{
    const double p50 = net::bench::median(f.p50);
    std::printf("%-22s %9.1f %9.1f", name, p50, net::bench::median(f.p99));
    if (f.call_p50.empty()) {
        std::printf(" %11s %11s", "-", "-");
    } else {
        std::printf(" %11.1f %11.1f", net::bench::median(f.call_p50), net::bench::median(f.call_p99));
    }
    std::printf(" %7.2fx %7zu/%zu\n", raw_p50 > 0 ? p50 / raw_p50 : 0.0, f.lost, f.lost + f.answered);
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    std::size_t mesh_only = 0;
    long busy_poll_us = -1;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--mesh-only") == 0) mesh_only = std::strtoull(argv[i + 1], nullptr, 10);
        if (std::strcmp(argv[i], "--busy-poll-us") == 0) busy_poll_us = std::strtol(argv[i + 1], nullptr, 10);
    }
    const int runs = quick ? 1 : 5;
    const std::size_t probes = quick ? 50 : 2000;

    TempDir dir;
    MeshLab lab(dir);
    for (const char* name : {"a", "b", "c"}) {
        auto& spec = lab.add(name);
        if (busy_poll_us >= 0) spec.transport_config["busy_poll_us"] = busy_poll_us;
    }
    lab.link("a", "b");
    lab.link("b", "c");
    lab.know("a", "c", false);  // A reaches C only through B
    lab.know("c", "a", false);
    auto b = lab.start("b");
    auto a = lab.start("a");
    auto c = lab.start("c");
    const std::uint64_t B = lab.address("b");
    const std::uint64_t C = lab.address("c");
    Mesh& mesh = *a->mesh();
    if (!net::test::eventually([&] { return mesh.has_session(B) && mesh.has_session(C) && mesh.route_to(C); }, 15s)) {
        std::fprintf(stderr, "bench_mesh_ping: sessions A-B and A-C (via B) did not come up\n");
        return 1;
    }
    if (mesh_only > 0) {
        mesh_run(mesh, B, 200);
        const Sample s = mesh_run(mesh, B, mesh_only);
        std::printf("mesh A-B only (diagnostics): %zu probes, p50 %.1f us, p99 %.1f us, call p50 %.1f us, lost %zu\n",
                    mesh_only, percentile(s.rtt_us, 0.5), percentile(s.rtt_us, 0.99), percentile(s.call_us, 0.5),
                    s.lost);
        if (s.lost > 0) {
            for (auto* node : {a.get(), b.get()}) {
                std::printf("  %s counters: %s\n", node == a.get() ? "A" : "B", node->mesh()->status()["counters"].dump().c_str());
            }
        }
        return 0;
    }
    RawPingPong raw(RawStyle::blocking);
    RawPingPong polled(RawStyle::polled);

    // Warm-up: caches, lazily created state, the first answers.
    raw.run(probes / 10 + 1);
    polled.run(probes / 10 + 1);
    mesh_run(mesh, B, probes / 10 + 1);
    mesh_run(mesh, C, probes / 10 + 1);

    Figures fr, fp, fs, fd, fc;
    std::vector<double> ratio, ratio_spinning;
    for (int r = 0; r < runs; ++r) {  // interleaved, so drift hits all alike
        const Sample sr = raw.run(probes);
        const Sample sp = polled.run(probes);
        Sample ss;
        {
            RawPingPong spinning(RawStyle::spinning);
            spinning.run(probes / 10 + 1);
            ss = spinning.run(probes);
        }
        const Sample sd = mesh_run(mesh, B, probes);
        const Sample sc = mesh_run(mesh, C, probes);
        fr.add(sr);
        fp.add(sp);
        fs.add(ss);
        fd.add(sd);
        fc.add(sc);
        ratio.push_back(fr.p50.back() > 0 ? fd.p50.back() / fr.p50.back() : 0);
        ratio_spinning.push_back(fs.p50.back() > 0 ? fd.p50.back() / fs.p50.back() : 0);
    }
    const auto route = mesh.route_to(C);

    std::printf("RTT on loopback, one probe at a time, %zu-byte datagrams; median over %d runs of %zu probes of each "
                "run's percentile (microseconds)\n",
                kDatagramBytes, runs, probes);
    std::printf("%-22s %9s %9s %11s %11s %8s %9s\n", "path", "p50", "p99", "call p50", "call p99", "p50/raw", "lost");
    const double raw_p50 = net::bench::median(fr.p50);
    print_row("raw UDP ping-pong", fr, raw_p50);
    print_row("raw, poll+recvmmsg", fp, raw_p50);
    print_row("raw, both spinning", fs, raw_p50);
    print_row("mesh A-B direct", fd, raw_p50);
    print_row("mesh A-B-C via relay", fc, raw_p50);
    std::printf("\nmesh A-B p50 / raw p50 = %.2fx (median of per-run ratios; floor <= 2x). Route A->C: %u hops via "
                "B=%s.\n",
                net::bench::median(ratio), route ? static_cast<unsigned>(route->hops) : 0u,
                route && route->next_hop == B ? "yes" : "no");
    std::printf("mesh A-B p50 / spinning raw p50 = %.2fx (the stricter reference: raw with busy polling too).\n",
                net::bench::median(ratio_spinning));
    std::printf("raw: blocking recv on both sides (the reference); raw, poll+recvmmsg: both sides wait in poll() and "
                "drain with recvmmsg(MSG_DONTWAIT), transport-udp's former receive loop (information).\n");
    std::printf("p50/p99: PingReply::rtt (probe sealed on the caller's thread -> answer opened on A's receive "
                "thread); call: wall time of ping(to, 1, 0 ms, 1 s), adding the caller's wake-up.\n");
    return 0;
}
