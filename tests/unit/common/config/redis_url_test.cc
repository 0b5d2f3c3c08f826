// parseRedisUrl: redis:// and unix: forms, defaults, credentials, and what is refused.
#include "common/config/redis_url.h"

#include <gtest/gtest.h>

namespace llmproxy::common {
namespace {

TEST(RedisUrl, TcpWithDefaults) {
  auto ep = parseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(ep) << ep.error();
  EXPECT_FALSE(ep->unix_socket);
  EXPECT_EQ(ep->host, "cache.internal");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->db, 0u);
  EXPECT_TRUE(ep->password.empty());
}

TEST(RedisUrl, TcpWithPasswordPortAndDb) {
  auto ep = parseRedisUrl("redis://:p%40ss@10.0.0.5:6380/2");
  ASSERT_TRUE(ep) << ep.error();
  EXPECT_EQ(ep->host, "10.0.0.5");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->db, 2u);
  EXPECT_EQ(ep->password, "p@ss");
  EXPECT_TRUE(ep->username.empty());
  EXPECT_EQ(ep->describe(), "10.0.0.5:6380/2");  // no credentials
}

TEST(RedisUrl, AclUserAndIpv6) {
  auto ep = parseRedisUrl("redis://proxy:pw@[::1]:7000");
  ASSERT_TRUE(ep) << ep.error();
  EXPECT_EQ(ep->username, "proxy");
  EXPECT_EQ(ep->password, "pw");
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 7000);
}

TEST(RedisUrl, UnixSocketForms) {
  for (const char* text : {"unix:/run/redis/redis.sock?db=4&password=x",
                           "unix:///run/redis/redis.sock?db=4&password=x"}) {
    auto ep = parseRedisUrl(text);
    ASSERT_TRUE(ep) << ep.error();
    EXPECT_TRUE(ep->unix_socket);
    EXPECT_EQ(ep->path, "/run/redis/redis.sock");
    EXPECT_EQ(ep->db, 4u);
    EXPECT_EQ(ep->password, "x");
  }
}

TEST(RedisUrl, RefusedWithoutRepeatingTheUrl) {
  for (const char* text : {"rediss://h:1", "http://h", "redis://", "redis://h:0", "redis://h:x",
                           "redis://h/abc", "unix:relative.sock", "unix:/s?foo=1",
                           "redis://:pw%4@h", "redis://h 1"}) {
    auto ep = parseRedisUrl(text);
    ASSERT_FALSE(ep) << text;
    EXPECT_EQ(ep.error().find("pw"), std::string::npos);
  }
}

}  // namespace
}  // namespace llmproxy::common
