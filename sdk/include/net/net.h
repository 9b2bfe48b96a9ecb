/*
 * net/net.h — the whole Net plugin C ABI in one include.
 *
 * Thread tags used in every function comment of this SDK:
 *   [any-thread]  callable from any thread, concurrently, including threads the plugin created.
 *   [loop]        only from an event-loop thread: inside a task, a timer callback, or a callback
 *                 the host made on the loop.
 *   [lifecycle]   only from inside create, start, stop or destroy. The host serialises these per
 *                 library, so they never run concurrently with each other.
 *
 * Ownership words:
 *   borrowed      valid only until the call returns; copy what you keep.
 *   owned by X    X frees it; the other side never does.
 *   static        lives as long as the library is loaded.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "net/buffer.h"
#include "net/host.h"
#include "net/log.h"
#include "net/metrics.h"
#include "net/plugin.h"
#include "net/status.h"
#include "net/version.h"

#endif /* NET_NET_H */
