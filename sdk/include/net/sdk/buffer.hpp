// net/sdk/buffer.hpp — RAII over net_buffer_t handles.
//
// A Buffer owns exactly one reference. It moves but does not copy: sharing is explicit
// (share() adds a reference, slice() views part of the storage), so a reader of plugin code can
// see every place where bytes become shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "net/host.h"
#include "net/sdk/status.hpp"

namespace net::sdk {

class Buffer {
public:
    Buffer() noexcept = default;

    // Takes over a reference the caller owns.
    static Buffer adopt(const net_host_t* host, net_buffer_t* handle) noexcept { return Buffer(host, handle); }

    // Allocates `len` uninitialised bytes; throws Error(NET_E_NO_MEMORY) on failure.
    static Buffer allocate(const net_host_t* host, std::size_t len)
    {
        net_buffer_t* handle = host->buffer_alloc(host, len);
        if (handle == nullptr) throw Error(NET_E_NO_MEMORY, "buffer_alloc failed for " + std::to_string(len) + " bytes");
        return Buffer(host, handle);
    }

    Buffer(Buffer&& other) noexcept : host_(other.host_), handle_(std::exchange(other.handle_, nullptr)) {}
    Buffer& operator=(Buffer&& other) noexcept
    {
        if (this != &other) {
            reset();
            host_ = other.host_;
            handle_ = std::exchange(other.handle_, nullptr);
        }
        return *this;
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { reset(); }

    // A second reference to the same view.
    Buffer share() const noexcept { return handle_ ? Buffer(host_, host_->buffer_retain(host_, handle_)) : Buffer(); }

    // A new handle over bytes [offset, offset + len) of the same storage; throws on a bad range.
    Buffer slice(std::size_t offset, std::size_t len) const
    {
        net_buffer_t* s = handle_ ? host_->buffer_slice(host_, handle_, offset, len) : nullptr;
        if (s == nullptr) throw Error(NET_E_INVALID_ARGUMENT, "slice out of range");
        return Buffer(host_, s);
    }

    // Makes this handle unique, copying only if the storage is shared; throws on failure (and
    // then still holds the original reference).
    void make_unique()
    {
        if (handle_ == nullptr) return;
        net_buffer_t* u = host_->buffer_make_unique(host_, handle_);
        if (u == nullptr) throw Error(NET_E_NO_MEMORY, "buffer_make_unique failed");
        handle_ = u;
    }

    bool unique() const noexcept { return handle_ != nullptr && host_->buffer_is_unique(host_, handle_) != 0; }

    std::span<const std::uint8_t> bytes() const noexcept
    {
        return handle_ ? std::span<const std::uint8_t>(handle_->data, handle_->len) : std::span<const std::uint8_t>();
    }

    // Writable bytes; throws unless the handle is unique (call make_unique first).
    std::span<std::uint8_t> mutable_bytes()
    {
        if (!unique()) throw Error(NET_E_BAD_STATE, "buffer is shared; call make_unique() before writing");
        return {handle_->data, handle_->len};
    }

    std::size_t size() const noexcept { return handle_ ? handle_->len : 0; }
    bool empty() const noexcept { return size() == 0; }
    explicit operator bool() const noexcept { return handle_ != nullptr; }
    net_buffer_t* get() const noexcept { return handle_; }

    // Gives up ownership: the caller now owns the reference.
    net_buffer_t* release() noexcept { return std::exchange(handle_, nullptr); }

    void reset() noexcept
    {
        if (handle_ != nullptr) host_->buffer_release(host_, std::exchange(handle_, nullptr));
    }

private:
    Buffer(const net_host_t* host, net_buffer_t* handle) noexcept : host_(host), handle_(handle) {}

    const net_host_t* host_ = nullptr;
    net_buffer_t* handle_ = nullptr;
};

}  // namespace net::sdk
