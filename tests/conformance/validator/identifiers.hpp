// identifiers.hpp — the shapes of the descriptor's strings: plugin ids, interface ids, versions.
#pragma once

#include <string_view>

namespace net::conformance {

// ^[a-z0-9]+(\.[a-z0-9_-]+)+$ — "org.example.greeter", "net.transport.udp".
bool is_reverse_dns(std::string_view id) noexcept;
// A reverse-DNS name, a slash and a major version without leading zeros — "net.transport/1".
bool is_interface_id(std::string_view id) noexcept;
// Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH[-pre.release][+build.metadata].
bool is_semver(std::string_view version) noexcept;

}  // namespace net::conformance
