// Faulting in the pages of a memory segment ahead of the appends that will write them. A first
// write to a fresh anonymous page costs a page fault each; on virtual machines that is several
// microseconds, more than copying a 1 KiB entry. One madvise(MADV_POPULATE_WRITE) call faults in a
// whole range for a fraction of that. Best effort: a kernel without it (before Linux 5.14) just
// takes the faults at the writes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace net::redex {

// Bytes faulted in ahead of the write position at a time.
inline constexpr std::size_t kPrefaultAhead = 256u << 10;

// Asks for transparent huge pages over the block (where the system allows them only on request).
void advise_huge_pages(std::uint8_t* block, std::size_t size) noexcept;

// Faults in the whole pages of block[from, to) for writing (`to` clamped to `size`). Returns `to`.
std::size_t prefault_for_writes(std::uint8_t* block, std::size_t size, std::size_t from, std::size_t to) noexcept;

}  // namespace net::redex
