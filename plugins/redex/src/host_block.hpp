// A Block backed by a kernel pool buffer, so that a read becomes a buffer slice (no copy).
#pragma once

#include "block.hpp"
#include "net/host.h"

namespace net::redex {

class HostBlockAllocator final : public BlockAllocator {
public:
    explicit HostBlockAllocator(const net_host_t* host) noexcept : host_(host) {}
    std::shared_ptr<Block> allocate(std::size_t size) override;

    // A new buffer handle over the entry's bytes (shares the block's storage); NULL on failure.
    net_buffer_t* slice(const Block& block, std::size_t offset, std::size_t length) const noexcept;

private:
    const net_host_t* host_;
};

}  // namespace net::redex
