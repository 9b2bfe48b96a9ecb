// PluginHost: load() does every check that needs no plugin code to run (libraries, schemas,
// names, dependencies), so `net-mesh check` and `net-mesh run` validate exactly the same things.
#include "net/kernel/plugin_host.hpp"

#include <algorithm>
#include <cstring>

#include "net/kernel/plugin_library.hpp"

namespace net::kernel {

namespace {

// "manifest.json: /plugins/2" or "instance \"x\"" when the spec did not come from a file.
std::string where(const InstanceSpec& spec, const std::string& suffix = {})
{
    if (spec.declared_in.empty()) return "instance \"" + spec.name + "\"" + (suffix.empty() ? "" : " " + suffix);
    return spec.declared_in.string() + ": " + spec.pointer + suffix;
}

}  // namespace

PluginHost::PluginHost(HostServices services) : services_(services)
{
    services_.interfaces = this;
}

PluginHost::~PluginHost() { stop_all(); }

void PluginHost::register_kernel_interface(const std::string& id, const void* vtable, void* object)
{
    kernel_interfaces_[id] = KernelInterface{vtable, object};
}

void PluginHost::load(std::vector<InstanceSpec> specs)
{
    if (!ordered_.empty()) throw PluginHostError("plugin host: load called twice");
    for (InstanceSpec& spec : specs) {
        if (spec.config.is_null()) spec.config = nlohmann::json::object();  // "no config" is an empty one
    }
    std::map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        auto [it, inserted] = index_of.emplace(specs[i].name, i);
        if (!inserted) {
            throw PluginHostError(where(specs[i], "/name") + ": duplicate instance name \"" + specs[i].name +
                                  "\" (first declared at " + where(specs[it->second]) + ")");
        }
    }

    std::vector<std::shared_ptr<PluginLibrary>> libs;
    for (const InstanceSpec& spec : specs) {
        std::error_code ec;
        std::filesystem::path key = std::filesystem::weakly_canonical(spec.library, ec);
        if (ec) key = spec.library;
        auto cached = libraries_.find(key);
        if (cached == libraries_.end()) {
            try {
                cached = libraries_.emplace(key, PluginLibrary::load(spec.library)).first;
            } catch (const PluginLoadError& e) {
                throw PluginHostError(where(spec, "/library") + ": " + e.what(), PluginHostError::Kind::library);
            }
        }
        libs.push_back(cached->second);

        const auto violations = cached->second->validate_config(spec.config);
        if (!violations.empty()) {
            std::string msg;
            for (const auto& v : violations) {
                if (!msg.empty()) msg += "\n";
                msg += where(spec, "/config" + v.pointer) + ": " + v.message + " (config schema of plugin " +
                       cached->second->id() + ")";
            }
            throw PluginHostError(msg);
        }
    }

    std::vector<std::string> names;
    std::vector<std::vector<std::size_t>> deps(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
        names.push_back(specs[i].name);
        for (std::size_t k = 0; k < specs[i].depends_on.size(); ++k) {
            auto it = index_of.find(specs[i].depends_on[k]);
            if (it == index_of.end()) {
                throw PluginHostError(where(specs[i], "/depends_on/" + std::to_string(k)) + ": depends on \"" +
                                      specs[i].depends_on[k] + "\", which is not an instance in this manifest");
            }
            deps[i].push_back(it->second);
        }
        for (const std::string& need : libs[i]->needs()) {
            if (kernel_interfaces_.count(need) != 0) continue;  // the kernel provides it
            std::size_t provider = specs.size();
            for (std::size_t j = 0; j < specs.size() && provider == specs.size(); ++j) {
                const auto& p = libs[j]->provides();
                if (j != i && std::find(p.begin(), p.end(), need) != p.end()) provider = j;
            }
            if (provider == specs.size()) {
                throw PluginHostError(where(specs[i]) + ": instance \"" + specs[i].name + "\" (plugin " +
                                      libs[i]->id() + ") needs interface \"" + need +
                                      "\", which neither the kernel nor any instance in this manifest provides" +
                                      (need == "net.mesh/1" ? " (add a \"mesh\" section to the manifest)" : ""));
            }
            deps[i].push_back(provider);
        }
    }

    std::vector<std::size_t> order;
    try {
        order = dependency_order(names, deps);
    } catch (const DependencyCycleError& e) {
        throw DependencyCycleError(where(specs[e.cycle().front()]) + ": " + e.what(), e.cycle());
    }
    for (std::size_t i : order) {
        ordered_.push_back(std::make_unique<PluginInstance>(specs[i].name, libs[i], services_));
    }
    specs_ = std::move(specs);
}

void PluginHost::start_all()
{
    auto spec_of = [this](const std::string& name) -> const InstanceSpec& {
        return *std::find_if(specs_.begin(), specs_.end(), [&](const InstanceSpec& s) { return s.name == name; });
    };
    try {
        for (auto& instance : ordered_) instance->create(spec_of(instance->name()).config);
        for (auto& instance : ordered_) instance->start();
    } catch (...) {
        stop_all();
        throw;
    }
}

void PluginHost::stop_all() noexcept
{
    for (auto it = ordered_.rbegin(); it != ordered_.rend(); ++it) (*it)->stop();
    for (auto it = ordered_.rbegin(); it != ordered_.rend(); ++it) (*it)->destroy();
}

std::vector<const PluginInstance*> PluginHost::instances() const
{
    std::vector<const PluginInstance*> out;
    for (const auto& i : ordered_) out.push_back(i.get());
    return out;
}

PluginInstance* PluginHost::find(const std::string& name) const
{
    for (const auto& i : ordered_) {
        if (i->name() == name) return i.get();
    }
    return nullptr;
}

std::optional<InterfaceResolver::Found> PluginHost::resolve_interface(const char* provider, const char* id)
{
    if (provider == nullptr || std::strcmp(provider, "kernel") == 0) {
        auto it = kernel_interfaces_.find(id);
        if (it != kernel_interfaces_.end()) return Found{it->second.vtable, it->second.object, nullptr};
        if (provider != nullptr) return std::nullopt;
    }
    for (const InstanceSpec& spec : specs_) {
        if (provider != nullptr && spec.name != provider) continue;
        PluginInstance* instance = find(spec.name);
        if (instance == nullptr || instance->handle() == nullptr) continue;
        if (const void* vtable = instance->get_interface(id)) {
            return Found{vtable, instance->handle(), instance->library_ptr()};
        }
    }
    return std::nullopt;
}

}  // namespace net::kernel
