/*
 * net/host.h — the host table: what the kernel offers a plugin instance.
 *
 * The kernel gives every plugin instance its own net_host_t (passed to create). The table stays
 * valid, at the same address, until destroy has returned for that instance. Every function takes
 * that table as `self`, so the host knows which instance is calling (for log prefixes, metric
 * names and the library's lifetime).
 *
 * Growth rule: slots are only appended. A plugin compiled against a newer minor must check
 * `self->struct_size` (NET_HOST_HAS(self, slot)) before calling a slot that its minimum host does
 * not have. Slots present in ABI 1.0 are always there.
 *
 * Thread tags (defined once in net/net.h): [any-thread] callable from any thread, including
 * threads the plugin made; [loop] only from an event-loop thread (inside a posted task, timer or
 * a callback the host made); [lifecycle] only from within create/start/stop/destroy.
 */
#ifndef NET_HOST_H
#define NET_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "net/buffer.h"
#include "net/log.h"
#include "net/metrics.h"
#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct net_host net_host_t;

/* A task or timer callback. Runs on an event-loop thread. `user` is what was passed in. */
typedef void (*net_task_fn)(void *user);

/* Identifies a timer for timer_cancel. 0 is never a valid id. */
typedef uint64_t net_timer_id_t;

/* A reference to an interface provided by the kernel or by another plugin instance.
 * `vtable` points to the interface's function table (its layout is defined by the interface id's
 * header, and it starts with uint32_t struct_size); `object` is the first argument to pass to
 * each of its functions. `token` is private to the host. The holder releases the reference with
 * host->interface_release exactly once; until then the providing library stays loaded. */
typedef struct net_interface_ref {
    const void *vtable;
    void *object;
    void *token;
} net_interface_ref_t;

struct net_host {
    /* sizeof(net_host_t) as the host compiled it. Read before touching any slot added after 1.0. */
    uint32_t struct_size;
    /* The host's ABI version, NET_ABI_MAKE(major, minor). */
    uint32_t abi_version;
    /* Private to the host. Plugins never read or write it. */
    void *host_data;
    /* The instance name from the manifest ("echo-1"). Owned by the host; valid as the table. */
    const char *instance_name;

    /* ---- logging (ABI 1.0) ---- */

    /* Writes one log line attributed to this instance. `message` is borrowed for the call and
     * need not end with a newline. Never fails; lines below the host's level are dropped.
     * [any-thread] */
    void (*log)(const net_host_t *self, net_log_level_t level, const char *message);

    /* ---- buffers (ABI 1.0); see net/buffer.h for the ownership model ---- */

    /* Allocates a buffer of `len` bytes from the kernel's pools (requests above the largest size
     * class get an exact-size block). The contents are NOT zeroed. Returns a new handle the caller
     * owns (release it once), or NULL when `len` exceeds the kernel's maximum buffer size (64 MiB
     * by default) or memory is exhausted. [any-thread] */
    net_buffer_t *(*buffer_alloc)(const net_host_t *self, size_t len);

    /* Adds a reference to `buffer` and returns it. The caller owns the new reference.
     * [any-thread] */
    net_buffer_t *(*buffer_retain)(const net_host_t *self, net_buffer_t *buffer);

    /* Releases one reference. `buffer` may be NULL (no-op). After the call the caller must not
     * touch the handle. [any-thread] */
    void (*buffer_release)(const net_host_t *self, net_buffer_t *buffer);

    /* Returns a new handle viewing bytes [offset, offset + len) of `buffer`, sharing its storage
     * (no copy). The caller owns the new handle; `buffer` is untouched and still owned by the
     * caller. Returns NULL if the range does not fit or memory is exhausted. [any-thread] */
    net_buffer_t *(*buffer_slice)(const net_host_t *self, net_buffer_t *buffer, size_t offset, size_t len);

    /* Returns non-zero when `buffer` is the only handle over its storage and has one reference:
     * only then may its bytes be written. [any-thread] */
    int (*buffer_is_unique)(const net_host_t *self, const net_buffer_t *buffer);

