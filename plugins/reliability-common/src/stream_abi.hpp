// stream_abi.hpp — the net.reliability/1 stream functions every mode implements the same way:
// argument checks, exception guards, opening into the instance's StreamTable (closing the stream
// it evicts), and forwarding send / receive / stats / destroy to the mode's stream class.
// `Stream` provides send(events, count), receive(frame), stats(out), keep_alive(), table(),
// destroy() and finish_close(status, message) (see stream_base.hpp).
#pragma once

#include <memory>
#include <string>

#include "net/host.h"
#include "net/iface/reliability.h"
#include "net/sdk/status.hpp"
#include "stream_table.hpp"

namespace net::reliability {

template <class Stream>
struct StreamAbi {
    static Stream* of(net_reliability_stream_t* s) noexcept { return reinterpret_cast<Stream*>(s); }

    // Creates a stream with make() and registers it in `table`; when that evicts the least
    // recently used stream, counts it in `evictions` and closes it.
    template <class Make>
    static net_status_t open(const net_stream_link_t* link, net_reliability_stream_t** out, StreamTable<Stream>& table,
                             std::size_t max_streams, const net_host_t* host, net_metric_t* evictions,
                             Make&& make) noexcept
    {
        if (out == nullptr || link == nullptr || link->send == nullptr || link->deliver == nullptr ||
            link->closed == nullptr) {
            return NET_E_INVALID_ARGUMENT;
        }
        *out = nullptr;
        std::shared_ptr<Stream> evicted;
        const net_status_t s = net::sdk::guard(nullptr, [&] {
            std::shared_ptr<Stream> stream = make();
            *out = reinterpret_cast<net_reliability_stream_t*>(stream.get());
            evicted = table.insert(std::move(stream));
        });
        if (evicted) {
            host->metric_add(host, evictions, 1);
            evicted->finish_close(NET_E_CLOSED,
                                  "evicted: the instance is at max_streams (" + std::to_string(max_streams) + ")");
        }
        return s;
    }

    static net_status_t send(net_reliability_stream_t* s, const net_bytes_t* events, std::size_t count) noexcept
    {
        if (s == nullptr) return NET_E_INVALID_ARGUMENT;
        return net::sdk::guard(nullptr, [&] { return of(s)->send(events, count); });
    }

    static void receive(net_reliability_stream_t* s, const net_stream_frame_t* frame) noexcept
    {
        if (s == nullptr || frame == nullptr) return;
        net::sdk::guard(nullptr, [&] {
            const auto keep = of(s)->keep_alive();
            of(s)->receive(*frame);
        });
    }

    static net_status_t stats(net_reliability_stream_t* s, net_stream_stats_t* out) noexcept
    {
        if (s == nullptr || out == nullptr) return NET_E_INVALID_ARGUMENT;
        of(s)->stats(*out);
        return NET_OK;
    }

    static void destroy(net_reliability_stream_t* s) noexcept
    {
        if (s == nullptr) return;
        Stream* stream = of(s);
        std::shared_ptr<Stream> owned = stream->table().remove(stream);
        if (owned) owned->destroy();
    }
};

}  // namespace net::reliability
