// Memory the log stores payloads in, and hands out to readers without copying. The plugin backs a
// Block with a kernel buffer (so a read becomes a buffer slice); tests use plain heap blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace net::redex {

// A fixed-size writable region. The log writes only bytes no reader has been given yet, so
// readers of earlier bytes never see a change.
class Block {
public:
    virtual ~Block() = default;
    virtual std::uint8_t* data() noexcept = 0;
    virtual std::size_t size() const noexcept = 0;
};

class BlockAllocator {
public:
    virtual ~BlockAllocator() = default;
    // Throws std::bad_alloc when the memory is not available.
    virtual std::shared_ptr<Block> allocate(std::size_t size) = 0;
};

class HeapBlockAllocator final : public BlockAllocator {
public:
    std::shared_ptr<Block> allocate(std::size_t size) override;
};

}  // namespace net::redex
