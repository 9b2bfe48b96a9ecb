// bench_mesh_throughput.cpp — encrypted 1 KiB events A→B between two real nodes on loopback
// (transport-udp, reliability-fire / reliability-stream), beside a raw UDP reference measured in
// the same run: two plain sockets, sendmmsg batches of 64 datagrams of the mesh's datagram size
// (event + 4 B event framing + 64 B header + 16 B tag), a receiver thread with recvmmsg 64.
// Both are measured at the receiver: what arrived in a fixed window while the sender runs flat out,
// so what a full socket drops never counts. Ratio = mesh events/s / raw datagrams/s (floor 0.7x).
// The machine is shared, so each run also reads the CPU it took (/proc): this process's CPU plus
// the machine's softirq time per datagram received, a figure that does not depend on how much of
// the machine the run got; cpu-ratio = raw CPU per datagram / mesh CPU per datagram.
// Usage: bench_mesh_throughput [--quick] [--verbose]   (--quick: one 0.2 s run per figure;
// --verbose: every run, with each thread's CPU)
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
constexpr std::uint64_t kInFlightCap = 1024;  // "/cap" rows: datagrams sent and not yet received

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
    double process_cores = 0, machine_cores = 0, softirq_cores = 0;  // whole process, whole machine busy
};

// Busy and softirq seconds of the whole machine (/proc/stat), and this process's CPU seconds.
struct MachineCpu {
    double busy = 0, softirq = 0, process = 0;
};
MachineCpu machine_cpu()
{
    MachineCpu m;
    const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    if (FILE* f = std::fopen("/proc/stat", "r")) {
        unsigned long long v[8] = {};
        if (std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                        &v[6], &v[7]) == 8) {
            m.busy = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
            m.softirq = static_cast<double>(v[6]) / hz;
        }
        std::fclose(f);
    }
    if (FILE* f = std::fopen("/proc/self/stat", "r")) {
        char line[1024] = {};
        if (std::fgets(line, sizeof line, f) != nullptr) {
            unsigned long long utime = 0, stime = 0;
            if (const char* p = std::strrchr(line, ')');
                p != nullptr &&
                std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) == 2) {
                m.process = static_cast<double>(utime + stime) / hz;
            }
        }
        std::fclose(f);
    }
    return m;
}

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
    const MachineCpu m0 = machine_cpu();
    const std::uint64_t r0 = received();
    const std::uint64_t s0 = sent();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(settings.window);
    const std::uint64_t r1 = received();
    const std::uint64_t s1 = sent();
    const auto sc1 = thread_cpu(sender_tid.load());
    const auto rc1 = thread_cpu(rt);
    const MachineCpu m1 = machine_cpu();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stop = true;
    t.join();
    Rate rate{static_cast<double>(r1 - r0) / secs, static_cast<double>(s1 - s0) / secs};
    rate.sender_user = (sc1.first - sc0.first) / secs;
    rate.sender_sys = (sc1.second - sc0.second) / secs;
    rate.receiver_user = (rc1.first - rc0.first) / secs;
    rate.receiver_sys = (rc1.second - rc0.second) / secs;
    rate.process_cores = (m1.process - m0.process) / secs;
    rate.machine_cores = (m1.busy - m0.busy) / secs;
    rate.softirq_cores = (m1.softirq - m0.softirq) / secs;
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

    // max_in_flight > 0: the sender waits while more than that many datagrams are sent and not yet
    // received (a benchmark-only back-channel), so nothing overflows: the pipeline's capacity.
    Rate run(const Settings& settings, std::uint64_t max_in_flight)
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
            settings, [&](std::atomic<bool>& stop) { send_loop(stop, sent, received, max_in_flight); },
            [&] { return received.load(std::memory_order_relaxed); },
            [&] { return sent.load(std::memory_order_relaxed); }, [&] { return tid.load(); });
        stop_rx = true;
        receiver.join();
        return rate;
    }

