/*
 * net/log.h — log levels used by the host table's log function.
 */
#ifndef NET_LOG_H
#define NET_LOG_H

typedef enum net_log_level {
    NET_LOG_TRACE = 0,
    NET_LOG_DEBUG = 1,
    NET_LOG_INFO = 2,
    NET_LOG_WARN = 3,
    NET_LOG_ERROR = 4
} net_log_level_t;

#endif /* NET_LOG_H */
