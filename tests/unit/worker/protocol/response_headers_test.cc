// The provider's headers toward the client: no cookies, no account identity or rate limits, no
// hop-by-hop or Connection-named headers, nothing that the proxy's writer writes itself.
#include "worker/protocol/response_headers.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::worker::protocol {
namespace {

// "name: value\r\n" for each relayed header, in order.
std::string relayed(const HeaderList& headers) {
  const ResponseHeaderFilter filter(headers);
  std::string out;
  for (const auto& [name, value] : headers)
    if (filter.relays(name)) out += name + ": " + value + "\r\n";
  return out;
}

TEST(ResponseHeaders, OrdinaryHeadersGoThroughInOrder) {
  const HeaderList h = {{"content-type", "text/event-stream"}, {"openai-processing-ms", "12"},
                        {"retry-after", "3"}, {"x-should-retry", "false"},
                        {"cache-control", "no-cache"}};
  EXPECT_EQ(relayed(h),
            "content-type: text/event-stream\r\nopenai-processing-ms: 12\r\nretry-after: 3\r\n"
            "x-should-retry: false\r\ncache-control: no-cache\r\n");
}

TEST(ResponseHeaders, EachForbiddenHeaderIsDropped) {
  for (std::string_view name :
       {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "content-length", "server", "x-request-id", "set-cookie", "set-cookie2",
        "openai-organization", "openai-project", "anthropic-organization-id",
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests",
        "anthropic-ratelimit-requests-remaining", "x-llmproxy-provider", "x-llmproxy-cache",
        "alt-svc", "strict-transport-security"}) {
    const HeaderList h = {{"content-type", "application/json"}, {std::string(name), "v"},
                          {"x-after", "1"}};
    EXPECT_EQ(relayed(h), "content-type: application/json\r\nx-after: 1\r\n") << name;
    EXPECT_FALSE(ResponseHeaderFilter(h).relays(name)) << name;
  }
}

TEST(ResponseHeaders, HeadersNamedByConnectionAreDropped) {
  const HeaderList h = {{"connection", "keep-alive, X-Hop"}, {"x-hop", "1"}, {"x-end", "2"}};
  EXPECT_EQ(relayed(h), "x-end: 2\r\n");
  EXPECT_FALSE(ResponseHeaderFilter(h).relays("x-hop"));
  EXPECT_TRUE(ResponseHeaderFilter(h).relays("x-end"));
}

}  // namespace
}  // namespace llmproxy::worker::protocol
