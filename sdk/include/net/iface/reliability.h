/*
 * net/iface/reliability.h — interface "net.reliability/1": one delivery mode for event streams.
 *
 * Provided by reliability plugins (plugins/reliability-fire: mode "fire"; plugins/reliability-stream:
 * mode "stream"). The kernel's mesh core is the user: for every stream between two nodes it opens
 * one stream object in the instance whose mode the application asked for (or, for a stream the
 * peer opened, whose data_flags match the arriving packet), and wires it to the session through a
 * net_stream_link_t.
 *
 * A stream object is bidirectional. Its send half packs events (framed [u32 len][bytes], wire.md)
 * into packets of at most link->max_payload plaintext bytes and hands them to link->send; its
 * receive half gets every decrypted packet of the stream through stream_receive and gives events to
 * link->deliver. Packets with the NACK flag carry the mode's control messages (acknowledgements,
 * selective NACKs, credit grants); their payload layout belongs to the mode and is documented in
 * its README and docs/reliability.md. The kernel fills everything else in the packet header
 * (session, stream id, nonce, subprotocol) and seals the payload.
 *
 * Threads: stream_send comes from any application thread, stream_receive from the transport's
 * receive thread, the plugin's own timers run on loop threads. The plugin serialises access to a
 * stream itself. It may call link->send while holding its stream lock (link->send never calls back
 * into the plugin), but must NOT hold it while calling link->deliver or link->closed (the
 * application may call stream_send from inside deliver).
 */
#ifndef NET_IFACE_RELIABILITY_H
#define NET_IFACE_RELIABILITY_H

#include <stddef.h>
#include <stdint.h>

#include "net/buffer.h"
#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_IFACE_RELIABILITY_V1 "net.reliability/1"

/* Packet header flag bits a mode may set in net_stream_frame_t.flags (wire.md, "flags"). */
#define NET_FRAME_RELIABLE 0x01 /* a data packet of a mode that retransmits */
#define NET_FRAME_NACK 0x02     /* a control packet: acks, NACKs, grants */
#define NET_FRAME_PRIORITY 0x04
#define NET_FRAME_FIN 0x08      /* the sender will send no more data on this stream */

/* One packet of a stream, as the mode sees it: the header fields it owns and the plaintext. */
typedef struct net_stream_frame {
    uint64_t sequence;    /* the mode's sequence number (data) or whatever its control needs */
    uint8_t flags;        /* NET_FRAME_* bits */
    uint8_t reserved;     /* zero */
    uint16_t event_count; /* number of [u32 len][bytes] events in payload (0 for control) */
    uint32_t reserved2;   /* zero */
    net_bytes_t payload;  /* borrowed for the call */
} net_stream_frame_t;

/* Counters of one stream, cumulative since it opened. */
typedef struct net_stream_stats {
    uint32_t struct_size;
    uint32_t reserved;
    uint64_t events_sent;       /* accepted by stream_send */
    uint64_t events_delivered;  /* given to link->deliver */
    uint64_t packets_sent;      /* first transmissions */
    uint64_t packets_received;  /* data packets accepted (duplicates excluded) */
    uint64_t retransmits;
    uint64_t duplicates;        /* data packets received again and discarded */
    uint64_t nacks_sent;
    uint64_t nacks_received;
    uint64_t backpressure;      /* stream_send calls refused with NET_E_WOULD_BLOCK */
    uint64_t bytes_in_flight;   /* sent, not yet acknowledged */
    uint32_t congestion_window; /* packets; 0 for modes without one */
    uint32_t rtt_us;            /* smoothed RTT; 0 when unknown */
    uint32_t rto_us;            /* current retransmission timeout; 0 for modes without one */
    uint32_t credit_bytes;      /* bytes the peer still allows us to send; 0 when unlimited */
} net_stream_stats_t;

/* What the kernel gives a stream: how to send its packets and where its events go. Owned by the
 * kernel; valid until stream_destroy returns for the stream. */
