/*
 * net/metrics.h — metric kinds and the opaque metric handle used by the host table.
 *
 * A plugin registers its metrics once (usually in create) and then updates them on hot paths
 * through host->metric_add / metric_set / metric_observe, which are lock-free. The host prefixes
 * every name with the instance name ("<instance>.<name>") so two instances never collide.
 */
#ifndef NET_METRICS_H
#define NET_METRICS_H

typedef enum net_metric_kind {
    NET_METRIC_COUNTER = 0,   /* only grows: metric_add with a non-negative delta */
    NET_METRIC_GAUGE = 1,     /* goes up and down: metric_set or metric_add */
    NET_METRIC_HISTOGRAM = 2  /* distribution of uint64 samples: metric_observe */
} net_metric_kind_t;

/* Opaque handle to a registered metric. Owned by the host; valid until the instance that
 * registered it is destroyed. */
typedef struct net_metric net_metric_t;

#endif /* NET_METRICS_H */
