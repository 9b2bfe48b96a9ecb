/*
 * abi_layout.h — the ABI 1.0 layout on LP64 platforms, asserted at compile time. Included from a
 * C11 file and a C++20 file so both languages agree on every size and offset. Changing any number
 * here is an ABI break: bump NET_ABI_VERSION_MAJOR (or only append, and bump the minor).
 */
#ifndef NET_TEST_ABI_LAYOUT_H
#define NET_TEST_ABI_LAYOUT_H

#include <stddef.h>

#include "net/iface/mesh.h"
#include "net/iface/reliability.h"
#include "net/iface/transport.h"
#include "net/net.h"

#ifdef __cplusplus
#define NET_ASSERT_LAYOUT(cond, what) static_assert(cond, what)
#else
#define NET_ASSERT_LAYOUT(cond, what) _Static_assert(cond, what)
#endif

NET_ASSERT_LAYOUT(sizeof(void *) == 8, "the layout below is for LP64");

NET_ASSERT_LAYOUT(sizeof(net_status_t) == 4, "net_status_t");
NET_ASSERT_LAYOUT(sizeof(net_bytes_t) == 16 && offsetof(net_bytes_t, len) == 8, "net_bytes_t");
NET_ASSERT_LAYOUT(sizeof(net_mut_bytes_t) == 16 && offsetof(net_mut_bytes_t, len) == 8, "net_mut_bytes_t");
NET_ASSERT_LAYOUT(sizeof(net_buffer_t) == 16 && offsetof(net_buffer_t, data) == 0 && offsetof(net_buffer_t, len) == 8,
                  "net_buffer_t");
NET_ASSERT_LAYOUT(sizeof(net_interface_ref_t) == 24 && offsetof(net_interface_ref_t, object) == 8 &&
                      offsetof(net_interface_ref_t, token) == 16,
                  "net_interface_ref_t");

NET_ASSERT_LAYOUT(offsetof(net_host_t, struct_size) == 0, "host.struct_size");
NET_ASSERT_LAYOUT(offsetof(net_host_t, abi_version) == 4, "host.abi_version");
NET_ASSERT_LAYOUT(offsetof(net_host_t, host_data) == 8, "host.host_data");
NET_ASSERT_LAYOUT(offsetof(net_host_t, instance_name) == 16, "host.instance_name");
NET_ASSERT_LAYOUT(offsetof(net_host_t, log) == 24, "host.log");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_alloc) == 32, "host.buffer_alloc");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_retain) == 40, "host.buffer_retain");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_release) == 48, "host.buffer_release");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_slice) == 56, "host.buffer_slice");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_is_unique) == 64, "host.buffer_is_unique");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_make_unique) == 72, "host.buffer_make_unique");
NET_ASSERT_LAYOUT(offsetof(net_host_t, buffer_set_len) == 80, "host.buffer_set_len");
NET_ASSERT_LAYOUT(offsetof(net_host_t, post) == 88, "host.post");
NET_ASSERT_LAYOUT(offsetof(net_host_t, timer_start) == 96, "host.timer_start");
NET_ASSERT_LAYOUT(offsetof(net_host_t, timer_cancel) == 104, "host.timer_cancel");
NET_ASSERT_LAYOUT(offsetof(net_host_t, metric_register) == 112, "host.metric_register");
NET_ASSERT_LAYOUT(offsetof(net_host_t, metric_add) == 120, "host.metric_add");
NET_ASSERT_LAYOUT(offsetof(net_host_t, metric_set) == 128, "host.metric_set");
NET_ASSERT_LAYOUT(offsetof(net_host_t, metric_observe) == 136, "host.metric_observe");
NET_ASSERT_LAYOUT(offsetof(net_host_t, interface_acquire) == 144, "host.interface_acquire");
NET_ASSERT_LAYOUT(offsetof(net_host_t, interface_release) == 152, "host.interface_release");
NET_ASSERT_LAYOUT(sizeof(net_host_t) == 160, "sizeof(net_host_t) for ABI 1.0");

NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, struct_size) == 0, "descriptor.struct_size");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, abi_version) == 4, "descriptor.abi_version");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, id) == 8, "descriptor.id");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, version) == 16, "descriptor.version");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, description) == 24, "descriptor.description");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, config_schema) == 32, "descriptor.config_schema");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, provides) == 40, "descriptor.provides");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, needs) == 48, "descriptor.needs");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, create) == 56, "descriptor.create");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, start) == 64, "descriptor.start");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, stop) == 72, "descriptor.stop");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, destroy) == 80, "descriptor.destroy");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, get_interface) == 88, "descriptor.get_interface");
NET_ASSERT_LAYOUT(offsetof(net_plugin_descriptor_t, last_error) == 96, "descriptor.last_error");
NET_ASSERT_LAYOUT(sizeof(net_plugin_descriptor_t) == 104, "sizeof(net_plugin_descriptor_t) for ABI 1.0");
NET_ASSERT_LAYOUT(NET_PLUGIN_DESCRIPTOR_SIZE_1_0 == 104, "NET_PLUGIN_DESCRIPTOR_SIZE_1_0");

/* net.transport/1 */
NET_ASSERT_LAYOUT(sizeof(net_endpoint_t) == 24 && offsetof(net_endpoint_t, port) == 2 &&
                      offsetof(net_endpoint_t, scope_id) == 4 && offsetof(net_endpoint_t, addr) == 8,
                  "net_endpoint_t");
NET_ASSERT_LAYOUT(sizeof(net_datagram_t) == 32 && offsetof(net_datagram_t, peer) == 8, "net_datagram_t");
NET_ASSERT_LAYOUT(sizeof(net_transport_stats_t) == 104 && offsetof(net_transport_stats_t, datagrams_sent) == 8 &&
                      offsetof(net_transport_stats_t, injected_delays) == 96,
                  "net_transport_stats_t");
NET_ASSERT_LAYOUT(sizeof(net_transport_v1_t) == 56 && offsetof(net_transport_v1_t, max_datagram) == 8 &&
                      offsetof(net_transport_v1_t, send_batch) == 40 && offsetof(net_transport_v1_t, stats) == 48,
                  "net_transport_v1_t");

/* net.reliability/1 */
NET_ASSERT_LAYOUT(sizeof(net_stream_frame_t) == 32 && offsetof(net_stream_frame_t, flags) == 8 &&
                      offsetof(net_stream_frame_t, event_count) == 10 && offsetof(net_stream_frame_t, payload) == 16,
                  "net_stream_frame_t");
NET_ASSERT_LAYOUT(sizeof(net_stream_stats_t) == 104 && offsetof(net_stream_stats_t, events_sent) == 8 &&
                      offsetof(net_stream_stats_t, congestion_window) == 88 &&
                      offsetof(net_stream_stats_t, credit_bytes) == 100,
                  "net_stream_stats_t");
NET_ASSERT_LAYOUT(sizeof(net_stream_link_t) == 56 && offsetof(net_stream_link_t, peer_address) == 8 &&
                      offsetof(net_stream_link_t, ctx) == 24 && offsetof(net_stream_link_t, send) == 32 &&
                      offsetof(net_stream_link_t, closed) == 48,
                  "net_stream_link_t");
NET_ASSERT_LAYOUT(sizeof(net_reliability_v1_t) == 56 && offsetof(net_reliability_v1_t, mode) == 8 &&
                      offsetof(net_reliability_v1_t, stream_open) == 16 &&
                      offsetof(net_reliability_v1_t, stream_destroy) == 48,
                  "net_reliability_v1_t");

/* net.mesh/1 */
NET_ASSERT_LAYOUT(sizeof(net_mesh_event_info_t) == 24 && offsetof(net_mesh_event_info_t, source_address) == 8 &&
                      offsetof(net_mesh_event_info_t, hops) == 16,
                  "net_mesh_event_info_t");
NET_ASSERT_LAYOUT(sizeof(net_mesh_v1_t) == 80 && offsetof(net_mesh_v1_t, local_address) == 8 &&
                      offsetof(net_mesh_v1_t, add_receiver) == 40 && offsetof(net_mesh_v1_t, send_subprotocol) == 72,
                  "net_mesh_v1_t");

#endif /* NET_TEST_ABI_LAYOUT_H */
