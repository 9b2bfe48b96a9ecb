// The JSON Schema of the instance config, published in the plugin descriptor. The host validates
// a manifest's config against it before create; parse_config checks the same rules again.
#pragma once

namespace net::udp {

inline constexpr const char* kConfigSchema = R"({
    "type": "object",
    "additionalProperties": false,
    "properties": {
        "bind": {"type": "string", "minLength": 1, "maxLength": 128,
                 "description": "local endpoint \"host:port\" (\"127.0.0.1:0\", \"[::1]:0\"); port 0 picks a free port"},
        "socket_buffer_bytes": {"type": "integer", "minimum": 4096, "maximum": 1073741824,
                 "description": "SO_RCVBUF and SO_SNDBUF to request"},
        "gso": {"type": "boolean", "description": "send same-size runs with UDP_SEGMENT when the kernel supports it"},
        "gro": {"type": "boolean", "description": "receive coalesced datagrams with UDP_GRO when the kernel supports it"},
        "batch": {"type": "integer", "minimum": 1, "maximum": 1024, "description": "datagrams per recvmmsg"},
        "busy_poll_us": {"type": "integer", "minimum": 0, "maximum": 10000,
                 "description": "after a datagram arrives, the receive thread polls the socket without sleeping for this long before it blocks; 0 = never"},
        "fault": {
            "type": "object",
            "additionalProperties": false,
            "description": "seeded fault injection applied to outgoing datagrams",
            "properties": {
                "seed": {"type": "integer", "minimum": 0},
                "loss": {"type": "number", "minimum": 0, "maximum": 1},
                "duplicate": {"type": "number", "minimum": 0, "maximum": 1},
                "reorder": {"type": "number", "minimum": 0, "maximum": 1},
                "delay_ms": {"type": "integer", "minimum": 0, "maximum": 60000},
                "delay_jitter_ms": {"type": "integer", "minimum": 0, "maximum": 60000}
            }
        }
    }
})";

}  // namespace net::udp
