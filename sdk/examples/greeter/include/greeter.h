/*
 * greeter.h — the interface "org.example.greeter/1" provided by the example plugin.
 *
 * A third-party interface: its id is reverse-DNS and versioned; a breaking change would be
 * "org.example.greeter/2". Obtain it with host->interface_acquire(host, NULL,
 * ORG_EXAMPLE_GREETER_V1, &ref); call its functions with ref.object as `self`.
 */
#ifndef ORG_EXAMPLE_GREETER_H
#define ORG_EXAMPLE_GREETER_H

#include <stdint.h>

#include "net/net.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORG_EXAMPLE_GREETER_V1 "org.example.greeter/1"

typedef struct org_example_greeter_v1 {
    /* sizeof(org_example_greeter_v1_t) as the provider compiled it. */
    uint32_t struct_size;

    /* Writes "<greeting>, <name>!" into a new buffer from the host's pools and stores it in *out;
     * the caller owns that buffer and releases it. `name` is borrowed for the call. Returns
     * NET_E_NO_MEMORY when no buffer can be had (and leaves *out NULL). [any-thread] */
    net_status_t (*greet)(void *self, const char *name, net_buffer_t **out);

    /* Adds `delta` to the instance's greeting count and returns the new count. Lock-free.
     * [any-thread] */
    uint64_t (*bump)(void *self, uint64_t delta);
} org_example_greeter_v1_t;

#ifdef __cplusplus
}
#endif

#endif /* ORG_EXAMPLE_GREETER_H */
