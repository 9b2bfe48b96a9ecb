#include "net/kernel/node/log_commands.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "net/kernel/admin/payload_json.hpp"
#include "net/kernel/buffer_pool.hpp"

namespace net::kernel::node {

namespace {

constexpr std::uint64_t kDefaultMax = 256;
constexpr std::uint64_t kMaxMax = 1000;
constexpr std::uint64_t kMaxWaitMs = 5000;

std::uint64_t number_field(const nlohmann::json& request, const char* name, std::uint64_t fallback,
                           std::uint64_t high)
{
    const auto it = request.find(name);
    if (it == request.end()) return fallback;
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > high) {
        throw std::invalid_argument(std::string("log_read: \"") + name + "\" must be a whole number from 0 to " +
                                    std::to_string(high));
    }
    return it->get<std::uint64_t>();
}

}  // namespace

std::string redex_log_name(const std::string& channel)
{
    std::string name = channel;
    for (char& c : name) {
        if (c == '/') c = '.';
    }
    return name;
}

LogCommands::~LogCommands() { close(); }

void LogCommands::close() noexcept
{
    std::lock_guard lock(mutex_);
    closed_ = true;
    if (redex_) {
        const auto* api = static_cast<const net_redex_v1_t*>(redex_->vtable);
        for (auto& [name, log] : logs_) api->close_log(log);
    }
    logs_.clear();
    redex_.reset();
}

net_redex_log_t* LogCommands::open(const std::string& channel)
{
    std::lock_guard lock(mutex_);
    if (closed_) throw std::runtime_error("log_read: the node is stopping");
    if (!redex_) {
        redex_ = interfaces_.resolve_interface(nullptr, NET_IFACE_REDEX_V1);
        if (!redex_) throw std::runtime_error("log_read: this node loads no RedEX instance (" NET_IFACE_REDEX_V1 ")");
    }
    const std::string name = redex_log_name(channel);
    if (const auto it = logs_.find(name); it != logs_.end()) return it->second;
    const auto* api = static_cast<const net_redex_v1_t*>(redex_->vtable);
    net_redex_log_t* log = nullptr;
    const net_status_t s = api->open_log(redex_->object, name.c_str(), &log);
    if (s == NET_E_INVALID_ARGUMENT) {
        throw std::invalid_argument("log_read: \"" + channel + "\" cannot name a log (letters, digits, '.', '_', '-', '/')");
    }
    if (s != NET_OK) throw std::runtime_error("log_read: cannot open the log of \"" + channel + "\": " + net_status_name(s));
    logs_.emplace(name, log);
    return log;
}

nlohmann::json LogCommands::handle(const nlohmann::json& request)
{
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || *cmd != "log_read") return nullptr;
    return read(request);
}

nlohmann::json LogCommands::read(const nlohmann::json& request)
{
    const auto channel = request.find("channel");
    if (channel == request.end() || !channel->is_string() || channel->get<std::string>().empty()) {
        throw std::invalid_argument("log_read: \"channel\" must be a non-empty string");
    }
    if (request.contains("from") && request.contains("last")) {
        throw std::invalid_argument("log_read: give \"from\" or \"last\", not both");
    }
    const std::uint64_t max = number_field(request, "max", kDefaultMax, kMaxMax);
    const std::uint64_t wait_ms = number_field(request, "wait_ms", 0, kMaxWaitMs);
    net_redex_log_t* log = open(channel->get<std::string>());
    const auto* api = static_cast<const net_redex_v1_t*>(redex_->vtable);

    net_redex_stats_t stats{};
    stats.struct_size = sizeof stats;
    if (const net_status_t s = api->stats(log, &stats); s != NET_OK) {
        throw std::runtime_error(std::string("log_read: stats failed: ") + net_status_name(s));
    }
    std::uint64_t from = number_field(request, "from", 0, UINT64_MAX);
    if (request.contains("last")) {
        const std::uint64_t last = number_field(request, "last", 0, UINT64_MAX);
        from = stats.next_sequence > last ? stats.next_sequence - last : 0;
    }

    std::vector<net_redex_entry_t> entries(max == 0 ? 1 : max);
    std::size_t got = 0;
    std::uint64_t next = from;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
        const net_status_t s = api->read_range(log, from, NET_REDEX_SEQUENCE_END, nullptr, entries.data(),
                                               static_cast<std::size_t>(max), &got, &next);
        if (s != NET_OK) throw std::runtime_error(std::string("log_read: read failed: ") + net_status_name(s));
        if (got != 0 || max == 0 || std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < got; ++i) {
        nlohmann::json entry{{"sequence", entries[i].sequence}, {"timestamp_ns", entries[i].timestamp_ns}};
        admin::put_payload(entry, {entries[i].payload->data, entries[i].payload->len});
        BufferPool::release(entries[i].payload);
        out.push_back(std::move(entry));
    }
    if (got == 0) next = std::max(from, stats.first_sequence);
    return {{"entries", std::move(out)}, {"next", next}};
}

}  // namespace net::kernel::node
