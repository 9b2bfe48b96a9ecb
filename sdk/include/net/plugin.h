/*
 * net/plugin.h — the plugin side of the ABI: the descriptor and the one exported symbol.
 *
 * A plugin library exports exactly one symbol, `net_plugin_entry`, which returns a pointer to a
 * static, constant descriptor. The kernel reads the descriptor, refuses it when the ABI does not
 * match (major differs, or minor newer than the kernel's), when struct_size is smaller than the
 * 1.0 layout, or when a required function is missing, and only then creates instances.
 *
 * Lifecycle of one instance, all calls [lifecycle] (made by the host's control thread, never two
 * at once for the same library):
 *
 *     create ──ok──▶ start ──ok──▶ ... ──▶ stop ──▶ destroy
 *        │              └─failed─▶ stop ──▶ destroy
 *        └─failed─▶ destroy (only if create wrote a non-NULL instance, so its last_error can be read)
 *
 * Growth rule: fields are only appended; the host checks struct_size before reading a newer one.
 */
#ifndef NET_PLUGIN_H
#define NET_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "net/host.h"
#include "net/status.h"
#include "net/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An instance of a plugin. Opaque to the host: the plugin defines it. */
typedef struct net_plugin_instance net_plugin_instance_t;

typedef struct net_plugin_descriptor {
    /* sizeof(net_plugin_descriptor_t) as the plugin compiled it. Required. */
    uint32_t struct_size;
    /* NET_ABI_VERSION as the plugin compiled it. Required. */
    uint32_t abi_version;

    /* Reverse-DNS identifier, unique among plugins ("net.transport.udp", "org.example.greeter").
     * Required; static storage. */
    const char *id;
    /* Semantic version of the plugin ("1.2.0"). Required; static storage. */
    const char *version;
    /* One line saying what it does. Optional (may be NULL); static storage. */
    const char *description;
    /* JSON Schema (draft 2020-12 subset, see docs/abi.md) of the instance config, as JSON text.
     * When non-NULL the host validates the manifest's config against it before create, and create
     * is never called with a config the schema rejects. Optional; static storage. */
    const char *config_schema;
    /* NULL-terminated list of interface ids the instances provide (what get_interface answers).
     * Used by `net-mesh plugins inspect` and by the host to resolve `requires`. Optional (NULL =
     * none); static storage. */
    const char *const *provides;
    /* NULL-terminated list of interface ids the instances need from other instances; the host
     * starts a provider before any instance that needs it. Optional; static storage. */
    const char *const *needs;

    /* Creates an instance. `host` is this instance's host table (valid until destroy returns).
     * `config_json` is the instance config as JSON text (never NULL; "{}" when the manifest gives
     * none), borrowed for the call and already validated against config_schema.
     * On success writes the instance to `*out` and returns NET_OK. On failure returns an error
     * and either leaves `*out` NULL, or writes an instance whose last_error says what went wrong;
     * the host then reads last_error and calls destroy on it. Required. [lifecycle] */
    net_status_t (*create)(const net_host_t *host, const char *config_json, size_t config_len,
                           net_plugin_instance_t **out);

    /* Starts the instance: open sockets, start timers. On failure returns an error (last_error
     * says why) and the host calls stop then destroy. Required. [lifecycle] */
    net_status_t (*start)(net_plugin_instance_t *self);

    /* Stops the instance: after it returns, the instance starts no new work. The instance's tasks
     * and timers may still run while stop runs; once it has returned the host runs none of them
     * and waits for any still running before it calls destroy. Called once after start (whether
     * start succeeded or not), never without start. Must not fail. Required. [lifecycle] */
    void (*stop)(net_plugin_instance_t *self);

    /* Frees the instance and everything it owns, releasing every buffer and interface reference it
     * still holds. Safe after a failed create and after stop. Required. [lifecycle] */
    void (*destroy)(net_plugin_instance_t *self);

    /* Returns the function table for interface `id` (one of `provides`), or NULL for an id the
     * instance does not provide, including unknown ids. The table is owned by the plugin and
     * stays valid until destroy; the object passed to its functions is `self`. Required.
     * [any-thread] */
    const void *(*get_interface)(net_plugin_instance_t *self, const char *id);

    /* Returns the instance's last error message, or NULL/"" when there was none. The string is
     * owned by the instance and valid until the next call on that instance. Required.
     * [any-thread] */
    const char *(*last_error)(net_plugin_instance_t *self);
} net_plugin_descriptor_t;

/* The smallest struct_size the kernel accepts: the ABI 1.0 layout up to last_error. */
#define NET_PLUGIN_DESCRIPTOR_SIZE_1_0 (offsetof(net_plugin_descriptor_t, last_error) + sizeof(void *))

/* The name of the one exported symbol, as a string for dlsym/Boost.DLL. */
#define NET_PLUGIN_ENTRY_SYMBOL "net_plugin_entry"

/* The one exported symbol. Returns a descriptor with static storage duration; called once per
 * load, on the host's control thread. Must not fail and must not allocate. */
typedef const net_plugin_descriptor_t *(*net_plugin_entry_fn)(void);

#if defined(_WIN32)
#define NET_PLUGIN_EXPORT __declspec(dllexport)
#else
#define NET_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
}
#endif

#endif /* NET_PLUGIN_H */
