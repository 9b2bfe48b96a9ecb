// The host table's functions. Each one recovers its InstanceContext from self->host_data; none
// lets an exception escape (they are called from C).
#include <chrono>
#include <memory>
#include <thread>

#include "net/kernel/buffer_pool.hpp"
#include "net/kernel/event_loop.hpp"
#include "net/kernel/logger.hpp"
#include "net/kernel/metrics.hpp"
#include "net/kernel/plugin_instance.hpp"

namespace net::kernel {

namespace {

// What net_interface_ref_t::token points to: the provider's library stays loaded while it exists.
struct InterfaceToken {
    std::shared_ptr<PluginLibrary> provider;
    std::shared_ptr<InstanceContext> acquirer;
};

InstanceContext& ctx(const net_host_t* self) noexcept { return *static_cast<InstanceContext*>(self->host_data); }

void count_taken(InstanceContext& c) noexcept { c.buffer_refs_taken.fetch_add(1, std::memory_order_relaxed); }
void count_dropped(InstanceContext& c) noexcept { c.buffer_refs_dropped.fetch_add(1, std::memory_order_relaxed); }

void host_log(const net_host_t* self, net_log_level_t level, const char* message)
{
    InstanceContext& c = ctx(self);
    c.services->logger.write(level, c.name, message ? message : "");
}

net_buffer_t* host_buffer_alloc(const net_host_t* self, size_t len)
{
    InstanceContext& c = ctx(self);
    const std::uint32_t nth = c.services->fail_every_nth_alloc;
    if (nth != 0 && (c.alloc_calls.fetch_add(1, std::memory_order_relaxed) + 1) % nth == 0) return nullptr;
    net_buffer_t* b = c.services->buffers.allocate(len);
    if (b != nullptr) count_taken(c);
    return b;
}

net_buffer_t* host_buffer_retain(const net_host_t* self, net_buffer_t* buffer)
{
    if (buffer == nullptr) return nullptr;
    count_taken(ctx(self));
    return BufferPool::retain(buffer);
}

void host_buffer_release(const net_host_t* self, net_buffer_t* buffer)
{
    if (buffer == nullptr) return;
    count_dropped(ctx(self));
    BufferPool::release(buffer);
}

net_buffer_t* host_buffer_slice(const net_host_t* self, net_buffer_t* buffer, size_t offset, size_t len)
{
    if (buffer == nullptr) return nullptr;
    net_buffer_t* s = BufferPool::slice(buffer, offset, len);
    if (s != nullptr) count_taken(ctx(self));
    return s;
}

int host_buffer_is_unique(const net_host_t*, const net_buffer_t* buffer)
{
    return buffer != nullptr && BufferPool::is_unique(buffer) ? 1 : 0;
}

net_buffer_t* host_buffer_make_unique(const net_host_t*, net_buffer_t* buffer)
{
    // Consumes one reference and returns one: the count is unchanged either way.
    return buffer == nullptr ? nullptr : BufferPool::make_unique(buffer);
}

net_status_t host_buffer_set_len(const net_host_t*, net_buffer_t* buffer, size_t len)
{
    return buffer == nullptr ? NET_E_INVALID_ARGUMENT : BufferPool::set_len(buffer, len);
}

net_status_t host_post(const net_host_t* self, net_task_fn fn, void* user)
{
    if (fn == nullptr) return NET_E_INVALID_ARGUMENT;
    InstanceContext& c = ctx(self);
    try {
        // The task holds the context (and so the library) until it has left the queue.
        std::shared_ptr<InstanceContext> keep = c.shared_from_this();
        const bool queued = c.services->loop.post([keep, fn, user] { keep->run_callback(fn, user); });
        return queued ? NET_OK : NET_E_SHUTTING_DOWN;
    } catch (...) {
        return NET_E_NO_MEMORY;
    }
}

net_status_t host_timer_start(const net_host_t* self, uint64_t delay_ns, uint64_t period_ns, net_task_fn fn,
                              void* user, net_timer_id_t* out_id)
{
    if (fn == nullptr || out_id == nullptr) return NET_E_INVALID_ARGUMENT;
    InstanceContext& c = ctx(self);
    try {
        std::shared_ptr<InstanceContext> keep = c.shared_from_this();
        auto id_slot = std::make_shared<std::atomic<TimerId>>(0);
        const bool one_shot = period_ns == 0;
        // Held while arming, so a one-shot that fires at once finds its id already recorded.
        std::lock_guard lock(c.timers_mutex);
        const TimerId id = c.services->loop.start_timer(
            std::chrono::nanoseconds(delay_ns), std::chrono::nanoseconds(period_ns), [keep, fn, user, id_slot, one_shot] {
                keep->run_callback(fn, user);
                if (one_shot) {
                    std::lock_guard done(keep->timers_mutex);
                    keep->timers.erase(id_slot->load());
                }
            });
        if (id == 0) return NET_E_SHUTTING_DOWN;
        c.timers.insert(id);
        id_slot->store(id);
        *out_id = id;
        return NET_OK;
    } catch (...) {
        return NET_E_NO_MEMORY;
    }
}

net_status_t host_timer_cancel(const net_host_t* self, net_timer_id_t id)
{
    InstanceContext& c = ctx(self);
    {
        std::lock_guard lock(c.timers_mutex);
        if (c.timers.erase(id) == 0) return NET_E_NOT_FOUND;
    }
    return c.services->loop.cancel_timer(id) ? NET_OK : NET_E_NOT_FOUND;
}

net_metric_t* host_metric_register(const net_host_t* self, net_metric_kind_t kind, const char* name, const char* help)
{
    if (name == nullptr || name[0] == '\0') return nullptr;
    InstanceContext& c = ctx(self);
    try {
        return c.services->metrics.register_metric(kind, c.name + "." + name, help ? help : "");
    } catch (...) {
        return nullptr;
    }
}

void host_metric_add(const net_host_t*, net_metric_t* metric, int64_t delta)
{
    if (metric != nullptr) metric->add(delta);
}

void host_metric_set(const net_host_t*, net_metric_t* metric, int64_t value)
{
    if (metric != nullptr) metric->set(value);
}

void host_metric_observe(const net_host_t*, net_metric_t* metric, uint64_t sample)
{
    if (metric != nullptr) metric->observe(sample);
}

net_status_t host_interface_acquire(const net_host_t* self, const char* provider, const char* id,
                                    net_interface_ref_t* out)
{
    if (id == nullptr || out == nullptr) return NET_E_INVALID_ARGUMENT;
    *out = net_interface_ref_t{};
    InstanceContext& c = ctx(self);
    if (c.services->interfaces == nullptr) return NET_E_NOT_FOUND;
    try {
        auto found = c.services->interfaces->resolve_interface(provider, id);
        if (!found) return NET_E_NOT_FOUND;
        // The token keeps the provider's library loaded until interface_release.
        out->vtable = found->vtable;
        out->object = found->object;
        out->token = new InterfaceToken{std::move(found->keepalive), c.shared_from_this()};
        c.interface_refs.fetch_add(1, std::memory_order_relaxed);
        return NET_OK;
    } catch (...) {
        *out = net_interface_ref_t{};
        return NET_E_NO_MEMORY;
    }
}

// Releasing never reads `self`: a reference may be released after the instance that acquired it
// is gone (the token keeps what the release needs).
void host_interface_release(const net_host_t*, net_interface_ref_t* ref)
{
    if (ref == nullptr || ref->token == nullptr) return;
    auto* token = static_cast<InterfaceToken*>(ref->token);
    token->acquirer->interface_refs.fetch_sub(1, std::memory_order_relaxed);
    delete token;
    *ref = net_interface_ref_t{};
}

}  // namespace

void InstanceContext::run_callback(net_task_fn fn, void* user) noexcept
{
    // Announce first, then look: close_callbacks() either sees this callback running or this
    // callback sees callbacks closed (both sides use sequentially consistent operations).
    callbacks_running.fetch_add(1);
    if (callbacks_open.load()) fn(user);
    callbacks_running.fetch_sub(1);
}

void InstanceContext::close_callbacks() noexcept
{
    callbacks_open.store(false);
    while (callbacks_running.load() != 0) std::this_thread::yield();
}

std::shared_ptr<InstanceContext> make_instance_context(std::string name, HostServices& services,
                                                       std::shared_ptr<PluginLibrary> library)
{
    auto c = std::make_shared<InstanceContext>();
    c->name = std::move(name);
    c->services = &services;
    c->library = std::move(library);
    net_host_t& t = c->table;
    t.struct_size = sizeof(net_host_t);
    t.abi_version = NET_ABI_VERSION;
    t.host_data = c.get();
    t.instance_name = c->name.c_str();
    t.log = host_log;
    t.buffer_alloc = host_buffer_alloc;
    t.buffer_retain = host_buffer_retain;
    t.buffer_release = host_buffer_release;
    t.buffer_slice = host_buffer_slice;
    t.buffer_is_unique = host_buffer_is_unique;
    t.buffer_make_unique = host_buffer_make_unique;
    t.buffer_set_len = host_buffer_set_len;
    t.post = host_post;
    t.timer_start = host_timer_start;
    t.timer_cancel = host_timer_cancel;
    t.metric_register = host_metric_register;
    t.metric_add = host_metric_add;
    t.metric_set = host_metric_set;
    t.metric_observe = host_metric_observe;
    t.interface_acquire = host_interface_acquire;
    t.interface_release = host_interface_release;
    return c;
}

}  // namespace net::kernel
