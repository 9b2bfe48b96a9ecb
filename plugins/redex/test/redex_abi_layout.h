/*
 * redex_abi_layout.h — the net.redex/1 layout on LP64, asserted at compile time from a C11 file
 * and from C++20. Changing a number here is an ABI break: a new interface id, or only append.
 */
#ifndef NET_TEST_REDEX_ABI_LAYOUT_H
#define NET_TEST_REDEX_ABI_LAYOUT_H

#include <stddef.h>

#include "net/iface/redex.h"

#ifdef __cplusplus
#define NET_REDEX_ASSERT(cond, what) static_assert(cond, what)
#else
#define NET_REDEX_ASSERT(cond, what) _Static_assert(cond, what)
#endif

NET_REDEX_ASSERT(sizeof(void *) == 8, "the layout below is for LP64");
NET_REDEX_ASSERT(sizeof(net_redex_entry_t) == 24 && offsetof(net_redex_entry_t, timestamp_ns) == 8 &&
                     offsetof(net_redex_entry_t, payload) == 16,
                 "net_redex_entry_t");
NET_REDEX_ASSERT(sizeof(net_redex_filter_t) == 40 && offsetof(net_redex_filter_t, flags) == 4 &&
                     offsetof(net_redex_filter_t, min_timestamp_ns) == 8 &&
                     offsetof(net_redex_filter_t, max_timestamp_ns) == 16 && offsetof(net_redex_filter_t, pattern) == 24,
                 "net_redex_filter_t");
NET_REDEX_ASSERT(sizeof(net_redex_stats_t) == 104 && offsetof(net_redex_stats_t, first_sequence) == 8 &&
                     offsetof(net_redex_stats_t, synced_sequence) == 24 && offsetof(net_redex_stats_t, bytes) == 40 &&
                     offsetof(net_redex_stats_t, recovered_entries) == 80 &&
                     offsetof(net_redex_stats_t, recovery_corrupt) == 96 && offsetof(net_redex_stats_t, watchers) == 100,
                 "net_redex_stats_t");
NET_REDEX_ASSERT(sizeof(net_redex_v1_t) == 88 && offsetof(net_redex_v1_t, open_log) == 8 &&
                     offsetof(net_redex_v1_t, append) == 16 && offsetof(net_redex_v1_t, read_one) == 24 &&
                     offsetof(net_redex_v1_t, read_range) == 32 && offsetof(net_redex_v1_t, watch) == 40 &&
                     offsetof(net_redex_v1_t, unwatch) == 48 && offsetof(net_redex_v1_t, sync) == 56 &&
                     offsetof(net_redex_v1_t, stats) == 64 && offsetof(net_redex_v1_t, close_log) == 72 &&
                     offsetof(net_redex_v1_t, append_batch) == 80,
                 "net_redex_v1_t");

#endif /* NET_TEST_REDEX_ABI_LAYOUT_H */
