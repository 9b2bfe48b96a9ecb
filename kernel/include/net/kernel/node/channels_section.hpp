// net/kernel/node/channels_section.hpp — reading the manifest's "channels" section (shape checked
// by the schema): the channel service's config, the token chains the node presents, and which
// channels it persists to RedEX or hands to the bus.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "net/kernel/channel/channels.hpp"
#include "net/kernel/manifest.hpp"
#include "net/kernel/token/chain.hpp"

namespace net::kernel::node {

struct PresentedChain {
    std::filesystem::path file;  // where it came from, for messages
    token::TokenChain chain;
};

struct PersistSpec {
    channel::ChannelName channel;
    channel::Visibility visibility = channel::Visibility::global;
    std::string redex;  // instance providing net.redex/1; empty = the first one
};

struct ChannelsSection {
    channel::ChannelsConfig config;
    std::vector<PresentedChain> chains;
    std::vector<PersistSpec> persist;
    std::vector<channel::ChannelName> ingest;
};

// Reads manifest.channels (which must not be null) and the token files it names. Throws
// ManifestError naming the manifest and the JSON pointer: a bad channel name (with the reason),
// subnet, trust key, an unreadable or malformed token file, "ingest" without a "bus" section, a
// "channels" section without a "mesh" section.
ChannelsSection parse_channels_section(const Manifest& manifest);

// The first chain in `chains` that grants `scope` on `channel` to the node `presenter` under
// `trust` now (structure and time), or nullopt.
std::optional<token::TokenChain> chain_for(const std::vector<PresentedChain>& chains,
                                           const channel::ChannelName& channel, std::uint8_t scope,
                                           std::uint64_t presenter, const token::TrustConfig& trust);

}  // namespace net::kernel::node
