// bench_stream_loss.cpp — reliable stream goodput A→B between two real nodes on loopback (mode
// "stream", 1 KiB events, one per packet), with 1% injected loss on both nodes' transports
// (transport-udp "fault": {"loss": 0.01}: data and acknowledgements alike) beside the same pair
// without loss, measured in the same run, interleaved. Goodput = event bytes delivered to B's
// receiver in a fixed window while A sends flat out (retrying on back-pressure).
// Ratio = lossy / lossless (floor >= 0.9x). Medians of several runs.
// Usage: bench_stream_loss [--quick] [--verbose]   (--quick: one 0.2 s run each, a smoke run)
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench_common.hpp"
#include "mesh_lab.hpp"

using namespace std::chrono_literals;
using net::kernel::mesh::Mesh;
using net::test::MeshLab;
using net::test::TempDir;

namespace {

constexpr std::size_t kEventBytes = 1024;
constexpr std::size_t kEventsPerCall = 16;  // 16 KiB per call: well inside the 64 KiB credit window

struct EventCounter {
    std::atomic<std::uint64_t> events{0};
    std::atomic<std::uint64_t> out_of_order{0};
    std::uint64_t next = 0;  // receive thread only
    static void on_events(void* ctx, const net_mesh_event_info_t*, const net_bytes_t* events, std::size_t count)
    {
        auto* self = static_cast<EventCounter*>(ctx);
        for (std::size_t i = 0; i < count; ++i) {
            std::uint64_t index = ~std::uint64_t{0};
            if (events[i].len >= 8) std::memcpy(&index, events[i].ptr, 8);
            if (index != self->next) self->out_of_order.fetch_add(1, std::memory_order_relaxed);
            self->next = index + 1;
        }
        self->events.fetch_add(count, std::memory_order_relaxed);
    }
};

struct Run {
    double mb_per_s = 0;
    std::uint64_t retransmits = 0;  // by A's stream in the window
    std::uint64_t backpressure = 0;  // stream_send calls refused for a full window, in the window
};

std::uint64_t stream_stat(const nlohmann::json& status, const char* key)
{
    std::uint64_t total = 0;
    if (status.contains("streams")) {
        for (const auto& s : status["streams"]) {
            if (s.contains(key) && s[key].is_number_unsigned()) total += s[key].get<std::uint64_t>();
        }
    }
    return total;
}

class StreamPair {
public:
    StreamPair(const std::string& prefix, double loss, const nlohmann::json& stream_config) : lab_(dir_)
    {
        a_name_ = prefix + "a";
        b_name_ = prefix + "b";
        auto& a = lab_.add(a_name_);
        auto& b = lab_.add(b_name_);
        a.stream_config = stream_config;
        b.stream_config = stream_config;
        if (loss > 0) {
            a.transport_config["fault"] = {{"seed", 101}, {"loss", loss}};
            b.transport_config["fault"] = {{"seed", 202}, {"loss", loss}};
        }
        lab_.link(a_name_, b_name_);
        a_ = lab_.start(a_name_);
        b_ = lab_.start(b_name_);
        if (b_->mesh()->add_receiver(&EventCounter::on_events, &counter_, receiver_id_) != NET_OK) {
            throw std::runtime_error("add_receiver failed");
        }
        if (!net::test::eventually([&] { return a_->mesh()->has_session(lab_.address(b_name_)); }, 15s)) {
            throw std::runtime_error("no session between " + a_name_ + " and " + b_name_);
        }
        if (a_->mesh()->open_stream(lab_.address(b_name_), "stream", stream_) != NET_OK) {
            throw std::runtime_error("open_stream failed");
        }
    }
    ~StreamPair()
    {
        a_->mesh()->stream_close(stream_);
        b_->mesh()->remove_receiver(receiver_id_);
    }
    StreamPair(const StreamPair&) = delete;
    StreamPair& operator=(const StreamPair&) = delete;

    Run run(std::chrono::milliseconds warmup, std::chrono::milliseconds window, bool& failed)
    {
        Mesh& mesh = *a_->mesh();
        std::atomic<bool> stop{false};
        std::thread sender([&] {
            std::vector<std::uint8_t> storage(kEventsPerCall * kEventBytes, 0xAB);
            std::vector<net_bytes_t> views(kEventsPerCall);
            while (!stop.load(std::memory_order_relaxed)) {
                for (std::size_t k = 0; k < kEventsPerCall; ++k) {
                    std::uint8_t* p = storage.data() + k * kEventBytes;
                    const std::uint64_t i = next_index_ + k;
                    std::memcpy(p, &i, sizeof i);
                    views[k] = net_bytes_t{p, kEventBytes};
                }
                const net_status_t s = mesh.stream_send(stream_, views);
                if (s == NET_OK) {
                    next_index_ += kEventsPerCall;
                } else if (s == NET_E_WOULD_BLOCK) {
                    std::this_thread::yield();  // back-pressure: retry
                } else {
                    std::fprintf(stderr, "bench_stream_loss: stream_send: %s\n", net_status_name(s));
                    failed = true;
                    return;
                }
            }
        });
        std::this_thread::sleep_for(warmup);
        const auto status0 = a_->mesh()->status();
        const std::uint64_t e0 = counter_.events.load();
        const auto t0 = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(window);
        const std::uint64_t e1 = counter_.events.load();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const auto status1 = a_->mesh()->status();
        stop = true;
        sender.join();
        // Let the stream drain before the next measurement (it keeps its state between runs).
        std::uint64_t last = counter_.events.load();
        for (int i = 0; i < 200 && last < next_index_; ++i) {
            std::this_thread::sleep_for(10ms);
            last = counter_.events.load();
        }
        Run r;
        r.mb_per_s = static_cast<double>(e1 - e0) * static_cast<double>(kEventBytes) / secs / 1e6;
        r.retransmits = stream_stat(status1, "retransmits") - stream_stat(status0, "retransmits");
        r.backpressure = stream_stat(status1, "backpressure") - stream_stat(status0, "backpressure");
        return r;
    }

