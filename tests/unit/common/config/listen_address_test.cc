// Listen address forms, and the upstream URL parser.
#include "common/config/listen_address.h"

#include <gtest/gtest.h>

#include "common/config/upstream_url.h"

namespace llmproxy::common {
namespace {

TEST(ConfigListenAddress, TcpForms) {
  auto v4 = parseListenAddress("127.0.0.1:8000");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->kind, ListenAddress::Kind::Tcp);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8000);
  EXPECT_EQ(v4->text, "127.0.0.1:8000");

  auto v6 = parseListenAddress("[::1]:443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 443);
  EXPECT_EQ(formatListenAddress(*v6), "[::1]:443");

  for (const char* any : {"*:80", ":80", "80"}) {
    auto a = parseListenAddress(any);
    ASSERT_TRUE(a) << any;
    EXPECT_EQ(a->host, "") << any;
    EXPECT_EQ(a->port, 80) << any;
    EXPECT_EQ(formatListenAddress(*a), "*:80");
  }
  EXPECT_EQ(parseListenAddress("localhost:1")->host, "127.0.0.1");
  EXPECT_EQ(parseListenAddress("0.0.0.0:65535")->port, 65535);
}

TEST(ConfigListenAddress, Unix) {
  auto a = parseListenAddress("unix:/run/llmproxy.sock");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, ListenAddress::Kind::Unix);
  EXPECT_EQ(a->path, "/run/llmproxy.sock");
  EXPECT_FALSE(parseListenAddress("unix:"));
  EXPECT_FALSE(parseListenAddress("unix:/" + std::string(200, 'x')));
}

TEST(ConfigListenAddress, Errors) {
  EXPECT_EQ(parseListenAddress("").error(), "empty listen address");
  EXPECT_EQ(parseListenAddress("1.2.3.4:0").error(), "port must be a number 1..65535");
  EXPECT_EQ(parseListenAddress("1.2.3.4:65536").error(), "port must be a number 1..65535");
  EXPECT_EQ(parseListenAddress("1.2.3.4:").error(), "missing port");
  EXPECT_EQ(parseListenAddress("1.2.3.4:http").error(), "port must be a number 1..65535");
  EXPECT_EQ(parseListenAddress("example.com:80").error(),
            "host must be a numeric IP address, \"*\" or \"localhost\"");
  EXPECT_EQ(parseListenAddress("::1:80").error(),
            "write an IPv6 address in brackets, e.g. \"[::1]:8000\"");
  EXPECT_EQ(parseListenAddress("[::1:80").error(), "missing ']' after IPv6 address");
  EXPECT_EQ(parseListenAddress("[::1]80").error(), "expected \":port\" after ']'");
  EXPECT_EQ(parseListenAddress("[1.2.3.4]:80").error(), "not a numeric IPv6 address");
}

TEST(ConfigListenAddress, SameAddress) {
  EXPECT_TRUE(sameListenAddress(*parseListenAddress("*:80"), *parseListenAddress(":80")));
  EXPECT_FALSE(sameListenAddress(*parseListenAddress("*:80"), *parseListenAddress("*:81")));
  EXPECT_TRUE(sameListenAddress(*parseListenAddress("unix:/a"), *parseListenAddress("unix:/a")));
}

TEST(ConfigUpstreamUrl, Forms) {
  auto https = parseUpstreamUrl("https://API.OpenAI.com/v1/");
  ASSERT_TRUE(https);
  EXPECT_EQ(*https, (UpstreamUrl{true, "api.openai.com", 443, "/v1"}));
  EXPECT_EQ(hostHeader(*https), "api.openai.com");

  auto http = parseUpstreamUrl("HTTP://127.0.0.1:18080/v1");
  ASSERT_TRUE(http);
  EXPECT_EQ(*http, (UpstreamUrl{false, "127.0.0.1", 18080, "/v1"}));
  EXPECT_EQ(hostHeader(*http), "127.0.0.1:18080");

  auto bare = parseUpstreamUrl("http://mock");
  ASSERT_TRUE(bare);
  EXPECT_EQ(*bare, (UpstreamUrl{false, "mock", 80, ""}));

  auto v6 = parseUpstreamUrl("https://[::1]:8443/openai/deployments/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(*v6, (UpstreamUrl{true, "::1", 8443, "/openai/deployments"}));
  EXPECT_EQ(hostHeader(*v6), "[::1]:8443");
}

TEST(ConfigUpstreamUrl, Errors) {
  EXPECT_EQ(parseUpstreamUrl("ftp://x").error(),
            "expected a URL starting with http:// or https://");
  EXPECT_EQ(parseUpstreamUrl("api.openai.com").error(),
            "expected a URL starting with http:// or https://");
  EXPECT_EQ(parseUpstreamUrl("https://user:pw@host/v1").error(),
            "URL must not contain user info (put the key in api_key)");
  EXPECT_EQ(parseUpstreamUrl("https://host/v1?a=b").error(), "URL must not have a query");
  EXPECT_EQ(parseUpstreamUrl("https://host/v1#x").error(), "URL must not have a fragment");
  EXPECT_EQ(parseUpstreamUrl("https://").error(), "URL has no host");
  EXPECT_EQ(parseUpstreamUrl("https://:443").error(), "URL has no host");
  EXPECT_EQ(parseUpstreamUrl("https://host:0").error(), "port must be a number 1..65535");
  EXPECT_EQ(parseUpstreamUrl("https://host:").error(), "empty port");
  EXPECT_EQ(parseUpstreamUrl("https://ho st/").error(),
            "URL must not contain spaces or control characters");
  EXPECT_EQ(parseUpstreamUrl("https://[zz]/").error(), "not a valid IPv6 address");
}

}  // namespace
}  // namespace llmproxy::common
