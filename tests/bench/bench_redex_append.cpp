// bench_redex_append.cpp — RedEX appends of 1 KiB entries through the real plugin (C ABI), in
// memory and on disk with fsync every 1000 entries, beside a reference measured in the same run:
// redis-benchmark pipelining XADD of 1 KiB values into a redis-server started here when both are
// on PATH, and always a raw write() + fdatasync-every-1000 loop over one file.
// Usage: bench_redex_append [--quick]   (--quick: a few thousand entries, a smoke run for ctest)
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
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

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    const std::size_t count = quick ? 2000 : 200000;
    const int repetitions = quick ? 1 : kRepetitions;
    TempFolder dir;

    std::vector<double> memory, disk, raw;
    {
        Redex mem(nlohmann::json{{"segment_bytes", 16 << 20}, {"retention", {{"max_bytes", 256 << 20}}}});
        Redex durable(nlohmann::json{{"directory", (dir.path() / "redex").string()}, {"fsync", "every"},
                                     {"fsync_every", 1000}, {"segment_bytes", 64 << 20}});
        for (int r = 0; r < repetitions; ++r) {
            const std::string channel = "bench-" + std::to_string(r);
            memory.push_back(mem.append_rate(channel, count));
            disk.push_back(durable.append_rate(channel, count));
            raw.push_back(raw_write_rate(dir.path() / ("raw-" + std::to_string(r)), count));
        }
    }
    std::printf("RedEX append, %zu-byte entries, %zu per run, median of %d runs\n", kEntryBytes, count, repetitions);
    std::printf("  redex memory                       %12.0f entries/s\n", net::bench::median(memory));
    std::printf("  redex disk (fsync every 1000)      %12.0f entries/s\n", net::bench::median(disk));
    std::printf("  reference: raw write()+fdatasync/1000 %9.0f entries/s   (redex disk / raw = %.2f)\n",
                net::bench::median(raw), net::bench::median(disk) / net::bench::median(raw));
    if (on_path("redis-server") && on_path("redis-benchmark") && on_path("redis-cli")) {
        const double redis = redis_xadd_rate(dir.path(), count);
        if (redis > 0) {
            std::printf("  reference: redis XADD -P 16 (no persistence) %6.0f entries/s   (redex memory / redis = %.2f, "
                        "redex disk / redis = %.2f)\n",
                        redis, net::bench::median(memory) / redis, net::bench::median(disk) / redis);
        } else {
            std::printf("  reference: redis-server found but redis-benchmark gave no figure\n");
        }
    } else {
        std::printf("  reference: redis not available (redis-server/redis-benchmark not on PATH)\n");
    }
    return 0;
}
