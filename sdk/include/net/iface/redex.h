/*
 * net/iface/redex.h — interface "net.redex/1": RedEX, an append-only log per channel.
 *
 * Provided by plugins/redex. Users are bus adapters, CortEX, replication and applications: they
 * open a log by channel name, append entries (each gets the next sequence number, starting at 0),
 * read entries back by sequence, and watch a log to be told of entries as they are appended.
 *
 * Durability: an append is acknowledged when it returns a sequence. Whether the entry has reached
 * stable storage by then depends on the instance's fsync policy (docs/redex.md); stats report the
 * first sequence not yet known to be synced. With the instance's "write_buffer_bytes" above 0,
 * acknowledged entries may still sit in the plugin's write buffer (written within about a second,
 * and at every sync): a process crash can lose those. A memory-only instance (no "directory"
 * configured) loses everything at close.
 *
 * Buffers follow net/buffer.h. Read payloads are kernel buffer handles: for entries held in memory
 * they are slices of the log's segment storage (no copy); for entries on disk they are fresh
 * buffers the bytes were read into. The caller releases each payload it was given with
 * host->buffer_release, exactly once. The payload bytes are read-only (never make_unique-and-write
 * a slice you did not allocate; make_unique copies, which is fine).
 *
 * Threads: every function is [any-thread] unless it says otherwise; a log serialises its own
 * state. Watch callbacks run on an event-loop thread, one at a time per watcher, in sequence order.
 */
#ifndef NET_IFACE_REDEX_H
#define NET_IFACE_REDEX_H

#include <stddef.h>
#include <stdint.h>

#include "net/buffer.h"
#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NET_IFACE_REDEX_V1 "net.redex/1"

/* Passed as `timestamp_ns` to append: stamp the entry with the current wall-clock time. */
#define NET_REDEX_TIMESTAMP_NOW INT64_MIN

/* Passed as `to_sequence` to read_range: no upper bound. */
#define NET_REDEX_SEQUENCE_END UINT64_MAX

/* net_redex_filter_t.flags: which conditions apply (all that are set must hold). */
#define NET_REDEX_FILTER_MIN_TIMESTAMP 0x01u /* entry timestamp >= min_timestamp_ns */
#define NET_REDEX_FILTER_MAX_TIMESTAMP 0x02u /* entry timestamp <= max_timestamp_ns */
#define NET_REDEX_FILTER_PREFIX 0x04u        /* payload starts with `pattern` */
#define NET_REDEX_FILTER_CONTAINS 0x08u      /* payload contains `pattern` (exclusive with PREFIX) */

typedef struct net_redex_log net_redex_log_t; /* opaque; owned by the plugin until close_log */

/* One entry as a reader gets it. */
typedef struct net_redex_entry {
    uint64_t sequence;
    int64_t timestamp_ns;  /* nanoseconds since the Unix epoch, as appended */
    net_buffer_t *payload; /* see the function that filled the entry for who owns it */
} net_redex_entry_t;

/* Which entries a read_range or a watcher wants. The plugin compiles it once (when read_range is
 * called, or when watch registers it) and copies `pattern`, so the filter and its bytes are
 * borrowed for the call. */
typedef struct net_redex_filter {
    uint32_t struct_size; /* sizeof(net_redex_filter_t) as the caller compiled it */
    uint32_t flags;       /* NET_REDEX_FILTER_* */
    int64_t min_timestamp_ns;
    int64_t max_timestamp_ns;
    net_bytes_t pattern; /* for PREFIX / CONTAINS */
} net_redex_filter_t;

/* State and counters of one log (all handles of the channel together). */
typedef struct net_redex_stats {
    uint32_t struct_size;     /* set by the caller */
    uint32_t durable;         /* 1 when the log is on disk, 0 for memory only */
    uint64_t first_sequence;  /* oldest retained entry (== next_sequence when empty) */
    uint64_t next_sequence;   /* the sequence the next append gets */
    uint64_t synced_sequence; /* every entry below it is on stable storage (disk logs) */
    uint64_t entries;         /* retained entries */
    uint64_t bytes;           /* retained payload bytes */
    uint64_t segments;        /* segments (memory blocks or file triples) */
    uint64_t appends;         /* since open */
    uint64_t fsyncs;          /* sync rounds since open */
    uint64_t retained_dropped;  /* entries dropped by retention since open */
    uint64_t recovered_entries; /* valid entries found when the log was opened */
    uint64_t recovery_discarded; /* index records discarded when the log was opened (torn or corrupt) */
    uint32_t recovery_corrupt;   /* 1 when opening found corruption before the tail (see the log) */
    uint32_t watchers;
} net_redex_stats_t;

/* Called with a batch of new entries in sequence order (only those the watcher's filter passes).
 * `entries` and their payloads are borrowed for the call: host->buffer_retain a payload to keep
 * it. Runs on an event-loop thread; may call any function of this interface, including unwatch
 * for its own id. */
typedef void (*net_redex_watch_fn)(void *user, uint64_t watch_id, const net_redex_entry_t *entries, size_t count);

