// Test rig for the reliability plugins: loads a real plugin through the kernel's PluginHost and
// connects stream objects with a simulated lossy link.
//
// A Channel carries frames between two Endpoints. Frames are copied on send (the plugin lends
// them only for the call), then dropped, duplicated or reordered by a seeded generator, and handed
// to the other endpoint's stream_receive by that endpoint's worker thread, so the plugin sees the
// same threading as with a transport: send from the application thread, receive from another.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/iface/reliability.h"
#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_host.hpp"

namespace net::test {

// One plugin instance named "rel" on a real kernel loop, and its net.reliability/1 table.
class PluginUnderTest {
public:
    PluginUnderTest(const std::string& library, nlohmann::json config) : host_(services_)
    {
        loop_.start();
        host_.load({net::kernel::InstanceSpec{"rel", library, std::move(config), {}, {}, {}}});
        host_.start_all();
        auto found = host_.resolve_interface("rel", NET_IFACE_RELIABILITY_V1);
        if (!found) throw std::runtime_error("plugin does not provide " NET_IFACE_RELIABILITY_V1);
        iface_ = static_cast<const net_reliability_v1_t*>(found->vtable);
        object_ = found->object;
        keepalive_ = found->keepalive;
    }
    ~PluginUnderTest() { host_.stop_all(); }

    const net_reliability_v1_t& iface() const { return *iface_; }
    void* object() const { return object_; }
    std::int64_t metric(const std::string& name) const
    {
        const net::kernel::Metric* m = metrics_.find("rel." + name);
        return m == nullptr ? -1 : m->value.load();
    }
    std::string log() const { return log_.str(); }

private:
    std::ostringstream log_;
    net::kernel::Logger logger_{log_, NET_LOG_INFO};
    net::kernel::EventLoop loop_{2};
    net::kernel::BufferPool buffers_;
    net::kernel::MetricsRegistry metrics_;
    net::kernel::HostServices services_{loop_, buffers_, metrics_, logger_};
    net::kernel::PluginHost host_;
    const net_reliability_v1_t* iface_ = nullptr;
    void* object_ = nullptr;
    std::shared_ptr<net::kernel::PluginLibrary> keepalive_;
};

struct Faults {
    double loss = 0;
    double duplicate = 0;
    double reorder = 0;
    std::uint32_t seed = 1;
};

struct CopiedFrame {
    net_stream_frame_t header{};
    std::vector<std::uint8_t> payload;
};

class Channel;

// One side of a stream: its link (given to stream_open), its stream object, and its inbox.
class Endpoint {
public:
    using DeliverFn = std::function<void(const net_bytes_t*, std::size_t)>;

    Endpoint(Channel& channel, const PluginUnderTest& plugin, std::uint32_t max_payload) : channel_(channel), plugin_(plugin)
    {
        link_.struct_size = sizeof(link_);
        link_.max_payload = max_payload;
        link_.stream_id = 7;
        link_.ctx = this;
        link_.send = &Endpoint::on_send;
        link_.deliver = &Endpoint::on_deliver;
        link_.closed = &Endpoint::on_closed;
    }
    ~Endpoint() { destroy(); }

    net_status_t open(bool opened_here)
    {
        return plugin_.iface().stream_open(plugin_.object(), &link_, opened_here ? 1 : 0, &stream_);
    }
    void destroy()
    {
        if (stream_ != nullptr) plugin_.iface().stream_destroy(stream_);
        stream_ = nullptr;
    }
    net_status_t send(const std::vector<net_bytes_t>& events)
    {
        return plugin_.iface().stream_send(stream_, events.data(), events.size());
    }
    void receive(const net_stream_frame_t& frame) { plugin_.iface().stream_receive(stream_, &frame); }
    net_stream_stats_t stats() const
    {
        net_stream_stats_t s{};
        s.struct_size = sizeof(s);
        plugin_.iface().stream_stats(stream_, &s);
        return s;
    }

    net_reliability_stream_t* stream() const { return stream_; }
    const net_stream_link_t& link() const { return link_; }
    void on_deliver_call(DeliverFn fn) { deliver_ = std::move(fn); }

    std::atomic<int> closed_count{0};
    std::atomic<int> closed_reason{NET_OK};
    std::string closed_message;  // written before closed_count is raised
    std::atomic<std::uint64_t> frames_sent{0};
    std::atomic<std::uint64_t> data_payload_bytes_sent{0};
    std::vector<CopiedFrame> captured;  // frames sent while capture is on (no channel)
    bool capture_only = false;

private:
    static net_status_t on_send(void* ctx, const net_stream_frame_t* frame);
    static void on_deliver(void* ctx, const net_bytes_t* events, std::size_t count)
    {
        auto* self = static_cast<Endpoint*>(ctx);
        if (self->deliver_) self->deliver_(events, count);
    }
    static void on_closed(void* ctx, net_status_t reason, const char* message)
    {
        auto* self = static_cast<Endpoint*>(ctx);
        self->closed_message = message != nullptr ? message : "";
        self->closed_reason = reason;
        self->closed_count.fetch_add(1);
    }

    Channel& channel_;
    const PluginUnderTest& plugin_;
    net_stream_link_t link_{};
    net_reliability_stream_t* stream_ = nullptr;
    DeliverFn deliver_;
};

// The wire between endpoints a and b, with one worker thread per receiving side.
class Channel {
public:
    explicit Channel(Faults faults) : faults_(faults), random_(faults.seed) {}
    ~Channel() { stop(); }

