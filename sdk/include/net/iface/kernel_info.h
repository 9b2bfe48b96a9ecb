/*
 * net/iface/kernel_info.h — interface "net.kernel.info/1": facts about the node a plugin runs in.
 *
 * Provided by the kernel itself. Acquire it with
 *     host->interface_acquire(host, NULL, NET_IFACE_KERNEL_INFO_V1, &ref)   (or provider "kernel")
 * and call its functions with ref.object as `self`. Release the ref when done.
 */
#ifndef NET_IFACE_KERNEL_INFO_H
#define NET_IFACE_KERNEL_INFO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NET_IFACE_KERNEL_INFO_V1 "net.kernel.info/1"

typedef struct net_kernel_info_v1 {
    /* sizeof(net_kernel_info_v1_t) as the kernel compiled it. */
    uint32_t struct_size;

    /* The node's name from the manifest (node.name). Owned by the kernel; valid while the ref is
     * held. [any-thread] */
    const char *(*node_name)(void *self);

    /* The number of event-loop threads. [any-thread] */
    uint32_t (*loop_threads)(void *self);

    /* The kernel's ABI version, NET_ABI_MAKE(major, minor). [any-thread] */
    uint32_t (*abi_version)(void *self);
} net_kernel_info_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* NET_IFACE_KERNEL_INFO_H */
