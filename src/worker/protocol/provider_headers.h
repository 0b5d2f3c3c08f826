// The headers that come from the provider's configuration: Host, the provider's credential and
// Anthropic's API version. Built once per config generation (RuntimeConfig::build) and copied
// into each request head.
#pragma once

#include <string>

#include "common/config/config.h"

namespace llmproxy::worker::protocol {

// "Host: <host[:port]>\r\n" (IPv6 bracketed, the port only when not the scheme's default).
std::string hostHeaderLine(const common::ProviderConfig& provider);

// The provider's key as its API expects it: "api-key: <key>\r\n" for Azure,
// "x-api-key: <key>\r\n" for Anthropic, "Authorization: Bearer <key>\r\n" otherwise; "" without
// a key. Holds a secret.
std::string authHeaderLine(const common::ProviderConfig& provider);

inline constexpr std::string_view kDefaultAnthropicVersion = "2023-06-01";

// Anthropic: "anthropic-version: <api_version, else 2023-06-01>\r\n"; "" for other types. A
// request carries it unless the client's own anthropic-version goes through (request_headers.h).
std::string versionHeaderLine(const common::ProviderConfig& provider);

}  // namespace llmproxy::worker::protocol