    /* Consumes the caller's reference to `buffer` and returns a unique handle with the same bytes:
     * the same handle when it is already unique, else a copy in fresh storage. On failure returns
     * NULL and the caller still owns `buffer` (nothing was released). [any-thread] */
    net_buffer_t *(*buffer_make_unique)(const net_host_t *self, net_buffer_t *buffer);

    /* Sets the length of a unique buffer, within the capacity of its storage (for example after
     * receiving into it). Returns NET_E_BAD_STATE if the buffer is shared, NET_E_INVALID_ARGUMENT
     * if `len` exceeds the capacity. [any-thread] */
    net_status_t (*buffer_set_len)(const net_host_t *self, net_buffer_t *buffer, size_t len);

    /* ---- event loop (ABI 1.0) ---- */

    /* Queues `fn(user)` to run once on an event-loop thread. Returns NET_E_SHUTTING_DOWN when the
     * loop no longer accepts work. A task still queued when its instance has been stopped is
     * dropped, not run (the library stays loaded until it has left the queue). [any-thread] */
    net_status_t (*post)(const net_host_t *self, net_task_fn fn, void *user);

    /* Starts a timer that calls `fn(user)` on an event-loop thread after `delay_ns`, then every
     * `period_ns` if that is non-zero. Writes its id to `*out_id`. The host cancels every timer
     * an instance still has when the instance is stopped, and no timer callback runs after the
     * instance's stop has returned. [any-thread] */
    net_status_t (*timer_start)(const net_host_t *self, uint64_t delay_ns, uint64_t period_ns, net_task_fn fn,
                                void *user, net_timer_id_t *out_id);

    /* Cancels a timer. After it returns, `fn` is not started again (a call already running on
     * another thread may still be finishing). Returns NET_E_NOT_FOUND for an unknown or finished
     * timer. [any-thread] */
    net_status_t (*timer_cancel)(const net_host_t *self, net_timer_id_t id);

    /* ---- metrics (ABI 1.0); see net/metrics.h ---- */

    /* Registers a metric named "<instance>.<name>" and returns its handle (owned by the host), or
     * NULL if the name is already taken with another kind or is empty. Registering the same
     * name and kind twice returns the same handle. `help` is borrowed. [lifecycle] */
    net_metric_t *(*metric_register)(const net_host_t *self, net_metric_kind_t kind, const char *name,
                                     const char *help);

    /* Adds `delta` to a counter or gauge. Lock-free. [any-thread] */
    void (*metric_add)(const net_host_t *self, net_metric_t *metric, int64_t delta);

    /* Sets a gauge. Lock-free. [any-thread] */
    void (*metric_set)(const net_host_t *self, net_metric_t *metric, int64_t value);

    /* Records one sample in a histogram. Lock-free. [any-thread] */
    void (*metric_observe)(const net_host_t *self, net_metric_t *metric, uint64_t sample);

    /* ---- interfaces (ABI 1.0) ---- */

    /* Looks up interface `id` ("net.transport/1", "org.example.greeter/1"). With `provider` NULL,
     * the kernel's own services are searched first, then instances in manifest order; otherwise
     * only the named instance. On success fills `*out` (the caller owns the reference and must
     * call interface_release) and returns NET_OK; returns NET_E_NOT_FOUND when nothing provides
     * it. [lifecycle] or [loop] */
    net_status_t (*interface_acquire)(const net_host_t *self, const char *provider, const char *id,
                                      net_interface_ref_t *out);

    /* Releases a reference obtained from interface_acquire and zeroes `*ref`. Releasing a zeroed
     * ref is a no-op. [any-thread] */
    void (*interface_release)(const net_host_t *self, net_interface_ref_t *ref);
};

/* Non-zero when `host` was compiled with the slot `member` (for slots added after ABI 1.0).
 * Every slot after the header is a function pointer, the size of a data pointer on every
 * platform Net supports. */
#define NET_HOST_HAS(host, member) ((host)->struct_size >= offsetof(net_host_t, member) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* NET_HOST_H */
