// bench_mesh_throughput.cpp — encrypted 1 KiB events A→B between two real nodes on loopback
// (transport-udp, reliability-fire / reliability-stream), beside a raw UDP reference measured in
// the same run: two plain sockets, sendmmsg batches of 64 datagrams of the mesh's datagram size
// (event + 4 B event framing + 64 B header + 16 B tag), a receiver thread with recvmmsg 64.
// Both are measured at the receiver: what arrived in a fixed window while the sender runs flat out,
// so what a full socket drops never counts. Ratio = mesh events/s / raw datagrams/s (floor 0.7x).
// Usage: bench_mesh_throughput [--quick]   (--quick: one 0.2 s run per figure, a smoke run)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "mesh_lab.hpp"
#include "net/kernel/crypto/packet_cipher.hpp"
#include "net/kernel/wire/packet_header.hpp"

using namespace std::chrono_literals;
using net::kernel::mesh::Mesh;
using net::test::MeshLab;
using net::test::TempDir;

namespace {

constexpr std::size_t kEventBytes = 1024;
constexpr std::size_t kEventFraming = 4;  // the reliability plugins' u32 length before each event
constexpr std::size_t kDatagramBytes =
    net::kernel::wire::kPacketHeaderSize + kEventFraming + kEventBytes + net::kernel::crypto::PacketCipher::tag_size;
constexpr std::size_t kBatch = 64;
constexpr int kSocketBuffer = 4 << 20;  // what MeshLab gives the transport

struct Settings {
    int runs = 5;
    std::chrono::milliseconds warmup{300};
    std::chrono::milliseconds window{1000};
};

struct Rate {
    double received_per_s = 0;  // at the receiver, in the window
    double sent_per_s = 0;      // offered by the sender, same window (information)
    // CPU seconds per second of window (1.0 = one core busy), user and system, of the thread
    // that sends and of the thread that receives (for the mesh: the transport's receive thread).
    double sender_user = 0, sender_sys = 0, receiver_user = 0, receiver_sys = 0;
};

// A thread's user and system CPU time in seconds, from /proc (clock ticks); zeros if unknown.
std::pair<double, double> thread_cpu(pid_t tid)
{
    if (tid <= 0) return {0, 0};
    const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return {0, 0};
    char line[1024] = {};
    const bool ok = std::fgets(line, sizeof line, f) != nullptr;
    std::fclose(f);
    if (!ok) return {0, 0};
    const char* p = std::strrchr(line, ')');  // the name may hold spaces; fields follow the last ')'
    if (p == nullptr) return {0, 0};
    unsigned long long utime = 0, stime = 0;
    // After ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return {0, 0};
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return {static_cast<double>(utime) / hz, static_cast<double>(stime) / hz};
}

// Runs `sender` on its own thread until stopped; samples received()/sent() around a window after
// a warm-up. The sender must return when `stop` becomes true.
Rate measure(const Settings& settings, const std::function<void(std::atomic<bool>&)>& sender,
             const std::function<std::uint64_t()>& received, const std::function<std::uint64_t()>& sent,
             const std::function<pid_t()>& receiver_tid)
{
    std::atomic<bool> stop{false};
    std::atomic<pid_t> sender_tid{0};
    std::thread t([&] {
        sender_tid = ::gettid();
        sender(stop);
    });
    std::this_thread::sleep_for(settings.warmup);
    const pid_t rt = receiver_tid();
    const auto sc0 = thread_cpu(sender_tid.load());
    const auto rc0 = thread_cpu(rt);
    const std::uint64_t r0 = received();
    const std::uint64_t s0 = sent();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(settings.window);
    const std::uint64_t r1 = received();
    const std::uint64_t s1 = sent();
    const auto sc1 = thread_cpu(sender_tid.load());
    const auto rc1 = thread_cpu(rt);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stop = true;
    t.join();
    Rate rate{static_cast<double>(r1 - r0) / secs, static_cast<double>(s1 - s0) / secs};
    rate.sender_user = (sc1.first - sc0.first) / secs;
    rate.sender_sys = (sc1.second - sc0.second) / secs;
    rate.receiver_user = (rc1.first - rc0.first) / secs;
    rate.receiver_sys = (rc1.second - rc0.second) / secs;
    return rate;
}

// ---------------------------------------------------------------- raw UDP reference

void set_buffers(int fd)
{
    for (const auto& [force, plain] : {std::pair{SO_RCVBUFFORCE, SO_RCVBUF}, std::pair{SO_SNDBUFFORCE, SO_SNDBUF}}) {
        if (::setsockopt(fd, SOL_SOCKET, force, &kSocketBuffer, sizeof kSocketBuffer) != 0) {
            ::setsockopt(fd, SOL_SOCKET, plain, &kSocketBuffer, sizeof kSocketBuffer);
        }
    }
}

int loopback_socket(sockaddr_in& bound)
{
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    set_buffers(fd);
    bound = sockaddr_in{};
    bound.sin_family = AF_INET;
    bound.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0) throw std::runtime_error("bind failed");
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    return fd;
}

