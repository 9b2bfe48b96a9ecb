// net/kernel/host_services.hpp — what the kernel lends to plugin instances through their host
// tables, and how an instance reaches interfaces provided by others.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "net/host.h"

namespace net::kernel {

class BufferPool;
class EventLoop;
class Logger;
class MetricsRegistry;
class PluginLibrary;

// Finds interface `id` for a requesting instance. `keepalive` (may be null for kernel services)
// keeps the providing library loaded while the reference is held.
class InterfaceResolver {
public:
    struct Found {
        const void* vtable;
        void* object;
        std::shared_ptr<PluginLibrary> keepalive;
    };
    virtual ~InterfaceResolver() = default;
    virtual std::optional<Found> resolve_interface(const char* provider, const char* id) = 0;
};

struct HostServices {
    EventLoop& loop;
    BufferPool& buffers;
    MetricsRegistry& metrics;
    Logger& logger;
    InterfaceResolver* interfaces = nullptr;
    // Checking host (conformance): when non-zero, every Nth buffer_alloc returns NULL.
    std::uint32_t fail_every_nth_alloc = 0;
};

}  // namespace net::kernel
