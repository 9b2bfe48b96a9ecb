#include "block.hpp"

#include <vector>

namespace net::redex {
namespace {

class HeapBlock final : public Block {
public:
    explicit HeapBlock(std::size_t size) : bytes_(size) {}
    std::uint8_t* data() noexcept override { return bytes_.data(); }
    std::size_t size() const noexcept override { return bytes_.size(); }

private:
    std::vector<std::uint8_t> bytes_;
};

}  // namespace

std::shared_ptr<Block> HeapBlockAllocator::allocate(std::size_t size) { return std::make_shared<HeapBlock>(size); }

}  // namespace net::redex