typedef struct net_redex_v1 {
    /* sizeof(net_redex_v1_t) as the provider compiled it. */
    uint32_t struct_size;
    uint32_t reserved;

    /* Opens the log of `channel` (borrowed; 1-200 bytes of [A-Za-z0-9._-], not starting with
     * '.'), creating it if new and recovering it from disk if it exists. Several handles may be
     * open on one channel; they share the log. On success *out is a new handle owned by the caller
     * (close it with close_log). NET_E_INVALID_ARGUMENT for a bad name, NET_E_IO when the files
     * cannot be created or read. [any-thread] */
    net_status_t (*open_log)(void *self, const char *channel, net_redex_log_t **out);

    /* Appends one entry: `payload` (borrowed; copied before return; at most 64 MiB) stamped with
     * `timestamp_ns`, or with the current time when it is NET_REDEX_TIMESTAMP_NOW. On NET_OK
     * *out_sequence (may be NULL) is the entry's sequence: the entry is acknowledged, readable,
     * and durable as far as the fsync policy promises. NET_E_IO when a write fails (nothing is
     * appended); NET_E_INVALID_ARGUMENT for an oversized payload. [any-thread] */
    net_status_t (*append)(net_redex_log_t *log, net_bytes_t payload, int64_t timestamp_ns, uint64_t *out_sequence);

    /* Reads entry `sequence` into *out; out->payload is a new reference owned by the caller.
     * NET_E_NOT_FOUND when the entry is not (or no longer) retained. [any-thread] */
    net_status_t (*read_one)(net_redex_log_t *log, uint64_t sequence, net_redex_entry_t *out);

    /* Reads retained entries with from_sequence <= sequence < to_sequence that pass `filter`
     * (NULL: all), in order, at most `max` of them, into out[0..*out_count). Each payload is a new
     * reference owned by the caller. *out_next (may be NULL) is where the next call should
     * continue (past entries the filter rejected). Reading from below first_sequence starts at
     * first_sequence. NET_OK with *out_count 0 when nothing is there. [any-thread] */
    net_status_t (*read_range)(net_redex_log_t *log, uint64_t from_sequence, uint64_t to_sequence,
                               const net_redex_filter_t *filter, net_redex_entry_t *out, size_t max,
                               size_t *out_count, uint64_t *out_next);

    /* Registers a watcher: `fn(user, ...)` gets every entry from `from_sequence` on that passes
     * `filter` (NULL: all) — first those already in the log (a tail), then new ones as they are
     * appended. Entries retention drops before the watcher reaches them are skipped. *out_id is
     * the watcher's id (never 0). [any-thread] */
    net_status_t (*watch)(net_redex_log_t *log, uint64_t from_sequence, const net_redex_filter_t *filter,
                          net_redex_watch_fn fn, void *user, uint64_t *out_id);

    /* Removes a watcher. After it returns no call of its fn starts, and none is running unless
     * unwatch was called from inside that fn. NET_E_NOT_FOUND for an unknown id. [any-thread] */
    net_status_t (*unwatch)(net_redex_log_t *log, uint64_t watch_id);

    /* Forces everything appended so far to stable storage, whatever the policy (no-op in memory).
     * NET_E_IO when the sync fails. [any-thread] */
    net_status_t (*sync)(net_redex_log_t *log);

    /* Copies the log's state and counters (out->struct_size set by the caller; only that many
     * bytes are written). [any-thread] */
    net_status_t (*stats)(net_redex_log_t *log, net_redex_stats_t *out);

    /* Closes the handle and removes the watchers registered through it. Closing the channel's
     * last handle syncs its files and closes them. Payloads already read stay valid. [any-thread],
     * once per handle; never from inside a watch callback of the same handle. */
    void (*close_log)(net_redex_log_t *log);

    /* ---- slots added after the first release: call one only when NET_REDEX_HAS(api, slot) ---- */

    /* Appends `count` entries (count >= 1) in order as one group, a group commit: payloads[i]
     * (the array and the bytes borrowed; copied before return) stamped with timestamps[i], or
     * every entry with the current time when `timestamps` is NULL (NET_REDEX_TIMESTAMP_NOW in a
     * slot stamps that one). The group lands in one segment with one write per file and counts as
     * one append for the fsync policy's decision to sync, so a group is as durable as a single
     * append. On NET_OK *out_first_sequence (may be NULL) is the first entry's sequence; the
     * others follow it consecutively. All or nothing: NET_E_IO when a write fails (nothing is
     * appended); NET_E_INVALID_ARGUMENT for count 0, a NULL array, or more than 64 MiB of payload
     * in all. [any-thread] */
    net_status_t (*append_batch)(net_redex_log_t *log, const net_bytes_t *payloads, const int64_t *timestamps,
                                 size_t count, uint64_t *out_first_sequence);
} net_redex_v1_t;

/* True when the provider's table has `member` (a slot added after 1.0): check before calling it. */
#define NET_REDEX_HAS(api, member) ((api)->struct_size >= offsetof(net_redex_v1_t, member) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* NET_IFACE_REDEX_H */
