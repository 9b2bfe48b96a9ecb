/*
 * net/iface/mesh.h — interface "net.mesh/1": the node's encrypted mesh, for applications and
 * plugins.
 *
 * Provided by the kernel itself when the manifest has a "mesh" section. Acquire it with
 *     host->interface_acquire(host, NULL, NET_IFACE_MESH_V1, &ref)
 * and call its functions with ref.object as `self`. The mesh starts after every plugin started and
 * stops before any plugin stops: calls made outside that window return NET_E_BAD_STATE.
 *
 * Nodes are named by their 48-bit address (derived from the entity key; `net-mesh identity show`).
 * A stream to a node needs no session yet: the kernel opens one (directly or through relays) and
 * holds the events back until it is up, within the mode's window.
 */
#ifndef NET_IFACE_MESH_H
#define NET_IFACE_MESH_H

#include <stddef.h>
#include <stdint.h>

#include "net/buffer.h"
#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_IFACE_MESH_V1 "net.mesh/1"

typedef struct net_mesh_stream net_mesh_stream_t; /* opaque, owned by the kernel */

/* Where a batch of events came from. Borrowed for the call. */
typedef struct net_mesh_event_info {
    uint32_t struct_size;
    uint32_t stream_id;
    uint64_t source_address; /* the node that sent the events */
    uint8_t hops;            /* relays the packet crossed (0 = direct) */
    uint8_t reserved[7];
} net_mesh_event_info_t;

/* Receives events arriving on any stream, in stream order per stream. `info` and the events are
 * borrowed for the call. [transport-thread] (the mesh's receive thread); keep it short. */
typedef void (*net_mesh_receive_fn)(void *ctx, const net_mesh_event_info_t *info, const net_bytes_t *events,
                                    size_t count);

/* Receives the decrypted payload of a packet carrying subprotocol `id`. Borrowed for the call.
 * [transport-thread]. */
typedef void (*net_mesh_subprotocol_fn)(void *ctx, uint64_t source_address, uint16_t id, net_bytes_t payload);

/* Subprotocol ids 0x0000-0x00FF belong to the kernel (streams, mesh control); plugins register
 * ids from 0x0100 up (wire.md lists the assigned ones). */
#define NET_SUBPROTOCOL_FIRST_PLUGIN 0x0100

typedef struct net_mesh_v1 {
    /* sizeof(net_mesh_v1_t) as the kernel compiled it. */
    uint32_t struct_size;

    /* This node's 48-bit address. [any-thread] */
    uint64_t (*local_address)(void *self);

    /* Opens a stream to node `address` in reliability mode `mode` ("fire", "stream"; borrowed).
     * NET_E_NOT_FOUND when no loaded reliability plugin has that mode or the node is unknown,
     * NET_E_BAD_STATE outside the mesh's running window. On success the caller owns *out and
     * closes it with stream_close. [any-thread] */
    net_status_t (*stream_open)(void *self, uint64_t address, const char *mode, net_mesh_stream_t **out);

    /* Sends events on the stream (borrowed for the call), packed into packets up to the MTU.
     * All or nothing: NET_E_WOULD_BLOCK when the stream's window is full (back-pressure: retry
     * later), NET_E_CLOSED when the stream ended (dead peer, retries exhausted, idle timeout).
     * [any-thread] */
    net_status_t (*stream_send)(void *self, net_mesh_stream_t *stream, const net_bytes_t *events, size_t count);

    /* Closes the stream and frees it. [any-thread], once; not from inside a receiver while it is
     * handed events of this same stream (sending on it from there is fine). */
    void (*stream_close)(void *self, net_mesh_stream_t *stream);

    /* Adds a receiver of every event arriving at this node; returns its id in *out (for
     * remove_receiver). `ctx` is borrowed until remove_receiver returns. [any-thread] */
    net_status_t (*add_receiver)(void *self, net_mesh_receive_fn fn, void *ctx, uint64_t *out);

    /* Removes a receiver. When it returns the callback is not running and will not run again.
     * Must not be called from inside the callback. [any-thread] */
    void (*remove_receiver)(void *self, uint64_t id);

    /* Routes every packet with subprotocol `id` (>= NET_SUBPROTOCOL_FIRST_PLUGIN) to fn(ctx, ...).
     * NET_E_ALREADY_EXISTS when the id has a handler, NET_E_INVALID_ARGUMENT for a kernel id.
     * `ctx` is borrowed until unregister_subprotocol returns. [any-thread] */
    net_status_t (*register_subprotocol)(void *self, uint16_t id, net_mesh_subprotocol_fn fn, void *ctx);

    /* Removes the handler of `id`; when it returns the handler is not running and will not run
     * again. Must not be called from inside the handler. [any-thread] */
    void (*unregister_subprotocol)(void *self, uint16_t id);

    /* Sends one packet with subprotocol `id` and `payload` (borrowed; at most the MTU's payload)
     * to node `address`, encrypted, unreliable. NET_E_WOULD_BLOCK when no session is up yet (one
     * is being opened), NET_E_NOT_FOUND for an unknown node. [any-thread] */
    net_status_t (*send_subprotocol)(void *self, uint64_t address, uint16_t id, net_bytes_t payload);
} net_mesh_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* NET_IFACE_MESH_H */
