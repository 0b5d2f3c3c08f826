// Listen addresses as written in llmproxy.conf: "host:port", "[::1]:port", "*:port", ":port",
// a bare "port", or "unix:/path".
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common {

// The host must be a numeric IPv4 or IPv6 address, "*", "localhost" (means 127.0.0.1) or empty
// ("*", "" and a bare port mean every address). The port must be 1..65535. A unix path must be
// non-empty and fit in sockaddr_un. On failure, the message does not repeat the text.
std::expected<ListenAddress, std::string> parseListenAddress(std::string_view text);

// "host:port" with brackets around an IPv6 host, "*:port" for any, or "unix:/path".
std::string formatListenAddress(const ListenAddress& address);

// True when both name the same socket (text is not compared).
bool sameListenAddress(const ListenAddress& a, const ListenAddress& b);

}  // namespace llmproxy::common
