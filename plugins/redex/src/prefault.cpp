#include "prefault.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older glibc headers lack the name
#endif

namespace net::redex {
namespace {

std::uintptr_t page_size() noexcept
{
    static const auto size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

std::uintptr_t page_down(const void* p) noexcept { return reinterpret_cast<std::uintptr_t>(p) / page_size() * page_size(); }
std::uintptr_t page_up(const void* p) noexcept
{
    return (reinterpret_cast<std::uintptr_t>(p) + page_size() - 1) / page_size() * page_size();
}

}  // namespace

void advise_huge_pages(std::uint8_t* block, std::size_t size) noexcept
{
    const std::uintptr_t first = page_up(block), last = page_down(block + size);
    if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

std::size_t prefault_for_writes(std::uint8_t* block, std::size_t size, std::size_t from, std::size_t to) noexcept
{
    to = std::min(to, size);
    // From the page holding `from` (populating keeps what is written there), but not before the
    // block's first whole page.
    const std::uintptr_t first = std::max(page_up(block), page_down(block + from));
    const std::uintptr_t last = page_down(block + to);
    if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
    return to;
}

}  // namespace net::redex
