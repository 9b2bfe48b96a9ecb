// net/kernel/node/log_commands.hpp — the admin command "log_read" over the node's RedEX
// instance (net.redex/1), for `net-mesh log tail`.
//
// {"cmd":"log_read","channel":"chat","from":SEQ | "last":N,"max":M,"wait_ms":W}
//   → {"ok":true,"entries":[{"sequence":S,"timestamp_ns":T,"payload":"..."|"payload_hex":"..."}],
//      "next":SEQ}
// Entries of the channel's log from `from` (or the last N), at most `max` (1-1000, default 256).
// When none is there yet and wait_ms > 0 (at most 5000), waits up to that long for one. "next"
// is where the following call continues.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "net/iface/redex.h"
#include "net/kernel/host_services.hpp"

namespace net::kernel::node {

// The RedEX log name that holds channel `channel`'s events: '/' becomes '.', since RedEX names
// are [A-Za-z0-9._-].
std::string redex_log_name(const std::string& channel);

class LogCommands {
public:
    explicit LogCommands(InterfaceResolver& interfaces) : interfaces_(interfaces) {}
    ~LogCommands();  // close()
    LogCommands(const LogCommands&) = delete;
    LogCommands& operator=(const LogCommands&) = delete;

    // The answer to `request`, or null when its "cmd" is not one of these commands.
    // [any-thread]; throws std::invalid_argument for a bad argument (the admin server answers
    // ok:false with the message).
    nlohmann::json handle(const nlohmann::json& request);

    // Closes the logs opened for readers. Call before the RedEX instance stops.
    void close() noexcept;

private:
    net_redex_log_t* open(const std::string& channel);
    nlohmann::json read(const nlohmann::json& request);

    InterfaceResolver& interfaces_;
    std::mutex mutex_;
    std::optional<InterfaceResolver::Found> redex_;
    bool closed_ = false;
    std::map<std::string, net_redex_log_t*> logs_;
};

}  // namespace net::kernel::node
