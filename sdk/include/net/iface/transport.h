/*
 * net/iface/transport.h — interface "net.transport/1": moves datagrams between UDP endpoints.
 *
 * Provided by a transport plugin (plugins/transport-udp). The kernel's mesh core acquires it from
 * the instance the manifest names (mesh.transport) and is its only user: it attaches a receive
 * callback once, sends batches, and detaches before the transport instance stops.
 *
 * Buffers follow net/buffer.h. Received datagrams arrive in kernel pool buffers (not zero-filled)
 * whose references pass to the receive callback. Sent datagrams are borrowed for the call: the
 * transport retains a buffer (host->buffer_retain) only when it keeps it past the call, as the
 * fault injector does for delayed or reordered datagrams.
 */
#ifndef NET_IFACE_TRANSPORT_H
#define NET_IFACE_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "net/buffer.h"
#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_IFACE_TRANSPORT_V1 "net.transport/1"

/* Address families of net_endpoint_t. */
#define NET_ENDPOINT_IPV4 4
#define NET_ENDPOINT_IPV6 6

/* A UDP endpoint. IPv4 addresses use addr[0..4) in network order; IPv6 all 16 bytes. */
typedef struct net_endpoint {
    uint8_t family;    /* NET_ENDPOINT_IPV4 or NET_ENDPOINT_IPV6; 0 = unset */
    uint8_t reserved;  /* zero */
    uint16_t port;     /* host byte order */
    uint32_t scope_id; /* IPv6 scope (interface index); 0 for IPv4 */
    uint8_t addr[16];
} net_endpoint_t;

/* One datagram and the endpoint it came from or goes to. */
typedef struct net_datagram {
    net_buffer_t *buffer; /* bytes of the datagram: buffer->data, buffer->len */
    net_endpoint_t peer;
} net_datagram_t;

/* Counters of one transport instance, cumulative since create. */
typedef struct net_transport_stats {
    uint32_t struct_size;
    uint32_t reserved;
    uint64_t datagrams_sent;
    uint64_t datagrams_received;
    uint64_t bytes_sent;
    uint64_t bytes_received;
    uint64_t send_calls;    /* sendmmsg (or equivalent) system calls */
    uint64_t receive_calls; /* recvmmsg calls that returned at least one datagram */
    uint64_t send_errors;   /* datagrams the kernel refused (EAGAIN after retry, EMSGSIZE, ...) */
    uint64_t receive_truncated; /* datagrams larger than the receive buffer, dropped */
    uint64_t injected_drops;    /* fault injection: datagrams dropped on purpose */
    uint64_t injected_duplicates;
    uint64_t injected_reorders;
    uint64_t injected_delays;
} net_transport_stats_t;

/* Called with a batch of received datagrams, on the transport's receive thread
 * ([transport-thread]: one thread, so calls never overlap). Ownership: the callee owns one
 * reference on every datagrams[i].buffer and must release each exactly once (it may keep them).
 * The array itself is borrowed for the call. The callee must not call detach from inside. */
typedef void (*net_transport_receive_fn)(void *ctx, net_datagram_t *datagrams, size_t count);

typedef struct net_transport_v1 {
    /* sizeof(net_transport_v1_t) as the provider compiled it. */
    uint32_t struct_size;

    /* The largest datagram this transport sends or receives, in bytes (8192 for UDP).
     * [any-thread] */
    uint32_t (*max_datagram)(void *self);

    /* The bound local endpoint (the real port when the config asked for port 0). Returns NET_OK,
     * or NET_E_BAD_STATE before the instance started. [any-thread] */
    net_status_t (*local_endpoint)(void *self, net_endpoint_t *out);

    /* Starts delivering received datagrams to fn(ctx, ...). One receiver at a time:
     * NET_E_ALREADY_EXISTS when one is attached, NET_E_BAD_STATE before start. `ctx` is borrowed
     * until detach returns. [any-thread] */
    net_status_t (*attach)(void *self, net_transport_receive_fn fn, void *ctx);

    /* Stops delivery. When it returns, no callback is running or will run. A no-op when nothing
     * is attached. Must not be called from inside the callback. [any-thread] */
    void (*detach)(void *self);

    /* Sends `count` datagrams (batched: one sendmmsg per 64). Every datagram is attempted; the
     * number the kernel accepted (or the fault injector consumed) is written to *sent. Returns
     * NET_OK when all were accepted, NET_E_WOULD_BLOCK when the socket stayed full, NET_E_IO for
     * other errors (counted in send_errors), NET_E_INVALID_ARGUMENT for a datagram larger than
     * max_datagram or an unset endpoint. Buffers and the array are borrowed for the call.
     * [any-thread]; concurrent callers are serialised by the transport. */
    net_status_t (*send_batch)(void *self, const net_datagram_t *datagrams, size_t count, size_t *sent);

    /* Copies the counters into *out (out->struct_size set by the caller; the provider fills at
     * most that many bytes). [any-thread] */
    net_status_t (*stats)(void *self, net_transport_stats_t *out);
} net_transport_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* NET_IFACE_TRANSPORT_H */
