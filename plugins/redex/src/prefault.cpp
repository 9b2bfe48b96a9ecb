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

// The whole pages inside [begin, end), or an empty range.
bool whole_pages(std::uint8_t* begin, std::uint8_t* end, std::uintptr_t& first, std::uintptr_t& last) noexcept
{
    const std::uintptr_t page = page_size();
    first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    last = reinterpret_cast<std::uintptr_t>(end) / page * page;
    return first < last;
}

}  // namespace

void advise_huge_pages(std::uint8_t* block, std::size_t size) noexcept
{
    std::uintptr_t first = 0, last = 0;
    if (whole_pages(block, block + size, first, last)) {
        ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
    }
}

std::size_t prefault_for_writes(std::uint8_t* block, std::size_t size, std::size_t from, std::size_t to) noexcept
{
    to = std::min(to, size);
    // From the page holding `from` (populating keeps what is written there), but not before the
    // block's first whole page.
    const std::uintptr_t page = page_size();
    const std::uintptr_t block_start = (reinterpret_cast<std::uintptr_t>(block) + page - 1) / page * page;
    const std::uintptr_t first = std::max(block_start, reinterpret_cast<std::uintptr_t>(block + from) / page * page);
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(block + to) / page * page;
    if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
    return to;
}

}  // namespace net::redex
