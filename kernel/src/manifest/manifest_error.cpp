// ManifestError: one message naming the file, the JSON pointer and what was expected.
#include <utility>

#include "net/kernel/manifest.hpp"

namespace net::kernel {
namespace {

std::string manifest_error_text(const std::string& file, const std::string& pointer, const std::string& detail)
{
    return file + ": " + (pointer.empty() ? "" : pointer + ": ") + detail;
}

}  // namespace

ManifestError::ManifestError(std::string in_file, std::string at, std::string what_failed, std::size_t at_line,
                             std::size_t at_column)
    : std::runtime_error(manifest_error_text(in_file, at, what_failed)),
      file(std::move(in_file)),
      pointer(std::move(at)),
      detail(std::move(what_failed)),
      line(at_line),
      column(at_column)
{
}

}  // namespace net::kernel
