// bench_redex_append.cpp — RedEX appends of 1 KiB entries through the real plugin (C ABI), in
// memory and on disk with fsync every 1000 entries, one entry per append, in groups of 16 per
// append_batch (the batching redis-benchmark -P 16 gets), and one per append into a 64 KiB write
// buffer, beside references measured in the same run:
// redis-benchmark pipelining XADD of 1 KiB values into a redis-server started here when both are
// on PATH, and always a raw write() + fdatasync-every-1000 loop over one file.
// Usage: bench_redex_append [--quick] [--only memory|disk|memory-batch|disk-batch|disk-buffered]
//   --quick: a few thousand entries, a smoke run for ctest; --only: one side alone, for profiling
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "net/iface/redex.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"

namespace nk = net::kernel;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kEntryBytes = 1024;
constexpr int kRepetitions = 3;

class TempFolder {
public:
    TempFolder()
    {
        std::string pattern = (fs::temp_directory_path() / "net-bench-redex-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempFolder()
    {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// One redex plugin instance on a real kernel host.
class Redex {
public:
    explicit Redex(nlohmann::json config) : host_(services_)
    {
        loop_.start();
        host_.load({nk::InstanceSpec{"redex", fs::path(NET_TEST_PLUGIN_DIR) / "libnet-redex.so", std::move(config), {}, {}, {}}});
        host_.start_all();
        auto found = host_.resolve_interface("redex", NET_IFACE_REDEX_V1);
        if (!found) throw std::runtime_error("libnet-redex.so does not provide " NET_IFACE_REDEX_V1);
        api_ = static_cast<const net_redex_v1_t*>(found->vtable);
        object_ = found->object;
        keepalive_ = found->keepalive;
    }
    ~Redex() { host_.stop_all(); }

    // Entries per second appending `count` entries to a fresh channel.
    double append_rate(const std::string& channel, std::size_t count)
    {
        net_redex_log_t* log = nullptr;
        if (api_->open_log(object_, channel.c_str(), &log) != NET_OK) throw std::runtime_error("open_log failed");
        std::vector<std::uint8_t> payload(kEntryBytes, 0x42);
        const double s = net::bench::seconds([&] {
            for (std::size_t i = 0; i < count; ++i) {
                payload[i % kEntryBytes] = static_cast<std::uint8_t>(i);
                if (api_->append(log, net_bytes_t{payload.data(), payload.size()}, NET_REDEX_TIMESTAMP_NOW, nullptr) != NET_OK) {
                    throw std::runtime_error("append failed");
                }
            }
        });
        api_->close_log(log);
        return static_cast<double>(count) / s;
    }

    // Entries per second appending `count` entries in groups of `group` through append_batch:
    // the same batching as redis-benchmark's pipeline of `group` commands.
    double append_batch_rate(const std::string& channel, std::size_t count, std::size_t group)
    {
        if (!NET_REDEX_HAS(api_, append_batch)) throw std::runtime_error("libnet-redex.so has no append_batch");
        net_redex_log_t* log = nullptr;
        if (api_->open_log(object_, channel.c_str(), &log) != NET_OK) throw std::runtime_error("open_log failed");
        std::vector<std::vector<std::uint8_t>> payloads(group, std::vector<std::uint8_t>(kEntryBytes, 0x42));
        std::vector<net_bytes_t> views(group);
        for (std::size_t k = 0; k < group; ++k) views[k] = net_bytes_t{payloads[k].data(), payloads[k].size()};
        const double s = net::bench::seconds([&] {
            for (std::size_t i = 0; i < count; i += group) {
                for (std::size_t k = 0; k < group; ++k) payloads[k][(i + k) % kEntryBytes] = static_cast<std::uint8_t>(i + k);
                if (api_->append_batch(log, views.data(), nullptr, group, nullptr) != NET_OK) {
                    throw std::runtime_error("append_batch failed");
                }
            }
        });
        api_->close_log(log);
        return static_cast<double>(count / group * group) / s;
    }

private:
    std::ostringstream log_;
    nk::Logger logger_{log_, NET_LOG_WARN};
    nk::EventLoop loop_{1};
    nk::BufferPool buffers_;
    nk::MetricsRegistry metrics_;
    nk::HostServices services_{loop_, buffers_, metrics_, logger_};
    nk::PluginHost host_;
    const net_redex_v1_t* api_ = nullptr;
    void* object_ = nullptr;
    std::shared_ptr<nk::PluginLibrary> keepalive_;
};

// The raw syscall reference: write() 1 KiB records to one file, fdatasync every 1000.
double raw_write_rate(const fs::path& file, std::size_t count)
{
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("open failed");
    std::vector<std::uint8_t> payload(kEntryBytes, 0x42);
    const double s = net::bench::seconds([&] {
        for (std::size_t i = 0; i < count; ++i) {
            payload[i % kEntryBytes] = static_cast<std::uint8_t>(i);
            if (::write(fd, payload.data(), payload.size()) != static_cast<ssize_t>(payload.size())) std::abort();
            if ((i + 1) % 1000 == 0) ::fdatasync(fd);
        }
        ::fdatasync(fd);
    });
    ::close(fd);
    return static_cast<double>(count) / s;
}

// The ceiling for RedEX's file layout and sync policy on this machine: the same bytes per entry
// into three files (1 KiB data, 8 B timestamp, 20 B index), gathered into 64 KiB writes, and per
// 1000 entries an fdatasync of each file (data and timestamps before the index, as RedEX orders
// them). No per-entry system call: what any design that keeps the layout could reach at best.
double layout_ceiling_rate(const fs::path& dir, std::size_t count)
{
    constexpr std::size_t kChunk = 64 << 10;
    const char* names[] = {"ceiling.dat", "ceiling.ts", "ceiling.idx"};
    const std::size_t sizes[] = {kEntryBytes, 8, 20};
    int fds[3];
    std::vector<std::uint8_t> buffers[3];
    for (int f = 0; f < 3; ++f) {
        fds[f] = ::open((dir / names[f]).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fds[f] < 0) throw std::runtime_error("open failed");
        buffers[f].reserve(kChunk + kEntryBytes);
    }
    std::vector<std::uint8_t> payload(kEntryBytes, 0x42);
    auto flush = [&](int f) {
        if (!buffers[f].empty() && ::write(fds[f], buffers[f].data(), buffers[f].size()) != static_cast<ssize_t>(buffers[f].size())) {
            std::abort();
        }
        buffers[f].clear();
    };
    const double s = net::bench::seconds([&] {
        for (std::size_t i = 0; i < count; ++i) {
            payload[i % kEntryBytes] = static_cast<std::uint8_t>(i);
            for (int f = 0; f < 3; ++f) {
                buffers[f].insert(buffers[f].end(), payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(sizes[f]));
                if (buffers[f].size() >= kChunk) flush(f);
            }
            if ((i + 1) % 1000 == 0 || i + 1 == count) {
                for (int f = 0; f < 3; ++f) flush(f);
                for (int f = 0; f < 3; ++f) ::fdatasync(fds[f]);
            }
        }
    });
    for (int fd : fds) ::close(fd);
    return static_cast<double>(count) / s;
}

bool on_path(const char* program)
{
    const std::string command = std::string("command -v ") + program + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

int free_loopback_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

// redis-benchmark's "requests per second" for pipelined XADD of 1 KiB values; 0 on failure.
double redis_xadd_rate(const fs::path& dir, std::size_t count)
{
    const int port = free_loopback_port();
    const pid_t server = fork();
    if (server == 0) {
        const std::string p = std::to_string(port);
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
        execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--dir", dir.c_str(),
               "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", static_cast<char*>(nullptr));
        _exit(127);
    }
    const std::string ping = "redis-cli -p " + std::to_string(port) + " ping >/dev/null 2>&1";
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {
        up = std::system(ping.c_str()) == 0;
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    double rate = 0;
    if (up) {
        const std::string value(kEntryBytes, 'v');
        const std::string command = "redis-benchmark -p " + std::to_string(port) + " -P 16 -n " + std::to_string(count) +
                                    " -q XADD bench '*' f " + value + " 2>/dev/null";
        if (FILE* out = ::popen(command.c_str(), "r")) {
            std::array<char, 4096> line{};
            while (std::fgets(line.data(), line.size(), out) != nullptr) {
                // "XADD bench * f vvvv...: 123456.79 requests per second, p50=..."; the last
                // carriage-return-separated chunk holds the final figure.
                std::string text(line.data());
                const std::size_t at = text.rfind(": ");
                if (at != std::string::npos) rate = std::strtod(text.c_str() + at + 2, nullptr);
            }
            ::pclose(out);
        }
    }
    ::kill(server, SIGTERM);
    ::waitpid(server, nullptr, 0);
    return rate;
}

// Disk logs with fsync every 1000 whose appends collect in a 64 KiB write buffer.
nlohmann::json buffered_config(const fs::path& dir)
{
    return {{"directory", (dir / "redex-buffered").string()}, {"fsync", "every"}, {"fsync_every", 1000},
            {"segment_bytes", 64 << 20}, {"write_buffer_bytes", 64 << 10}};
}

const char* only_mode(int argc, char** argv)
{
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--only") == 0) return argv[i + 1];
    }
    return nullptr;
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    const std::size_t count = quick ? 2000 : 200000;
    const int repetitions = quick ? 1 : kRepetitions;
    TempFolder dir;

    constexpr std::size_t kGroup = 16;  // redis-benchmark -P 16
    std::vector<double> memory, disk, raw, ceiling, memory_batch, disk_batch, disk_buffered;
    if (const char* only = only_mode(argc, argv)) {  // diagnostics for profiling one side
        Redex mem(nlohmann::json{{"segment_bytes", 16 << 20}, {"retention", {{"max_bytes", 256 << 20}}}});
        Redex durable(nlohmann::json{{"directory", (dir.path() / "redex").string()}, {"fsync", "every"},
                                     {"fsync_every", 1000}, {"segment_bytes", 64 << 20}});
        const std::string mode = only;
        double rate = 0;
        if (mode == "memory") rate = mem.append_rate("only", count);
        else if (mode == "disk") rate = durable.append_rate("only", count);
        else if (mode == "memory-batch") rate = mem.append_batch_rate("only", count, kGroup);
        else if (mode == "disk-batch") rate = durable.append_batch_rate("only", count, kGroup);
        else if (mode == "disk-buffered") rate = Redex(buffered_config(dir.path())).append_rate("only", count);
        else throw std::runtime_error("--only: memory, disk, memory-batch, disk-batch or disk-buffered");
        std::printf("%s: %.0f entries/s\n", only, rate);
        return 0;
    }
    {
        Redex mem(nlohmann::json{{"segment_bytes", 16 << 20}, {"retention", {{"max_bytes", 256 << 20}}}});
        Redex durable(nlohmann::json{{"directory", (dir.path() / "redex").string()}, {"fsync", "every"},
                                     {"fsync_every", 1000}, {"segment_bytes", 64 << 20}});
        Redex buffered(buffered_config(dir.path()));
        for (int r = 0; r < repetitions; ++r) {
            const std::string channel = "bench-" + std::to_string(r);
            // Each disk measurement's files are removed after it, so that their page cache does
            // not crowd the next measurement's memory (memory runs would otherwise get pages the
            // VM has never backed, and pay for that).
            const fs::path channel_dir = dir.path() / "redex";
            memory.push_back(mem.append_rate(channel, count));
            disk.push_back(durable.append_rate(channel, count));
            fs::remove_all(channel_dir / channel);
            memory_batch.push_back(mem.append_batch_rate(channel + "-batch", count, kGroup));
            disk_batch.push_back(durable.append_batch_rate(channel + "-batch", count, kGroup));
            fs::remove_all(channel_dir / (channel + "-batch"));
            disk_buffered.push_back(buffered.append_rate(channel, count));
            fs::remove_all(dir.path() / "redex-buffered" / channel);
            raw.push_back(raw_write_rate(dir.path() / "raw", count));
            ceiling.push_back(layout_ceiling_rate(dir.path(), count));
            for (const char* name : {"raw", "ceiling.dat", "ceiling.ts", "ceiling.idx"}) fs::remove(dir.path() / name);
        }
    }
    std::printf("RedEX append, %zu-byte entries, %zu per run, median of %d runs\n", kEntryBytes, count, repetitions);
    std::printf("  redex memory, append               %12.0f entries/s\n", net::bench::median(memory));
    std::printf("  redex disk (fsync every 1000), append %9.0f entries/s\n", net::bench::median(disk));
    std::printf("  redex memory, append_batch of %zu   %12.0f entries/s\n", kGroup, net::bench::median(memory_batch));
    std::printf("  redex disk, append_batch of %zu     %12.0f entries/s\n", kGroup, net::bench::median(disk_batch));
    std::printf("  redex disk, append, 64 KiB write buffer %7.0f entries/s\n", net::bench::median(disk_buffered));
    std::printf("  reference: raw write()+fdatasync/1000 %9.0f entries/s   (redex disk append / raw = %.2f)\n",
                net::bench::median(raw), net::bench::median(disk) / net::bench::median(raw));
    std::printf("  reference: layout ceiling             %9.0f entries/s   (3 files, 64 KiB writes, 3 fdatasync per 1000;\n"
                "             redex disk append / ceiling = %.2f, append_batch / ceiling = %.2f, buffered / ceiling = %.2f)\n",
                net::bench::median(ceiling), net::bench::median(disk) / net::bench::median(ceiling),
                net::bench::median(disk_batch) / net::bench::median(ceiling),
                net::bench::median(disk_buffered) / net::bench::median(ceiling));
    if (on_path("redis-server") && on_path("redis-benchmark") && on_path("redis-cli")) {
        const double redis = redis_xadd_rate(dir.path(), count);
        if (redis > 0) {
            std::printf("  reference: redis XADD -P 16 (no persistence) %6.0f entries/s\n", redis);
            std::printf("  ratios to redis: append memory %.2f, disk %.2f, disk buffered %.2f; append_batch of %zu "
                        "(as -P 16) memory %.2f, disk %.2f\n",
                        net::bench::median(memory) / redis, net::bench::median(disk) / redis,
                        net::bench::median(disk_buffered) / redis, kGroup, net::bench::median(memory_batch) / redis,
                        net::bench::median(disk_batch) / redis);
        } else {
            std::printf("  reference: redis-server found but redis-benchmark gave no figure\n");
        }
    } else {
        std::printf("  reference: redis not available (redis-server/redis-benchmark not on PATH)\n");
    }
    return 0;
}