    std::uint64_t delivered() const { return counter_.events.load(); }
    std::uint64_t out_of_order() const { return counter_.out_of_order.load(); }
    nlohmann::json stream_status() const { return a_->mesh()->status()["streams"]; }

private:
    TempDir dir_;
    MeshLab lab_;
    std::string a_name_, b_name_;
    std::unique_ptr<net::kernel::Node> a_;
    std::unique_ptr<net::kernel::Node> b_;
    EventCounter counter_;
    std::uint64_t receiver_id_ = 0;
    net_mesh_stream_t* stream_ = nullptr;
    std::uint64_t next_index_ = 0;
};


struct Config {
    const char* name;
    nlohmann::json stream_config;
};

struct Row {
    std::vector<double> clean_mb, lossy_mb, ratio;
    std::uint64_t retransmits = 0;
    std::uint64_t out_of_order = 0;
};

Row measure(const Config& config, int runs, std::chrono::milliseconds warmup, std::chrono::milliseconds window,
            bool verbose, bool& failed)
{
    StreamPair clean(std::string(config.name) + "-clean-", 0, config.stream_config);
    StreamPair lossy(std::string(config.name) + "-lossy-", 0.01, config.stream_config);
    Row row;
    for (int r = 0; r < runs && !failed; ++r) {  // interleaved, so drift hits both alike
        const Run c = clean.run(warmup, window, failed);
        const Run l = lossy.run(warmup, window, failed);
        row.clean_mb.push_back(c.mb_per_s);
        row.lossy_mb.push_back(l.mb_per_s);
        row.ratio.push_back(c.mb_per_s > 0 ? l.mb_per_s / c.mb_per_s : 0);
        row.retransmits += l.retransmits;
        if (verbose) {
            std::printf("  %s run %d: lossless %.1f MB/s (retransmits %llu, refused sends %llu), 1%% loss %.1f MB/s "
                        "(retransmits %llu, refused sends %llu)\n",
                        config.name, r, c.mb_per_s, static_cast<unsigned long long>(c.retransmits),
                        static_cast<unsigned long long>(c.backpressure), l.mb_per_s,
                        static_cast<unsigned long long>(l.retransmits), static_cast<unsigned long long>(l.backpressure));
        }
    }
    row.out_of_order = clean.out_of_order() + lossy.out_of_order();
    if (verbose) std::printf("  %s lossy stream status: %s\n", config.name, lossy.stream_status().dump().c_str());
    return row;
}

}  // namespace

int main(int argc, char** argv)
{
    const bool quick = net::bench::quick_mode(argc, argv);
    bool verbose = false;
    for (int i = 1; i < argc; ++i) verbose = verbose || std::strcmp(argv[i], "--verbose") == 0;
    const int runs = quick ? 1 : 5;
    const auto warmup = quick ? 100ms : 300ms;
    const auto window = quick ? 200ms : 1000ms;

    // The first configuration is the figure (the plugin's defaults); the others are information:
    // the same measurement with the repair timers or the credit window changed, to show what the
    // loss figure depends on.
    std::vector<Config> configs{{"defaults", nlohmann::json::object()}};
    if (!quick) {
        configs.push_back({"rto_min_ms=1", {{"rto_min_ms", 1}}});
        configs.push_back({"credit=1MiB", {{"credit_window_bytes", 1 << 20}}});
    }
    std::vector<Row> rows;
    bool failed = false;
    for (const Config& c : configs) {
        rows.push_back(measure(c, runs, warmup, window, verbose, failed));
        if (failed) return 1;
    }
    std::printf("Reliable stream goodput A->B on loopback, %zu-byte events (one per packet), %zu per call, sender "
                "retrying on back-pressure; 1%% loss injected on both nodes' transports (data and acks);\nmedian of "
                "%d runs of %.1f s after %.1f s warm-up, lossless and lossy interleaved\n",
                kEventBytes, kEventsPerCall, runs, std::chrono::duration<double>(window).count(),
                std::chrono::duration<double>(warmup).count());
    std::printf("%-14s %14s %14s %8s %12s %8s\n", "stream config", "lossless MB/s", "1% loss MB/s", "ratio",
                "retransmits", "misorder");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        std::printf("%-14s %14.1f %14.1f %7.2fx %12llu %8llu%s\n", configs[i].name, net::bench::median(r.clean_mb),
                    net::bench::median(r.lossy_mb), net::bench::median(r.ratio),
                    static_cast<unsigned long long>(r.retransmits), static_cast<unsigned long long>(r.out_of_order),
                    i == 0 ? "   <- the figure (floor >= 0.9x)" : "   (information)");
    }
    std::printf("\nratio = lossy / lossless goodput, median of per-run ratios. retransmits: by the lossy stream in the "
                "measured windows. misorder: events delivered out of order or twice (must be 0).\n");
    return 0;
}
