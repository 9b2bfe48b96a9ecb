#ifndef NET_TEST_C11_PROBE_H
#define NET_TEST_C11_PROBE_H
#include <stddef.h>
#include <stdint.h>

#include "net/status.h"

#ifdef __cplusplus
extern "C" {
#endif
size_t net_c11_sizeof_host(void);
size_t net_c11_sizeof_descriptor(void);
uint32_t net_c11_abi_version(void);
const char *net_c11_status_name(net_status_t status);
const char *net_c11_status_message(net_status_t status);
#ifdef __cplusplus
}
#endif
#endif
