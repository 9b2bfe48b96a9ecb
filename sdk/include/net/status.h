/*
 * net/status.h — the one list of status codes that crosses the ABI.
 *
 * Every ABI function that can fail returns net_status_t. NET_OK is 0; every error is negative.
 * The list below is the single source: the enum, net_status_name() and net_status_message() are
 * generated from it. Codes are never renumbered; new ones are appended.
 *
 * Thread rule: every function here is [any-thread] and allocation-free.
 */
#ifndef NET_STATUS_H
#define NET_STATUS_H

#include <stdint.h>

typedef int32_t net_status_t;

/* X(NAME, value, message) */
#define NET_STATUS_LIST(X)                                                                   \
    X(NET_OK, 0, "success")                                                                  \
    X(NET_E_INVALID_ARGUMENT, -1, "an argument is invalid")                                  \
    X(NET_E_NO_MEMORY, -2, "out of memory")                                                  \
    X(NET_E_NOT_FOUND, -3, "not found")                                                      \
    X(NET_E_ALREADY_EXISTS, -4, "already exists")                                            \
    X(NET_E_BAD_STATE, -5, "the object is not in a state that allows this call")             \
    X(NET_E_UNSUPPORTED, -6, "not supported")                                                \
    X(NET_E_ABI_MISMATCH, -7, "ABI version mismatch")                                        \
    X(NET_E_CONFIG, -8, "the configuration is invalid")                                      \
    X(NET_E_IO, -9, "input/output error")                                                    \
    X(NET_E_TIMEOUT, -10, "timed out")                                                       \
    X(NET_E_WOULD_BLOCK, -11, "back-pressure: the operation would block")                    \
    X(NET_E_CLOSED, -12, "closed")                                                           \
    X(NET_E_MALFORMED, -13, "malformed input")                                               \
    X(NET_E_DENIED, -14, "permission denied")                                                \
    X(NET_E_SHUTTING_DOWN, -15, "the host is shutting down")                                 \
    X(NET_E_INTERNAL, -16, "internal error")                                                 \
    X(NET_E_EXCEPTION, -17, "a C++ exception was caught at the ABI boundary")                \
    X(NET_E_UNAVAILABLE, -18, "a service is unavailable for now; retrying may succeed")

enum net_status_code {
#define NET_STATUS_ENUM_ITEM(name, value, message) name = (value),
    NET_STATUS_LIST(NET_STATUS_ENUM_ITEM)
#undef NET_STATUS_ENUM_ITEM
};

/* Returns the code's name ("NET_E_CONFIG"), or "NET_E_UNKNOWN" for a value not in the list.
 * The returned string is static; the caller never frees it. [any-thread] */
static inline const char *net_status_name(net_status_t status)
{
    switch (status) {
#define NET_STATUS_NAME_CASE(name, value, message) \
    case (value): return #name;
        NET_STATUS_LIST(NET_STATUS_NAME_CASE)
#undef NET_STATUS_NAME_CASE
    default: return "NET_E_UNKNOWN";
    }
}

/* Returns a one-line English description of the code, or "unknown status" for a value not in the
 * list. The returned string is static; the caller never frees it. [any-thread] */
static inline const char *net_status_message(net_status_t status)
{
    switch (status) {
#define NET_STATUS_MESSAGE_CASE(name, value, message) \
    case (value): return message;
        NET_STATUS_LIST(NET_STATUS_MESSAGE_CASE)
#undef NET_STATUS_MESSAGE_CASE
    default: return "unknown status";
    }
}

#endif /* NET_STATUS_H */
