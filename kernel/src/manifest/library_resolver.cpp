// Plugin library lookup: explicit paths relative to the declaring manifest, bare names on the
// search path (options, then NET_PLUGIN_PATH, then the manifest's own folder).
#include <cstdlib>
#include <system_error>

#include "net/kernel/manifest.hpp"

namespace net::kernel {
namespace fs = std::filesystem;

namespace {

bool is_library_file(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

fs::path absolute_normal(const fs::path& p)
{
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    return (ec ? p : abs).lexically_normal();
}

}  // namespace

std::vector<fs::path> plugin_search_path_from_env()
{
    std::vector<fs::path> out;
    const char* value = std::getenv("NET_PLUGIN_PATH");
    if (value == nullptr) return out;
    std::string_view rest(value);
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const std::string_view entry = rest.substr(0, colon);
        if (!entry.empty()) out.emplace_back(entry);
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return out;
}

LibraryResolution resolve_plugin_library(const std::string& library, const fs::path& manifest_dir,
                                         const std::vector<fs::path>& search_path)
{
    LibraryResolution result;
    const fs::path base = manifest_dir.empty() ? fs::path(".") : manifest_dir;
    const bool explicit_path = library.find('/') != std::string::npos || library.ends_with(".so");
    if (explicit_path) {
        const fs::path candidate = absolute_normal(base / library);  // `/` keeps an absolute library as is
        result.tried.push_back(candidate);
        if (is_library_file(candidate)) result.path = candidate;
        return result;
    }
    std::vector<fs::path> dirs = search_path;
    dirs.push_back(base);
    const std::string names[] = {"lib" + library + ".so", library + ".so", library};
    for (const auto& dir : dirs) {
        for (const auto& name : names) {
            const fs::path candidate = absolute_normal(dir / name);
            result.tried.push_back(candidate);
            if (is_library_file(candidate)) {
                result.path = candidate;
                return result;
            }
        }
    }
    return result;
}

}  // namespace net::kernel
