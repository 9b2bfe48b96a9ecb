// net/kernel/admin/status_format.hpp — the admin commands' answers, and their text rendering for
// `net-mesh status` and `net-mesh ping`.
//
// {"cmd":"status"} → a snapshot of the node (durations in the unit their name ends with):
//   {"ok":true,
//    "node":{"name":"a","address":"0x1a2b3c4d5e6f","fingerprint":"a1b2-...","endpoint":"127.0.0.1:7001",
//            "uptime_ms":1234},
//    "peers":[{"name":"b","address":"0x...","endpoint":"127.0.0.1:7002",
//              "health":"healthy|suspected|failed|unknown","session":"established|handshaking|none",
//              "session_id":"0x...","rtt_us":120,"last_heard_ms":300,"packets_sent":10,
//              "packets_received":9,"relayed":false}],
//    "routes":[{"destination":"0x...","next_hop":"0x...","hops":1,"source":"direct|flood","age_ms":100}],
//    "streams":[{"peer":"0x...","stream_id":1,"mode":"stream","events_sent":5,"events_delivered":5,
//                "retransmits":0,"rtt_us":100,"cwnd":16,"credit_bytes":65536,"backpressure":0}],
//    "counters":{"packets_forwarded":0,"packets_decrypted":12,"rejected_auth":0, ...any name: number}}
//
// {"cmd":"ping","address":"0x1a2b3c4d5e6f","count":3,"interval_ms":200,"timeout_ms":1000} → sends
// `count` probes `interval_ms` apart and answers once every probe was answered or timed out:
//   {"ok":true,"address":"0x1a2b3c4d5e6f","replies":[{"seq":0,"rtt_us":150,"hops":0}, ...],
//    "sent":3,"lost":0}
// Probes are numbered seq = 0 .. count-1; one with no entry in "replies" (or an entry without
// "rtt_us") was lost.
//
// The renderers accept partial answers: a missing section is shown as empty, a missing field
// as "-", unknown fields are ignored.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace net::kernel::admin {

// A header line for the node, then aligned tables of peers, routes, streams and counters.
std::string format_status(const nlohmann::json& status);

struct PingReport {
    std::string text;  // one line per probe in seq order, then the summary
    std::size_t sent = 0;
    std::size_t received = 0;
};

// Lines like "reply from 0x1a2b3c4d5e6f: seq=0 hops=1 time=0.153 ms" and "no reply from ...:
// seq=1", then "--- <address>: 3 sent, 2 received, 33% lost" and, when anything came back,
// "rtt min/avg/p50/max = 0.120/0.150/0.140/0.190 ms". `timeout_ms` (if > 0) is quoted on lost lines.
PingReport format_ping(const nlohmann::json& answer, long long timeout_ms = 0);

}  // namespace net::kernel::admin
