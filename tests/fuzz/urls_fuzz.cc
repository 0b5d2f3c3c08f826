// Fuzz target: the URL-like texts read from config files, the database and the admin API: a
// provider's api_base, [redis] url, listen addresses and a request target's query string.
// An accepted api_base re-parses from its own parts to the same URL; a Redis URL's description
// does not depend on its password.
#include <cstdlib>
#include <string>

#include "common/config/listen_address.h"
#include "common/config/redis_url.h"
#include "common/config/upstream_url.h"
#include "worker/http/query_string.h"

using namespace llmproxy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto url = common::parseUpstreamUrl(text)) {
    const std::string host = common::hostHeader(*url);
    if (host.empty()) std::abort();
    const std::string rebuilt = std::string(url->tls ? "https://" : "http://") + host +
                                (url->tls && url->port == 443 ? ":443" : "") +
                                (!url->tls && url->port == 80 ? ":80" : "") + url->base_path;
    auto again = common::parseUpstreamUrl(rebuilt);
    if (!again || !(*again == *url)) std::abort();
  }
  if (auto redis = common::parseRedisUrl(text)) {
    // describe() never shows the password: it reads the same whatever the password is. (Not
    // "the password is not in it": a password may also be part of the host or the path.)
    auto other = *redis;
    other.password += "x";
    if (other.describe() != redis->describe()) std::abort();
  }
  if (auto listen = common::parseListenAddress(text)) (void)common::formatListenAddress(*listen);
  (void)worker::parseQueryString(text);
  return 0;
}
