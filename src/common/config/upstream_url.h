// Splits a provider's api_base ("https://api.openai.com/v1") into an UpstreamUrl.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common {

// Accepts http:// and https:// (scheme case-insensitive) with a host name, an IPv4 address or a
// bracketed IPv6 address, an optional port (default 80 / 443) and an optional path. The host is
// lower-cased and an IPv6 host is stored without brackets; the path loses its trailing slashes.
// Rejects userinfo ("user@"), a query, a fragment, spaces and control characters. On failure
// the message does not repeat the URL (it may hold a secret).
std::expected<UpstreamUrl, std::string> parseUpstreamUrl(std::string_view text);

// The "Host" header value for a URL: host, bracketed if IPv6, with ":port" unless the default.
std::string hostHeader(const UpstreamUrl& url);

}  // namespace llmproxy::common
