/* The SDK seen from C11: the layout asserts, and values the C++ test compares with its own. */
#include "abi_layout.h"

#include "c11_probe.h"

size_t net_c11_sizeof_host(void) { return sizeof(net_host_t); }
size_t net_c11_sizeof_descriptor(void) { return sizeof(net_plugin_descriptor_t); }
uint32_t net_c11_abi_version(void) { return NET_ABI_VERSION; }
const char *net_c11_status_name(net_status_t status) { return net_status_name(status); }
const char *net_c11_status_message(net_status_t status) { return net_status_message(status); }
