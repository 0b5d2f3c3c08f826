// The headers that come from the provider's configuration: Host and the provider's credential.
// Built once per config generation (RuntimeConfig::build) and copied into each request head.
#pragma once

#include <string>

#include "common/config/config.h"

namespace llmproxy::worker::protocol {

// "Host: <host[:port]>\r\n" (IPv6 bracketed, the port only when not the scheme's default).
std::string hostHeaderLine(const common::ProviderConfig& provider);

// The provider's key as its API expects it: "api-key: <key>\r\n" for Azure,
// "Authorization: Bearer <key>\r\n" otherwise; "" without a key. Holds a secret.
std::string authHeaderLine(const common::ProviderConfig& provider);

}  // namespace llmproxy::worker::protocol
