/*
 * net/buffer.h — bytes across the ABI: borrowed views and refcounted buffer handles.
 *
 * Two forms, and only these two:
 *
 * - net_bytes_t / net_mut_bytes_t: a borrowed {ptr, len} view. Valid only for the duration of the
 *   call it is passed to; the callee never frees it and copies what it wants to keep.
 *
 * - net_buffer_t *: a refcounted handle to bytes in a kernel buffer pool. Handles are created and
 *   manipulated only through the host table (net/host.h: buffer_alloc, buffer_retain,
 *   buffer_release, buffer_slice, buffer_make_unique, buffer_set_len). Whoever holds a reference
 *   must release it exactly once. A slice is a new handle over the same storage; the storage is
 *   returned to its pool when the last handle over it is released.
 *
 * The first two fields of every handle are public and may be read directly, without a call:
 * `data` and `len` describe the bytes this handle views. They are never written by a plugin.
 * The bytes themselves may be written only while the handle is unique (buffer_is_unique returns
 * non-zero): a shared buffer is read-only, and buffer_make_unique gives a writable one (copying
 * only when the storage is shared).
 *
 * Thread rule: a handle may be passed between threads; one reference must not be released twice.
 * The refcounts are atomic, so different threads may retain and release their own references to
 * the same storage concurrently. Buffer contents are not synchronised: writing while another
 * thread reads is the caller's bug (and impossible while the handle is unique).
 */
#ifndef NET_BUFFER_H
#define NET_BUFFER_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed, read-only view. Owned by the caller; valid until the call returns. */
typedef struct net_bytes {
    const uint8_t *ptr;
    size_t len;
} net_bytes_t;

/* A borrowed, writable view. Owned by the caller; valid until the call returns. */
typedef struct net_mut_bytes {
    uint8_t *ptr;
    size_t len;
} net_mut_bytes_t;

/* A refcounted buffer handle. The host allocates it; the layout after `len` is private to the
 * host and never read by a plugin. */
typedef struct net_buffer {
    uint8_t *data; /* first byte of this view; read-only unless the handle is unique */
    size_t len;    /* number of bytes in this view */
} net_buffer_t;

#endif /* NET_BUFFER_H */
