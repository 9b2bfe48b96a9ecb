// PluginLibrary: the load path checks the cheap, specific things first (file exists, is ELF, is a
// shared object) so that a bad file gets a message saying exactly that, then lets Boost.DLL map it.
#include "net/kernel/plugin_library.hpp"

#include <dlfcn.h>

#include <array>
#include <fstream>

#include <boost/dll/shared_library_load_mode.hpp>
#include <nlohmann/json.hpp>

namespace net::kernel {

namespace {

std::string abi_string(std::uint32_t v)
{
    return std::to_string(NET_ABI_MAJOR(v)) + "." + std::to_string(NET_ABI_MINOR(v));
}

// Describes why `file` cannot be a loadable shared object, or returns an empty string.
std::string elf_problem(const std::filesystem::path& file)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return "no such file";
    if (!std::filesystem::is_regular_file(file, ec)) return "not a regular file";
    std::ifstream in(file, std::ios::binary);
    if (!in) return "cannot be opened for reading";
    std::array<unsigned char, 18> header{};
    in.read(reinterpret_cast<char*>(header.data()), header.size());
    if (in.gcount() < static_cast<std::streamsize>(header.size()) || header[0] != 0x7f || header[1] != 'E' ||
        header[2] != 'L' || header[3] != 'F') {
        return "not a shared library (no ELF header)";
    }
    const unsigned e_type = header[16] | (header[17] << 8);  // little-endian hosts only
    if (e_type != 3 /* ET_DYN */) return "not a shared library (ELF file of type " + std::to_string(e_type) + ")";
    return {};
}

// Boost.DLL clears dlerror(); ask the dynamic loader again for its own words.
std::string dlopen_problem(const std::filesystem::path& file)
{
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
        ::dlclose(handle);
        return "the dynamic loader refused it";
    }
    const char* err = ::dlerror();
    return err ? err : "the dynamic loader refused it";
}

std::vector<std::string> id_list(const char* const* list)
{
    std::vector<std::string> out;
    for (; list != nullptr && *list != nullptr; ++list) out.emplace_back(*list);
    return out;
}

}  // namespace

std::optional<std::string> check_plugin_descriptor(const net_plugin_descriptor_t* d, std::uint32_t host_abi)
{
    if (d == nullptr) return std::string("net_plugin_entry returned NULL");
    constexpr std::size_t header = offsetof(net_plugin_descriptor_t, abi_version) + sizeof(std::uint32_t);
    if (d->struct_size < header) {
        return "descriptor struct_size " + std::to_string(d->struct_size) + " is too small to hold an ABI version";
    }
    const std::uint32_t abi = d->abi_version;
    if (NET_ABI_MAJOR(abi) != NET_ABI_MAJOR(host_abi)) {
        return "ABI mismatch: plugin is built for ABI " + abi_string(abi) + ", kernel speaks ABI " +
               abi_string(host_abi) + " (major versions differ)";
    }
    if (NET_ABI_MINOR(abi) > NET_ABI_MINOR(host_abi)) {
        return "ABI mismatch: plugin is built for ABI " + abi_string(abi) + ", newer than the kernel's ABI " +
               abi_string(host_abi) + " (rebuild it against this SDK or upgrade the kernel)";
    }
    if (d->struct_size < NET_PLUGIN_DESCRIPTOR_SIZE_1_0) {
        return "descriptor struct_size " + std::to_string(d->struct_size) + " is smaller than the ABI 1.0 layout (" +
               std::to_string(NET_PLUGIN_DESCRIPTOR_SIZE_1_0) + " bytes)";
    }
    std::string missing;
    auto require = [&missing](bool present, const char* field) {
        if (!present) missing += (missing.empty() ? "" : ", ") + std::string(field);
    };
    require(d->id != nullptr && d->id[0] != '\0', "id");
    require(d->version != nullptr && d->version[0] != '\0', "version");
    require(d->create != nullptr, "create");
    require(d->start != nullptr, "start");
    require(d->stop != nullptr, "stop");
    require(d->destroy != nullptr, "destroy");
    require(d->get_interface != nullptr, "get_interface");
    require(d->last_error != nullptr, "last_error");
    if (!missing.empty()) return "descriptor is missing required field(s): " + missing;
    return std::nullopt;
}

std::shared_ptr<PluginLibrary> PluginLibrary::load(const std::filesystem::path& file, std::uint32_t host_abi)
{
    if (std::string problem = elf_problem(file); !problem.empty()) throw PluginLoadError(file, problem);

    std::shared_ptr<PluginLibrary> lib(new PluginLibrary());
    lib->file_ = file;
    try {
        lib->library_.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception&) {
        throw PluginLoadError(file, "cannot be loaded: " + dlopen_problem(file));
    }
    if (!lib->library_.has(NET_PLUGIN_ENTRY_SYMBOL)) {
        throw PluginLoadError(file, "does not export the entry symbol '" NET_PLUGIN_ENTRY_SYMBOL
                                    "' (is it a Net plugin? did you forget NET_PLUGIN_EXPORT?)");
    }
    auto entry = lib->library_.get<const net_plugin_descriptor_t*()>(NET_PLUGIN_ENTRY_SYMBOL);
    lib->descriptor_ = entry();
    if (auto problem = check_plugin_descriptor(lib->descriptor_, host_abi)) throw PluginLoadError(file, *problem);

    const net_plugin_descriptor_t& d = *lib->descriptor_;
    lib->provides_ = id_list(d.provides);
    lib->needs_ = id_list(d.needs);
    if (d.config_schema != nullptr) {
        try {
            lib->schema_ = JsonSchema::compile(nlohmann::json::parse(d.config_schema));
        } catch (const std::exception& e) {
            throw PluginLoadError(file, "plugin " + std::string(d.id) + " publishes an invalid config schema: " + e.what());
        }
    }
    return lib;
}

PluginLibrary::~PluginLibrary() = default;

std::vector<SchemaViolation> PluginLibrary::validate_config(const nlohmann::json& config) const
{
    if (schema_) return schema_->validate(config);
    if (!config.is_object()) return {SchemaViolation{"", "expected object, got " + std::string(config.type_name())}};
    return {};
}

}  // namespace net::kernel