typedef struct net_stream_link {
    uint32_t struct_size;
    uint32_t max_payload; /* largest plaintext per packet, bytes */
    uint64_t peer_address; /* the remote node's 48-bit address (for logs) */
    uint32_t stream_id;
    uint32_t reserved;
    void *ctx;             /* first argument of every callback below */

    /* Seals and sends one packet of this stream. The frame and its payload are borrowed for the
     * call (the kernel copies the payload while sealing, so a retransmission passes the same bytes
     * again). NET_OK when handed to the transport, NET_E_WOULD_BLOCK when the socket is full,
     * NET_E_CLOSED when the session is gone (the stream will get `closed`). [any-thread]; never
     * calls back into the plugin. */
    net_status_t (*send)(void *ctx, const net_stream_frame_t *frame);

    /* Delivers `count` events in stream order to the application. The array and the bytes are
     * borrowed for the call. Call it without holding the stream's lock. [any-thread] */
    void (*deliver)(void *ctx, const net_bytes_t *events, size_t count);

    /* The stream ended on its own: retries exhausted (NET_E_TIMEOUT), idle timeout
     * (NET_E_TIMEOUT), evicted to respect the stream limit (NET_E_CLOSED), or the peer reset it
     * (NET_E_CLOSED). `message` is borrowed for the call. Called at most once; afterwards the
     * kernel calls stream_destroy (never from inside this callback). Call it without holding the
     * stream's lock. [any-thread] */
    void (*closed)(void *ctx, net_status_t reason, const char *message);
} net_stream_link_t;

typedef struct net_reliability_stream net_reliability_stream_t; /* opaque, owned by the plugin */

typedef struct net_reliability_v1 {
    /* sizeof(net_reliability_v1_t) as the provider compiled it. */
    uint32_t struct_size;

    /* NET_FRAME_RELIABLE for modes that retransmit, 0 otherwise: the kernel picks the mode of a
     * stream opened by the peer from the first packet's reliable bit. */
    uint32_t data_flags;

    /* The mode's name as applications ask for it ("fire", "stream"). Owned by the plugin; valid
     * while the interface ref is held. [any-thread] */
    const char *(*mode)(void *self);

    /* Opens a stream object wired to `link` (borrowed until stream_destroy returns). `opened_here`
     * is non-zero on the node that opened the stream, zero when the peer opened it. On success
     * *out is the plugin's object. NET_E_NO_MEMORY on exhaustion. When the instance is at its
     * stream limit it evicts its least recently used stream first (that stream gets `closed`).
     * [any-thread] */
    net_status_t (*stream_open)(void *self, const net_stream_link_t *link, int opened_here,
                                net_reliability_stream_t **out);

    /* Queues `count` events (borrowed for the call; copied or packed before return) and sends what
     * the window allows. All or nothing: NET_OK when every event was accepted; NET_E_WOULD_BLOCK
     * when the credit or send window cannot take them all (nothing accepted; retry after the peer
     * grants more); NET_E_INVALID_ARGUMENT for an event larger than max_payload - 4;
     * NET_E_CLOSED after the stream ended. [any-thread] */
    net_status_t (*stream_send)(net_reliability_stream_t *stream, const net_bytes_t *events, size_t count);

    /* Gives the stream one decrypted packet the peer sent on it (data or control). The frame is
     * borrowed for the call. [transport-thread] */
    void (*stream_receive)(net_reliability_stream_t *stream, const net_stream_frame_t *frame);

    /* Copies the stream's counters (out->struct_size set by the caller). [any-thread] */
    net_status_t (*stream_stats)(net_reliability_stream_t *stream, net_stream_stats_t *out);

    /* Ends the stream and frees it: cancels its timers, releases retained buffers, calls no link
     * callback after it returns. Unsent data is dropped. [any-thread], once per stream. */
    void (*stream_destroy)(net_reliability_stream_t *stream);
} net_reliability_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* NET_IFACE_RELIABILITY_H */