class RawPair {
public:
    RawPair()
    {
        tx_ = loopback_socket(tx_addr_);
        rx_ = loopback_socket(rx_addr_);
        timeval tv{0, 20000};  // the receiver notices stop within 20 ms
        ::setsockopt(rx_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~RawPair()
    {
        ::close(tx_);
        ::close(rx_);
    }
    RawPair(const RawPair&) = delete;
    RawPair& operator=(const RawPair&) = delete;

    Rate run(const Settings& settings)
    {
        std::atomic<bool> stop_rx{false};
        std::atomic<std::uint64_t> received{0};
        std::atomic<pid_t> tid{0};
        std::thread receiver([&] {
            tid = ::gettid();
            receive_loop(stop_rx, received);
        });
        std::atomic<std::uint64_t> sent{0};
        const Rate rate = measure(
            settings, [&](std::atomic<bool>& stop) { send_loop(stop, sent); },
            [&] { return received.load(std::memory_order_relaxed); },
            [&] { return sent.load(std::memory_order_relaxed); }, [&] { return tid.load(); });
        stop_rx = true;
        receiver.join();
        return rate;
    }

private:
    void send_loop(std::atomic<bool>& stop, std::atomic<std::uint64_t>& sent) const
    {
        std::vector<std::uint8_t> storage(kBatch * kDatagramBytes, 0xAB);
        std::array<iovec, kBatch> iov{};
        std::array<mmsghdr, kBatch> msgs{};
        sockaddr_in to = rx_addr_;
        std::uint64_t index = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            for (std::size_t k = 0; k < kBatch; ++k, ++index) {
                std::uint8_t* p = storage.data() + k * kDatagramBytes;
                std::memcpy(p, &index, sizeof index);  // each datagram is written, as the mesh writes each packet
                iov[k] = iovec{p, kDatagramBytes};
                msgs[k].msg_hdr = msghdr{};
                msgs[k].msg_hdr.msg_name = &to;
                msgs[k].msg_hdr.msg_namelen = sizeof to;
                msgs[k].msg_hdr.msg_iov = &iov[k];
                msgs[k].msg_hdr.msg_iovlen = 1;
            }
            const int n = ::sendmmsg(tx_, msgs.data(), kBatch, 0);
            if (n > 0) sent.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
        }
    }

    void receive_loop(std::atomic<bool>& stop, std::atomic<std::uint64_t>& received) const
    {
        std::vector<std::uint8_t> storage(kBatch * 2048);
        std::array<iovec, kBatch> iov{};
        std::array<mmsghdr, kBatch> msgs{};
        std::uint64_t checksum = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            for (std::size_t k = 0; k < kBatch; ++k) {
                iov[k] = iovec{storage.data() + k * 2048, 2048};
                msgs[k].msg_hdr = msghdr{};
                msgs[k].msg_hdr.msg_iov = &iov[k];
                msgs[k].msg_hdr.msg_iovlen = 1;
            }
            const int n = ::recvmmsg(rx_, msgs.data(), kBatch, MSG_WAITFORONE, nullptr);
            if (n <= 0) continue;
            for (int k = 0; k < n; ++k) checksum += storage[static_cast<std::size_t>(k) * 2048];
            received.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
        }
        net::bench::keep(checksum);
    }

    int tx_ = -1;
    int rx_ = -1;
    sockaddr_in tx_addr_{};
    sockaddr_in rx_addr_{};
};

// ---------------------------------------------------------------- the mesh

struct EventCounter {
    std::atomic<std::uint64_t> events{0};
    std::atomic<pid_t> tid{0};  // the thread that delivers: B's transport receive thread
    static void on_events(void* ctx, const net_mesh_event_info_t*, const net_bytes_t*, std::size_t count)
    {
        auto* self = static_cast<EventCounter*>(ctx);
        if (self->tid.load(std::memory_order_relaxed) == 0) self->tid = ::gettid();
        self->events.fetch_add(count, std::memory_order_relaxed);
    }
};