    void connect(Endpoint& a, Endpoint& b)
    {
        sides_[0].self = &a;
        sides_[1].self = &b;
        for (int i = 0; i < 2; ++i) sides_[i].worker = std::thread([this, i] { run(sides_[i]); });
    }

    // Joins the workers; frames still queued are dropped. Call before destroying the streams.
    void stop()
    {
        for (Side& s : sides_) {
            {
                std::lock_guard lock(mutex_);
                stopping_ = true;
            }
            s.wake.notify_all();
        }
        for (Side& s : sides_) {
            if (s.worker.joinable()) s.worker.join();
        }
    }

    std::atomic<bool> drop_everything{false};
    std::atomic<std::uint64_t> dropped{0};

    void carry(Endpoint* from, const net_stream_frame_t& frame)
    {
        if (drop_everything) {
            dropped.fetch_add(1);
            return;
        }
        CopiedFrame copy;
        copy.header = frame;
        copy.payload.assign(frame.payload.ptr, frame.payload.ptr + frame.payload.len);
        Side& to = sides_[from == sides_[0].self ? 1 : 0];
        {
            std::lock_guard lock(mutex_);
            if (chance(faults_.loss)) {
                dropped.fetch_add(1);
                return;
            }
            const bool twice = chance(faults_.duplicate);
            const bool early = chance(faults_.reorder);
            if (twice) to.inbox.push_back(copy);
            to.inbox.push_back(std::move(copy));
            if (early && to.inbox.size() >= 3) {
                // Let the new frame overtake one or two queued ones.
                const std::size_t back = to.inbox.size() - 1;
                std::swap(to.inbox[back], to.inbox[back - 1 - random_() % 2]);
            }
        }
        to.wake.notify_one();
    }

private:
    struct Side {
        Endpoint* self = nullptr;
        std::deque<CopiedFrame> inbox;
        std::condition_variable wake;
        std::thread worker;
    };

    bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < p; }

    void run(Side& side)
    {
        std::unique_lock lock(mutex_);
        for (;;) {
            side.wake.wait(lock, [&] { return stopping_ || !side.inbox.empty(); });
            if (stopping_) return;
            CopiedFrame f = std::move(side.inbox.front());
            side.inbox.pop_front();
            lock.unlock();
            f.header.payload = net_bytes_t{f.payload.data(), f.payload.size()};
            side.self->receive(f.header);
            lock.lock();
        }
    }

    Faults faults_;
    std::mt19937 random_;
    std::mutex mutex_;
    bool stopping_ = false;
    Side sides_[2];
};

inline net_status_t Endpoint::on_send(void* ctx, const net_stream_frame_t* frame)
{
    auto* self = static_cast<Endpoint*>(ctx);
    self->frames_sent.fetch_add(1);
    if ((frame->flags & NET_FRAME_NACK) == 0) self->data_payload_bytes_sent.fetch_add(frame->payload.len);
    if (self->capture_only) {
        CopiedFrame copy;
        copy.header = *frame;
        copy.payload.assign(frame->payload.ptr, frame->payload.ptr + frame->payload.len);
        self->captured.push_back(std::move(copy));
        return NET_OK;
    }
    self->channel_.carry(self, *frame);
    return NET_OK;
}

// Events that carry their own index (8 bytes, little-endian), and a checker for their order.
class NumberedEvents {
public:
    // Views of `count` events numbered from `first`; valid until the next call.
    const std::vector<net_bytes_t>& make(std::uint64_t first, std::size_t count)
    {
        storage_.resize(count);
        views_.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            storage_[i] = first + i;
            views_[i] = net_bytes_t{reinterpret_cast<const std::uint8_t*>(&storage_[i]), sizeof(std::uint64_t)};
        }
        return views_;
    }

private:
    std::vector<std::uint64_t> storage_;
    std::vector<net_bytes_t> views_;
};

struct OrderChecker {
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> out_of_order{0};

    void operator()(const net_bytes_t* events, std::size_t count)
    {
        for (std::size_t i = 0; i < count; ++i) {
            std::uint64_t n = 0;
            if (events[i].len != sizeof(n)) {
                out_of_order.fetch_add(1);
                continue;
            }
            std::memcpy(&n, events[i].ptr, sizeof(n));
            if (n != next.load(std::memory_order_relaxed)) out_of_order.fetch_add(1);
            next.store(n + 1, std::memory_order_relaxed);
        }
    }
};

}  // namespace net::test

namespace net::test {

// Two connected stream objects of one plugin instance: `a` opened here, `b` opened by the peer.
struct StreamPair {
    StreamPair(const PluginUnderTest& plugin, Faults faults, std::uint32_t max_payload = 1200)
        : channel(faults), a(channel, plugin, max_payload), b(channel, plugin, max_payload)
    {
        if (a.open(true) != NET_OK || b.open(false) != NET_OK) throw std::runtime_error("stream_open failed");
        channel.connect(a, b);
    }
    ~StreamPair()
    {
        channel.stop();
        a.destroy();
        b.destroy();
    }

    Channel channel;
    Endpoint a;
    Endpoint b;
};

}  // namespace net::test
