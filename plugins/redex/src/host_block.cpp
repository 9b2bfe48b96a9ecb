#include "host_block.hpp"

#include <new>

namespace net::redex {
namespace {

class HostBlock final : public Block {
public:
    HostBlock(const net_host_t* host, net_buffer_t* handle) noexcept : host_(host), handle_(handle) {}
    ~HostBlock() override { host_->buffer_release(host_, handle_); }
    HostBlock(const HostBlock&) = delete;
    HostBlock& operator=(const HostBlock&) = delete;

    // The log writes only past the bytes it has handed out as slices, so writing through the
    // pointer obtained while the buffer was unique never changes what a reader sees.
    std::uint8_t* data() noexcept override { return handle_->data; }
    std::size_t size() const noexcept override { return handle_->len; }
    net_buffer_t* handle() const noexcept { return handle_; }

private:
    const net_host_t* host_;
    net_buffer_t* handle_;
};

}  // namespace

std::shared_ptr<Block> HostBlockAllocator::allocate(std::size_t size)
{
    net_buffer_t* handle = host_->buffer_alloc(host_, size);
    if (handle == nullptr) throw std::bad_alloc();
    return std::make_shared<HostBlock>(host_, handle);
}

net_buffer_t* HostBlockAllocator::slice(const Block& block, std::size_t offset, std::size_t length) const noexcept
{
    return host_->buffer_slice(host_, static_cast<const HostBlock&>(block).handle(), offset, length);
}

}  // namespace net::redex
