/*
 * net/version.h — the ABI version of the Net plugin interface.
 *
 * The version is packed as (major << 16) | minor into a uint32_t. The kernel accepts a plugin
 * whose major equals its own and whose minor is not newer than its own; anything else is refused
 * with a message naming the plugin and both versions. Adding slots at the end of a table bumps
 * the minor; changing or removing anything bumps the major.
 */
#ifndef NET_VERSION_H
#define NET_VERSION_H

#include <stdint.h>

#define NET_ABI_VERSION_MAJOR 1u
#define NET_ABI_VERSION_MINOR 0u

/* Cast-free so that the headers stay clean under C++ -Wold-style-cast; arguments are unsigned. */
#define NET_ABI_MAKE(major, minor) ((((major) & 0xFFFFu) << 16) | ((minor) & 0xFFFFu))
#define NET_ABI_MAJOR(version) (((version) >> 16) & 0xFFFFu)
#define NET_ABI_MINOR(version) ((version) & 0xFFFFu)

/* The ABI version these headers describe. Plugins put it in their descriptor. */
#define NET_ABI_VERSION NET_ABI_MAKE(NET_ABI_VERSION_MAJOR, NET_ABI_VERSION_MINOR)

/* Returns non-zero when a host of version `host` can load a plugin built for `plugin`. */
static inline int net_abi_compatible(uint32_t host, uint32_t plugin)
{
    return NET_ABI_MAJOR(host) == NET_ABI_MAJOR(plugin) && NET_ABI_MINOR(plugin) <= NET_ABI_MINOR(host);
}

#endif /* NET_VERSION_H */
