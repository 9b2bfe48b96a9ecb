// mesh_status.cpp — the operator's view: the status document, probes for `net-mesh ping`, and
// the admin socket's request handler.
#include <thread>

#include "mesh_impl.hpp"

namespace net::kernel::mesh {

namespace {

std::int64_t ms_since(TimePoint then, TimePoint now)
{
    return std::chrono::duration_cast<Millis>(now - then).count();
}

std::string session_id_text(std::uint64_t id)
{
    char text[19];
    std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(id));
    return text;
}

}  // namespace

nlohmann::json Mesh::Impl::status() const
{
    const TimePoint now = Clock::now();
    nlohmann::json doc;
    net_endpoint_t local{};
    if (transport != nullptr) transport->local_endpoint(transport_object, &local);
    doc["node"] = {{"name", node_name},
                   {"address", format_address(self)},
                   {"fingerprint", identity ? identity->derived().fingerprint : std::string()},
                   {"endpoint", format_endpoint(local)},
                   {"uptime_ms", running ? ms_since(started_at, now) : 0}};
    nlohmann::json peer_list = nlohmann::json::array();
    nlohmann::json route_list = nlohmann::json::array();
    {
        std::lock_guard lock(mutex);
        for (const auto& [address, p] : peers) {
            const auto heard = p->last_heard_ns.load(std::memory_order_relaxed);
            std::string state = "none";
            if (p->current) state = "established";
            else if (p->initiator) state = "handshaking";
            else if (!p->session_ids.empty()) state = "confirming";  // answered, not yet used by the peer
            peer_list.push_back(
                {{"name", p->name},
                 {"address", format_address(address)},
                 {"endpoint", p->endpoint ? format_endpoint(*p->endpoint) : std::string("(relayed)")},
                 {"health", p->detector ? std::string(peer_health_name(p->detector->health())) : std::string("unknown")},
                 {"session", state},
                 {"session_id", p->current ? session_id_text(p->current->session->id()) : std::string()},
                 {"rtt_us", p->rtt_ns.load(std::memory_order_relaxed) / 1000},
                 {"last_heard_ms", heard == 0 ? -1 : (now_ns() - heard) / 1000000},
                 {"packets_sent", p->current ? p->current->session->counters().packets_sealed : 0},
                 {"packets_received", p->packets_received.load(std::memory_order_relaxed)},
                 {"relayed", p->current ? !p->current->direct : !p->endpoint}});
        }
        if (routing) {
            for (const auto& r : routing->snapshot()) {
                route_list.push_back({{"destination", format_address(r.destination)},
                                      {"next_hop", format_address(r.next_hop)},
                                      {"hops", r.hops},
                                      {"source", r.source == RouteSource::direct ? "direct" : "flood"},
                                      {"age_ms", ms_since(r.updated, now)}});
            }
        }
    }
    doc["peers"] = std::move(peer_list);
    doc["routes"] = std::move(route_list);

    nlohmann::json stream_list = nlohmann::json::array();
    std::vector<std::shared_ptr<MeshStream>> all;
    {
        std::lock_guard lock(streams_mutex);
        for (const auto& [key, s] : streams) all.push_back(s);
    }
    for (const auto& s : all) {
        net_stream_stats_t st{};
        st.struct_size = sizeof st;
        {
            std::shared_lock call(s->call_mutex);
            if (s->plugin_stream != nullptr) s->mode->vtable->stream_stats(s->plugin_stream, &st);
        }
        stream_list.push_back({{"peer", format_address(s->peer)},
                               {"stream_id", s->id},
                               {"mode", s->mode->mode},
                               {"opened_here", s->opened_here},
                               {"closed", s->closed.load()},
                               {"events_sent", st.events_sent},
                               {"events_delivered", st.events_delivered},
                               {"retransmits", st.retransmits},
                               {"rtt_us", st.rtt_us},
                               {"cwnd", st.congestion_window},
                               {"credit_bytes", st.credit_bytes},
                               {"backpressure", st.backpressure}});
    }
    doc["streams"] = std::move(stream_list);

    const MeshCounterSnapshot c = counters.snapshot();
    nlohmann::json& out = doc["counters"];
#define NET_MESH_COUNTER_JSON(name) out[#name] = c.name;
    NET_MESH_COUNTERS(NET_MESH_COUNTER_JSON)
#undef NET_MESH_COUNTER_JSON
    return doc;
}