private:
    void send_loop(std::atomic<bool>& stop, std::atomic<std::uint64_t>& sent, const std::atomic<std::uint64_t>& received,
                   std::uint64_t max_in_flight) const
    {
        std::vector<std::uint8_t> storage(kBatch * kDatagramBytes, 0xAB);
        std::array<iovec, kBatch> iov{};
        std::array<mmsghdr, kBatch> msgs{};
        sockaddr_in to = rx_addr_;
        std::uint64_t index = 0;
        const std::uint64_t received_before = received.load();
        std::uint64_t sent_here = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            if (max_in_flight > 0 && sent_here > received.load(std::memory_order_relaxed) - received_before + max_in_flight) {
                std::this_thread::yield();
                continue;
            }
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
            if (n > 0) {
                sent.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
                sent_here += static_cast<std::uint64_t>(n);
            }
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
    explicit MeshPair(const char* suite) : lab_(dir_)
    {
        lab_.add("a").mesh_overrides["suite"] = suite;
        lab_.add("b").mesh_overrides["suite"] = suite;
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
    Rate run(const Settings& settings, net_mesh_stream_t* stream, std::size_t events_per_call,
             std::uint64_t max_in_flight, bool& failed)
    {
        Mesh& mesh = *a_->mesh();
        const Rate rate = measure(
            settings,
            [&](std::atomic<bool>& stop) {
                std::vector<std::uint8_t> storage(events_per_call * kEventBytes, 0xAB);
                std::vector<net_bytes_t> views(events_per_call);
                std::uint64_t index = 0;
                const std::uint64_t received_before = counter_.events.load();
                while (!stop.load(std::memory_order_relaxed)) {
                    if (max_in_flight > 0 &&
                        index > counter_.events.load(std::memory_order_relaxed) - received_before + max_in_flight) {
                        std::this_thread::yield();
                        continue;
                    }
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
                        // Back-pressure: retry at once. (A 20 us sleep costs the stream up to half its
                        // rate here: the timer slack makes it 60-100 us, a whole credit window.)
                        std::this_thread::yield();
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
    std::vector<double> mesh_cpu, raw_cpu, cpu_ratio;  // CPU us per datagram received
};

// CPU per datagram, in microseconds: the sending thread's per datagram sent, plus the rest of the
// process (receiving thread and any other) and the machine's softirq time per datagram received.
// Sending what a full socket then drops is not charged to the received ones.
double cpu_us(const Rate& r)
{
    if (r.received_per_s <= 0 || r.sent_per_s <= 0) return 0;
    const double sender = r.sender_user + r.sender_sys;
    return (sender / r.sent_per_s + (r.process_cores - sender + r.softirq_cores) / r.received_per_s) * 1e6;
}

void print_run(int run, const char* who, const Rate& r)
{
    std::printf("    run %d %-4s %9.0f/s (offered %9.0f/s) cores: sender %.2fu+%.2fs, receiver %.2fu+%.2fs, "
                "process %.2f, softirq %.2f, machine %.2f of 2\n",
                run, who, r.received_per_s, r.sent_per_s, r.sender_user, r.sender_sys, r.receiver_user,
                r.receiver_sys, r.process_cores, r.softirq_cores, r.machine_cores);
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    bool verbose = false;
    for (int i = 1; i < argc; ++i) verbose = verbose || std::strcmp(argv[i], "--verbose") == 0;
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

    RawPair raw;
    struct Mode {
        const char* name;
        const char* suite;
        std::size_t events_per_call;  // fire: 64 packets per call; stream: a call must fit the 64 KiB credit
        std::uint64_t max_in_flight;  // 0: flat out; else the sender waits for the receiver (mesh and raw)
        const char* label;
    };
    const Mode modes[] = {
        {"fire", "chacha20-poly1305", kBatch, 0, "fire"},
        {"fire", "chacha20-poly1305", kBatch, kInFlightCap, "fire/cap"},
        {"stream", "chacha20-poly1305", 32, 0, "stream"},
        {"fire", "aes-256-gcm", kBatch, 0, "fire"},
        {"fire", "aes-256-gcm", kBatch, kInFlightCap, "fire/cap"}};
    bool failed = false;
    std::printf("%-9s %-18s %11s %11s %7s %9s %9s %9s\n", "mode", "suite", "mesh ev/s", "raw pkt/s", "ratio",
                "mesh us", "raw us", "cpu-ratio");
    for (const Mode& m : modes) {
        MeshPair mesh(m.suite);
        net_mesh_stream_t* stream = mesh.open(m.name);
        Figures f;
        const auto a0 = mesh.counters_a();
        const auto b0 = mesh.counters_b();
        for (int r = 0; r < settings.runs && !failed; ++r) {
            const Rate rr = raw.run(settings, m.max_in_flight);
            const Rate mr = mesh.run(settings, stream, m.events_per_call, m.max_in_flight, failed);
            f.raw.push_back(rr.received_per_s);
            f.raw_sent.push_back(rr.sent_per_s);
            f.mesh.push_back(mr.received_per_s);
            f.mesh_sent.push_back(mr.sent_per_s);
            f.ratio.push_back(rr.received_per_s > 0 ? mr.received_per_s / rr.received_per_s : 0);
            f.mesh_cpu.push_back(cpu_us(mr));
            f.raw_cpu.push_back(cpu_us(rr));
            f.cpu_ratio.push_back(f.mesh_cpu.back() > 0 ? f.raw_cpu.back() / f.mesh_cpu.back() : 0);
            if (verbose) {
                print_run(r, "mesh", mr);
                print_run(r, "raw", rr);
            }
        }
        const auto a1 = mesh.counters_a();
        const auto b1 = mesh.counters_b();
        mesh.close(stream);
        if (failed) break;
        std::printf("%-9s %-18s %11.0f %11.0f %6.2fx %9.2f %9.2f %8.2fx\n", m.label, m.suite, net::bench::median(f.mesh),
                    net::bench::median(f.raw), net::bench::median(f.ratio), net::bench::median(f.mesh_cpu),
                    net::bench::median(f.raw_cpu), net::bench::median(f.cpu_ratio));
        std::printf("        mesh offered %.0f/s, raw offered %.0f/s; A sealed %llu, sent %llu (send_failed %llu); B "
                    "received %llu, decrypted %llu datagrams\n",
                    net::bench::median(f.mesh_sent), net::bench::median(f.raw_sent),
                    static_cast<unsigned long long>(a1.packets_sealed - a0.packets_sealed),
                    static_cast<unsigned long long>(a1.datagrams_sent - a0.datagrams_sent),
                    static_cast<unsigned long long>(a1.send_failed - a0.send_failed),
                    static_cast<unsigned long long>(b1.datagrams_received - b0.datagrams_received),
                    static_cast<unsigned long long>(b1.packets_decrypted - b0.packets_decrypted));
    }
    std::printf(
        "\nratio = mesh events/s / raw datagrams/s, both received (median of per-run ratios; floor >= 0.70x).\n"
        "mesh us / raw us = CPU per datagram: sending thread per datagram sent + rest of the process and the\n"
        "machine's softirq time per datagram received (median);\n"
        "cpu-ratio = raw us / mesh us: the throughput ratio the mesh would reach with the same CPU as raw.\n"
        "offered = what the sender pushed; the excess over received was dropped by a full socket.\n"
        "fire/cap: mesh and raw senders both wait while %llu datagrams are sent and not yet received (a benchmark-only\n"
        "back-channel): the loss-free capacity, without a flat-out sender taking CPU from its receiver.\n",
        static_cast<unsigned long long>(kInFlightCap));
    return failed ? 1 : 0;
}
