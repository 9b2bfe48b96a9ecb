/*
 * net/iface/bus_adapter.h — interface "net.bus.adapter/1": where the bus engine hands its batches.
 *
 * Provided by adapter plugins (plugins/bus-memory, plugins/bus-redis, plugins/bus-redex). The
 * kernel's bus engine ingests published events into shards (xxh3 of the event, multiply-shift to a
 * shard), cuts each shard's ring into batches by size and time, and calls write_batch of the
 * adapter the manifest names. An adapter persists or forwards the batch and can replay a shard
 * from a cursor, so a consumer that restarts continues where it stopped.
 *
 * Events carry a deterministic dedup id (docs/bus.md: xxh3-64 of producer id and producer
 * sequence), stored with each entry. A batch the engine retries after a transient error may be
 * written twice; a reader removes the duplicates by that id. Adapters never need to.
 *
 * Cursors are opaque positions within one shard, chosen by the adapter (Redis: the stream entry id
 * as {milliseconds, sequence}; RedEX and memory: {0, sequence + 1}). {0, 0} is before the first
 * entry. Reads are exclusive: they return the entries strictly after the cursor given.
 *
 * Buffers follow net/buffer.h. Threads: write_batch and read are called by the engine's flush
 * threads ([bus-thread]); calls for one shard never overlap, calls for different shards may run
 * at the same time. configure and stats are [any-thread].
 */
#ifndef NET_IFACE_BUS_ADAPTER_H
#define NET_IFACE_BUS_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "net/buffer.h"
#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_IFACE_BUS_ADAPTER_V1 "net.bus.adapter/1"

/* One event as the engine hands it to an adapter or an adapter returns it from a read. */
typedef struct net_bus_event {
    uint64_t dedup_id;          /* deterministic id of (producer_id, producer_sequence) */
    uint64_t producer_id;       /* who published it (unique per producer within the node) */
    uint64_t producer_sequence; /* 0, 1, 2, ... per producer */
    uint64_t channel_hash;      /* the channel's 64-bit hash (docs/channels.md) */
    int64_t timestamp_ns;       /* nanoseconds since the Unix epoch, taken at publish */
    net_buffer_t *payload;      /* see the function that passes or fills the event for ownership */
} net_bus_event_t;

/* An opaque position within one shard; meaning chosen by the adapter (see above). */
typedef struct net_bus_cursor {
    uint64_t hi;
    uint64_t lo;
} net_bus_cursor_t;

/* An entry as read back: the event and the cursor that points at it. */
typedef struct net_bus_record {
    net_bus_cursor_t cursor;
    net_bus_event_t event;
} net_bus_record_t;

/* A batch of one shard, in publish order. Borrowed for the call, and so are the payloads: an
 * adapter that keeps a payload past the call takes its own reference (host->buffer_retain). The
 * payload buffers are shared with subscribers, so they are read-only. */
typedef struct net_bus_batch {
    uint32_t struct_size; /* sizeof(net_bus_batch_t) as the engine compiled it */
    uint32_t shard;       /* 0 .. shard_count-1 */
    uint32_t attempt;     /* 0 on the first write of this batch, then 1, 2, ... on retries */
    uint32_t reserved;
    const net_bus_event_t *events;
    size_t count; /* >= 1 */
} net_bus_batch_t;

/* Counters of an adapter instance. */
typedef struct net_bus_adapter_stats {
    uint32_t struct_size; /* set by the caller; only that many bytes are written */
    uint32_t connected;   /* 1 when the backend is reachable now (always 1 for in-process ones) */
    uint64_t batches_written;
    uint64_t events_written;
    uint64_t bytes_written;  /* payload bytes */
    uint64_t write_errors;   /* write_batch calls that did not return NET_OK */
    uint64_t reconnects;     /* connections re-established after a failure */
    uint64_t events_read;
} net_bus_adapter_stats_t;

typedef struct net_bus_adapter_v1 {
    /* sizeof(net_bus_adapter_v1_t) as the provider compiled it. */
    uint32_t struct_size;
    uint32_t reserved;

    /* Tells the adapter how many shards the engine uses, before any write or read. Called again
     * only with the same count. NET_E_CONFIG when the backend holds data written with a different
     * shard count it cannot serve. [any-thread] */
    net_status_t (*configure)(void *self, uint32_t shard_count);

    /* Writes a batch. NET_OK: every event is acknowledged (as durable as the adapter promises in
     * its docs) and will be returned by read in this order. Transient failures — NET_E_UNAVAILABLE
     * (backend unreachable), NET_E_TIMEOUT, NET_E_IO — mean "maybe partly written": the engine
     * retries the same batch, with the same dedup ids, after a backoff. Any other status is
     * permanent: the engine drops the batch and counts it. [bus-thread] */
    net_status_t (*write_batch)(void *self, const net_bus_batch_t *batch);

    /* Reads up to `max` entries of `shard` strictly after `after`, oldest first, into out[0..
     * *out_count). Each out[i].event.payload is a new reference owned by the caller. NET_OK with
     * *out_count 0 when nothing is there; transient statuses as for write_batch;
     * NET_E_UNSUPPORTED for an adapter that keeps nothing to replay. [bus-thread] or [any-thread]
     * for a caller that serialises its own reads of a shard. */
    net_status_t (*read)(void *self, uint32_t shard, net_bus_cursor_t after, net_bus_record_t *out, size_t max,
                         size_t *out_count);

    /* Copies the counters (out->struct_size set by the caller). [any-thread] */
    net_status_t (*stats)(void *self, net_bus_adapter_stats_t *out);
} net_bus_adapter_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* NET_IFACE_BUS_ADAPTER_H */
