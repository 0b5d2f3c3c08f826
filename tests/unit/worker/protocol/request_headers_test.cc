// The client's headers toward a provider: credentials, cookies, hop-by-hop and Connection-named
// headers never go; organisation headers only where the provider allows them.
#include "worker/protocol/request_headers.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::worker::protocol {
namespace {

common::ProviderConfig provider(bool allow_org = false) {
  common::ProviderConfig p;
  p.id = "oa";
  p.forward_organization_headers = allow_org;
  return p;
}

std::string forwarded(const HeaderList& headers, const common::ProviderConfig& p = provider()) {
  std::string out;
  appendClientHeaders(out, headers, p);
  return out;
}

TEST(RequestHeaders, OrdinaryHeadersGoThroughInOrder) {
  const HeaderList h = {{"content-type", "application/json"},
                        {"user-agent", "OpenAI/Python 1.0"},
                        {"openai-beta", "assistants=v2"},
                        {"x-stainless-lang", "python"},
                        {"accept", "text/event-stream"}};
  EXPECT_EQ(forwarded(h),
            "content-type: application/json\r\nuser-agent: OpenAI/Python 1.0\r\n"
            "openai-beta: assistants=v2\r\nx-stainless-lang: python\r\n"
            "accept: text/event-stream\r\n");
}

TEST(RequestHeaders, EachForbiddenHeaderIsDropped) {
  for (std::string_view name :
       {"authorization", "proxy-authorization", "x-api-key", "api-key",
        "ocp-apim-subscription-key", "cookie", "host", "content-length", "expect",
        "x-request-id", "accept-encoding", "connection", "keep-alive", "proxy-connection", "te",
        "trailer", "transfer-encoding", "upgrade", "traceparent", "tracestate"}) {
    const HeaderList h = {{"accept", "*/*"}, {std::string(name), "secret"}, {"x-after", "1"}};
    EXPECT_EQ(forwarded(h, provider(true)), "accept: */*\r\nx-after: 1\r\n") << name;
    EXPECT_FALSE(forwardsClientHeader(name, h, provider(true))) << name;
  }
}

TEST(RequestHeaders, HeadersNamedByConnectionAreDropped) {
  const HeaderList h = {{"connection", "keep-alive, X-Private ,x-other"},
                        {"x-private", "1"},
                        {"x-other", "2"},
                        {"x-public", "3"},
                        {"connection", "X-Third"},
                        {"x-third", "4"}};
  EXPECT_EQ(forwarded(h), "x-public: 3\r\n");
  EXPECT_FALSE(forwardsClientHeader("x-private", h, provider()));
  EXPECT_FALSE(forwardsClientHeader("x-third", h, provider()));
  EXPECT_TRUE(forwardsClientHeader("x-public", h, provider()));
}

TEST(RequestHeaders, ConnectionTokensMatchWholeNamesOnly) {
  const HeaderList h = {{"connection", "x-priv,,close"}, {"x-private", "1"}, {"x-priv", "2"}};
  EXPECT_EQ(forwarded(h), "x-private: 1\r\n");
}

TEST(RequestHeaders, OrganizationHeadersOnlyWhereAllowed) {
  const HeaderList h = {{"openai-organization", "org-1"}, {"openai-project", "proj-1"},
                        {"accept", "*/*"}};
  EXPECT_EQ(forwarded(h, provider(false)), "accept: */*\r\n");
  EXPECT_EQ(forwarded(h, provider(true)),
            "openai-organization: org-1\r\nopenai-project: proj-1\r\naccept: */*\r\n");
  // Connection still wins over the provider's permission.
  HeaderList named = h;
  named.emplace_back("connection", "OpenAI-Project");
  EXPECT_EQ(forwarded(named, provider(true)), "openai-organization: org-1\r\naccept: */*\r\n");
}

}  // namespace
}  // namespace llmproxy::worker::protocol
