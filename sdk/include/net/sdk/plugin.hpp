// net/sdk/plugin.hpp — write a plugin as a C++ class; export it with one macro.
//
//     class Greeter : public net::sdk::Plugin {
//     public:
//         static constexpr const char* kId = "org.example.greeter";
//         static constexpr const char* kVersion = "1.0.0";
//         static constexpr const char* kDescription = "says hello";
//         static constexpr const char* kConfigSchema = R"({"type":"object"})";   // or nullptr
//         static constexpr const char* const kProvides[] = {"org.example.greeter/1", nullptr};
//         static constexpr const char* const* kNeeds = nullptr;
//
//         Greeter(const net_host_t* host, std::string_view config_json);   // may throw
//         void start() override;                                          // may throw
//         void stop() noexcept override;
//         const void* get_interface(std::string_view id) noexcept override;
//     };
//     NET_SDK_EXPORT_PLUGIN(Greeter)
//
// The trampolines catch every exception (net::sdk::guard) and keep the message for last_error,
// including when the constructor throws: the host can then read why create failed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/plugin.h"
#include "net/sdk/status.hpp"

namespace net::sdk {

class Plugin {
public:
    explicit Plugin(const net_host_t* host) noexcept : host_(host) {}
    virtual ~Plugin() = default;
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    virtual void start() {}
    virtual void stop() noexcept {}
    virtual const void* get_interface(std::string_view /*id*/) noexcept { return nullptr; }

    const net_host_t* host() const noexcept { return host_; }
    void log(net_log_level_t level, const std::string& message) const noexcept
    {
        host_->log(host_, level, message.c_str());
    }

private:
    const net_host_t* host_;
};

namespace detail {

// What the host sees as net_plugin_instance_t: the object (absent when its constructor threw)
// and the last error, which must outlive a failed construction. The object lives inside the box,
// so an interface call reaches it without a pointer chase.
template <class T>
struct InstanceBox {
    std::optional<T> object;
    std::string last_error;
};

template <class T>
struct Trampolines {
    static InstanceBox<T>* box(net_plugin_instance_t* self) noexcept { return reinterpret_cast<InstanceBox<T>*>(self); }

    static net_status_t create(const net_host_t* host, const char* config, size_t config_len,
                               net_plugin_instance_t** out) noexcept
    {
        if (out == nullptr) return NET_E_INVALID_ARGUMENT;
        *out = nullptr;
        InstanceBox<T>* b = new (std::nothrow) InstanceBox<T>();
        if (b == nullptr) return NET_E_NO_MEMORY;
        *out = reinterpret_cast<net_plugin_instance_t*>(b);
        return guard(&b->last_error, [&] { b->object.emplace(host, std::string_view(config, config_len)); });
    }

    static net_status_t start(net_plugin_instance_t* self) noexcept
    {
        InstanceBox<T>* b = box(self);
        if (!b->object) return NET_E_BAD_STATE;
        return guard(&b->last_error, [&] { b->object->start(); });
    }

    static void stop(net_plugin_instance_t* self) noexcept
    {
        InstanceBox<T>* b = box(self);
        if (b->object) b->object->stop();
    }

    static void destroy(net_plugin_instance_t* self) noexcept
    {
        InstanceBox<T>* b = box(self);
        guard(nullptr, [&] { b->object.reset(); });
        delete b;
    }

    static const void* get_interface(net_plugin_instance_t* self, const char* id) noexcept
    {
        InstanceBox<T>* b = box(self);
        if (!b->object || id == nullptr) return nullptr;
        return b->object->get_interface(id);
    }

    static const char* last_error(net_plugin_instance_t* self) noexcept { return box(self)->last_error.c_str(); }
};

}  // namespace detail

// The object behind an interface call's `self` (the instance the host passed as ref.object).
template <class T>
T& instance_of(void* self) noexcept
{
    return *reinterpret_cast<detail::InstanceBox<T>*>(self)->object;
}

// The descriptor for plugin class T, a constant with static storage.
template <class T>
inline constexpr net_plugin_descriptor_t descriptor_of = {
    sizeof(net_plugin_descriptor_t),
    NET_ABI_VERSION,
    T::kId,
    T::kVersion,
    T::kDescription,
    T::kConfigSchema,
    T::kProvides,
    T::kNeeds,
    &detail::Trampolines<T>::create,
    &detail::Trampolines<T>::start,
    &detail::Trampolines<T>::stop,
    &detail::Trampolines<T>::destroy,
    &detail::Trampolines<T>::get_interface,
    &detail::Trampolines<T>::last_error,
};

}  // namespace net::sdk

// Defines the library's one exported symbol for plugin class `Type`. Use once per library.
#define NET_SDK_EXPORT_PLUGIN(Type) \
    extern "C" NET_PLUGIN_EXPORT const net_plugin_descriptor_t* net_plugin_entry(void) { return &::net::sdk::descriptor_of<Type>; }