class MeshPair {
public:
    MeshPair() : lab_(dir_)
    {
        lab_.add("a");
        lab_.add("b");
        lab_.link("a", "b");
        a_ = lab_.start("a");
        b_ = lab_.start("b");
        if (b_->mesh()->add_receiver(&EventCounter::on_events, &counter_, receiver_id_) != NET_OK) {
            throw std::runtime_error("add_receiver failed");
        }
        if (!net::test::eventually([&] { return a_->mesh()->has_session(lab_.address("b")); }, 10s)) {
            throw std::runtime_error("no session between a and b");
        }
    }
    ~MeshPair() { b_->mesh()->remove_receiver(receiver_id_); }
    MeshPair(const MeshPair&) = delete;
    MeshPair& operator=(const MeshPair&) = delete;

    net_mesh_stream_t* open(const char* mode)
    {
        net_mesh_stream_t* s = nullptr;
        if (a_->mesh()->open_stream(lab_.address("b"), mode, s) != NET_OK) {
            throw std::runtime_error(std::string("open_stream ") + mode + " failed");
        }
        return s;
    }
    void close(net_mesh_stream_t* s) { a_->mesh()->stream_close(s); }

    // events_per_call: 64 for fire (64 packets per call, one SendBatch); for stream, a batch
    // must fit the credit window (64 KiB), so 32.
    Rate run(const Settings& settings, net_mesh_stream_t* stream, std::size_t events_per_call, bool& failed)
    {
        Mesh& mesh = *a_->mesh();
        const Rate rate = measure(
            settings,
            [&](std::atomic<bool>& stop) {
                std::vector<std::uint8_t> storage(events_per_call * kEventBytes, 0xAB);
                std::vector<net_bytes_t> views(events_per_call);
                std::uint64_t index = 0;
                while (!stop.load(std::memory_order_relaxed)) {
                    for (std::size_t k = 0; k < events_per_call; ++k) {
                        std::uint8_t* p = storage.data() + k * kEventBytes;
                        const std::uint64_t i = index + k;
                        std::memcpy(p, &i, sizeof i);
                        views[k] = net_bytes_t{p, kEventBytes};
                    }
                    const net_status_t s = mesh.stream_send(stream, views);
                    if (s == NET_OK) {
                        index += events_per_call;
                    } else if (s == NET_E_WOULD_BLOCK) {
                        if (std::getenv("BENCH_YIELD")) std::this_thread::yield(); else
                        std::this_thread::sleep_for(20us);  // back-pressure: retry
                    } else {
                        std::fprintf(stderr, "bench_mesh_throughput: stream_send: %s\n", net_status_name(s));
                        failed = true;
                        return;
                    }
                }
            },
            [&] { return counter_.events.load(std::memory_order_relaxed); },
            [&] { return a_->mesh()->counters().datagrams_sent; }, [&] { return counter_.tid.load(); });
        // Let the receiver drain (and a reliable stream finish) before the next measurement.
        std::uint64_t last = counter_.events.load();
        for (int i = 0; i < 100; ++i) {
            std::this_thread::sleep_for(20ms);
            const std::uint64_t now = counter_.events.load();
            if (now == last) break;
            last = now;
        }
        return rate;
    }

    net::kernel::mesh::MeshCounterSnapshot counters_a() const { return a_->mesh()->counters(); }
    net::kernel::mesh::MeshCounterSnapshot counters_b() const { return b_->mesh()->counters(); }

private:
    TempDir dir_;
    MeshLab lab_;
    std::unique_ptr<net::kernel::Node> a_;
    std::unique_ptr<net::kernel::Node> b_;
    EventCounter counter_;
    std::uint64_t receiver_id_ = 0;
};