void Mesh::Impl::handle_pong(std::uint64_t id, std::chrono::nanoseconds rtt)
{
    {
        std::lock_guard lock(ping_mutex);
        const auto it = ping_waiters.find(id);
        if (it == ping_waiters.end()) return;
        it->second.reply = PingReply{0, rtt};
    }
    // Notified after unlocking: a waiter woken under the lock would only block on it again.
    ping_cv.notify_all();
}

std::vector<std::optional<PingReply>> Mesh::ping(Address to, unsigned count, Millis interval, Millis timeout)
{
    return impl_->ping(to, count, interval, timeout);
}

std::vector<std::optional<PingReply>> Mesh::Impl::ping(Address to, unsigned count, Millis interval, Millis timeout)
{
    Impl& m = *this;
    std::vector<std::uint64_t> ids;
    for (unsigned i = 0; i < count && m.running; ++i) {
        const std::uint64_t id = m.next_probe_id.fetch_add(1);
        {
            std::lock_guard lock(m.ping_mutex);
            m.ping_waiters[id] = PingWaiter{};
        }
        ids.push_back(id);
        std::array<std::uint8_t, Probe::size> bytes{};
        encode(Probe{Probe::ping, id, static_cast<std::uint64_t>(now_ns())}, bytes.data());
        wire::PacketHeader h{};
        h.subprotocol_id = subprotocol::probe;
        m.send_to_peer(to, h, bytes);
        if (i + 1 < count) std::this_thread::sleep_for(interval);
    }
    std::vector<std::optional<PingReply>> replies;
    std::unique_lock lock(m.ping_mutex);
    const auto deadline = Clock::now() + timeout;
    m.ping_cv.wait_until(lock, deadline, [&] {
        if (!m.running) return true;
        for (auto id : ids) {
            if (!m.ping_waiters[id].reply) return false;
        }
        return true;
    });
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto reply = m.ping_waiters[ids[i]].reply;
        if (reply) reply->sequence = i;
        replies.push_back(reply);
        m.ping_waiters.erase(ids[i]);
    }
    return replies;
}

nlohmann::json Mesh::Impl::handle_admin(const nlohmann::json& request)
{
    const std::string cmd = request.at("cmd").get<std::string>();
    if (cmd == "status") {
        auto doc = status();
        doc["ok"] = true;
        return doc;
    }
    if (cmd == "ping") {
        const auto address = parse_address(request.at("address").get<std::string>());
        if (!address) return {{"ok", false}, {"error", "\"address\" is not a node address (0x + 12 hex digits)"}};
        const unsigned count = request.value("count", 3u);
        const Millis interval(request.value("interval_ms", 200));
        const Millis timeout(request.value("timeout_ms", 1000));
        if (count == 0 || count > 1000) return {{"ok", false}, {"error", "\"count\" must be in 1..1000"}};
        {
            std::lock_guard lock(mutex);
            if (peers.find(*address) == peers.end()) {
                return {{"ok", false}, {"error", "unknown node " + format_address(*address)}};
            }
        }
        nlohmann::json replies = nlohmann::json::array();
        std::size_t lost = 0;
        const auto results = ping(*address, count, interval, timeout);
        for (const auto& r : results) {
            if (!r) {
                ++lost;
                continue;
            }
            std::uint8_t hops = 0;
            {
                std::lock_guard lock(mutex);
                if (const auto route = routing->lookup(*address); route && route->source == RouteSource::flood) {
                    hops = static_cast<std::uint8_t>(route->hops - 1);
                }
            }
            replies.push_back({{"seq", r->sequence},
                               {"rtt_us", std::chrono::duration_cast<std::chrono::microseconds>(r->rtt).count()},
                               {"hops", hops}});
        }
        return {{"ok", true}, {"address", format_address(*address)}, {"replies", replies}, {"sent", count},
                {"lost", lost}};
    }
    if (config.admin_extension) {
        if (auto answer = config.admin_extension(request); !answer.is_null()) return answer;
    }
    return {{"ok", false}, {"error", "unknown command \"" + cmd + "\""}};
}

}  // namespace net::kernel::mesh
