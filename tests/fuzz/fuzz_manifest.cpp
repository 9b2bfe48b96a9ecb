// Fuzzes manifest parsing and validation (bytes from disk): any input must end in a parsed
// document or a ManifestError, never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/kernel/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)net::kernel::parse_manifest_document(text, "fuzz.json");
    } catch (const net::kernel::ManifestError&) {
    }
    return 0;
}