struct Figures {
    std::vector<double> mesh, mesh_sent, raw, raw_sent, ratio;
    std::vector<double> mesh_tx_cpu, mesh_rx_cpu, raw_tx_cpu, raw_rx_cpu;  // CPU us per datagram
};

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    Settings settings;
    if (quick) {
        settings.runs = 1;
        settings.warmup = 50ms;
        settings.window = 200ms;
    }
    std::printf("Mesh throughput A->B on loopback: %zu-byte events, one per %zu-byte datagram; raw reference: "
                "sendmmsg/recvmmsg x%zu of %zu-byte datagrams\n",
                kEventBytes, kDatagramBytes, kBatch, kDatagramBytes);
    std::printf("measured at the receiver over %.1f s after %.1f s warm-up; median of %d runs, mesh and raw "
                "interleaved\n\n",
                std::chrono::duration<double>(settings.window).count(),
                std::chrono::duration<double>(settings.warmup).count(), settings.runs);

    MeshPair mesh;
    RawPair raw;
    struct Mode {
        const char* name;
        std::size_t events_per_call;
    };
    const Mode modes[] = {{"fire", kBatch}, {"stream", 32}};
    bool failed = false;
    std::printf("%-7s %12s %12s %10s %12s %12s %8s\n", "mode", "mesh ev/s", "(offered)", "mesh MB/s", "raw pkt/s",
                "(offered)", "ratio");
    for (const Mode& m : modes) {
        net_mesh_stream_t* stream = mesh.open(m.name);
        Figures f;
        const auto a0 = mesh.counters_a();
        const auto b0 = mesh.counters_b();
        for (int r = 0; r < settings.runs && !failed; ++r) {
            const Rate rr = raw.run(settings);
            const Rate mr = mesh.run(settings, stream, m.events_per_call, failed);
            f.raw.push_back(rr.received_per_s);
            f.raw_sent.push_back(rr.sent_per_s);
            f.mesh.push_back(mr.received_per_s);
            f.mesh_sent.push_back(mr.sent_per_s);
            f.ratio.push_back(rr.received_per_s > 0 ? mr.received_per_s / rr.received_per_s : 0);
            f.mesh_tx_cpu.push_back((mr.sender_user + mr.sender_sys) / mr.sent_per_s * 1e6);
            f.mesh_rx_cpu.push_back((mr.receiver_user + mr.receiver_sys) / mr.received_per_s * 1e6);
            f.raw_tx_cpu.push_back((rr.sender_user + rr.sender_sys) / rr.sent_per_s * 1e6);
            f.raw_rx_cpu.push_back((rr.receiver_user + rr.receiver_sys) / rr.received_per_s * 1e6);
            if (std::getenv("BENCH_VERBOSE")) {
                std::printf("  run %d: mesh %.0f (offered %.0f; tx %.2f+%.2f rx %.2f+%.2f cores) raw %.0f (offered "
                            "%.0f; tx %.2f+%.2f rx %.2f+%.2f cores)\n",
                            r, mr.received_per_s, mr.sent_per_s, mr.sender_user, mr.sender_sys, mr.receiver_user,
                            mr.receiver_sys, rr.received_per_s, rr.sent_per_s, rr.sender_user, rr.sender_sys,
                            rr.receiver_user, rr.receiver_sys);
            }
        }
        const auto a1 = mesh.counters_a();
        const auto b1 = mesh.counters_b();
        mesh.close(stream);
        if (failed) break;
        const double me = net::bench::median(f.mesh);
        std::printf("%-7s %12.0f %12.0f %10.1f %12.0f %12.0f %7.2fx   (floor >= 0.70x; per-run ratio median %.2fx)\n",
                    m.name, me, net::bench::median(f.mesh_sent), me * static_cast<double>(kEventBytes) / 1e6,
                    net::bench::median(f.raw), net::bench::median(f.raw_sent), me / net::bench::median(f.raw),
                    net::bench::median(f.ratio));
        std::printf("        A sealed %llu, sent %llu datagrams (send_failed %llu); B received %llu, decrypted %llu "
                    "(all runs)\n",
                    static_cast<unsigned long long>(a1.packets_sealed - a0.packets_sealed),
                    static_cast<unsigned long long>(a1.datagrams_sent - a0.datagrams_sent),
                    static_cast<unsigned long long>(a1.send_failed - a0.send_failed),
                    static_cast<unsigned long long>(b1.datagrams_received - b0.datagrams_received),
                    static_cast<unsigned long long>(b1.packets_decrypted - b0.packets_decrypted));
        std::printf("        CPU us per datagram: mesh sender %.2f, mesh receive thread %.2f; raw sender %.2f, raw "
                    "receiver %.2f\n",
                    net::bench::median(f.mesh_tx_cpu), net::bench::median(f.mesh_rx_cpu),
                    net::bench::median(f.raw_tx_cpu), net::bench::median(f.raw_rx_cpu));
    }
    std::printf("\nratio = mesh events/s received / raw datagrams/s received (each event is one datagram). "
                "(offered) = what the sender pushed in the window; the excess is dropped by a full socket.\n");
    return failed ? 1 : 0;
}
