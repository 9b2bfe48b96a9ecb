/* net/iface/redex.h seen from C11: the layout asserts, and a size the C++ test compares. */
#include "redex_abi_layout.h"

size_t net_redex_c11_sizeof_interface(void);
size_t net_redex_c11_sizeof_interface(void) { return sizeof(net_redex_v1_t); }
