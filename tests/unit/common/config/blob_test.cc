// The shared-memory form of a Config: exact round trip, and corrupt input refused.
#include "common/config/blob.h"

#include <gtest/gtest.h>

#include "common/crypto/sha256.h"

namespace llmproxy::common {
namespace {

// Every field set to something other than its default.
Config fullConfig() {
  Config c;
  c.source = "file /etc/llmproxy/llmproxy.conf";
  ServerConfig& s = c.server;
  s.listen = {{ListenAddress::Kind::Tcp, "::1", 9000, "", "[::1]:9000"},
              {ListenAddress::Kind::Unix, "", 0, "/run/l.sock", "unix:/run/l.sock"}};
  s.admin_listen = {{ListenAddress::Kind::Tcp, "127.0.0.1", 9001, "", "127.0.0.1:9001"}};
  s.workers = 3;
  s.admin_key = "admin";
  s.max_body_size = 1;
  s.max_header_size = 2048;
  s.responses_item_store = 3;
  s.max_connections = 7;
  s.keepalive_requests = 8;
  s.header_timeout = Millis{1};
  s.body_timeout = Millis{2};
  s.keepalive_timeout = Millis{3};
  s.send_timeout = Millis{4};
  s.connect_timeout = Millis{5};
  s.request_timeout = Millis{6};
  s.ttft_timeout = Millis{7};
  s.stream_idle_timeout = Millis{8};
  s.shutdown_timeout = Millis{9};
  s.provider_prefix = "Proxy/";
  s.allow_unauthenticated = true;
  s.max_attempts = 9;
  s.budget_estimate_tokens = 77;
  s.pid_file = "/tmp/p.pid";
  s.admin_ui_root = "/srv/ui";
  s.user = "nobody";
  s.group = "nogroup";
  s.unix_socket_mode = 0600;
  c.log = {"/var/log/e.log", "/var/log/a.log", "debug", "json"};
  c.database = {"postgres://db", Millis{11}, Millis{12}, false, 13, Millis{14}, 15};
  c.redis = {"redis://r", "deny", Millis{250}, "pfx:"};
  c.cache = {Millis{16}, Millis{17}, 18, 19, 20};
  c.tracing = {"http://otel:4318", {{"x-team", "t1"}, {"authorization", "Basic x"}}, "svc",
               0.25, 21, Millis{22}, 23, Millis{24}};
  c.langfuse = {"https://lf", "pk-1", "sk-1", 0.5, true, 25, {"sk-[a-z]+", "\\d{16}"}};

  ProviderConfig p;
  p.id = "azure-1";
  p.type = ProviderType::Azure;
  p.api_base = "http://h:81/x";
  p.url = {false, "h", 81, "/x"};
  p.api_key = std::string("k\0ey", 4);  // binary-safe
  p.api_version = "2024-06-01";
  p.weight = 17;
  p.enabled = false;
  p.verify_ssl = false;
  p.forward_organization_headers = true;
  p.ca_file = "/etc/ssl/ca.pem";
  p.models = {"a", "b", ""};
  p.model_mapping = {{"gpt-4", "gpt-4-turbo"}, {"gemini-*", "gemini-pro"}};
  p.max_concurrent = 20;
  p.queue_timeout = Millis{21};
  p.max_fails = 7;
  p.fail_timeout = Millis{25'000};
  p.health_check_interval = Millis{26'000};
  p.db_id = 22;
  c.providers = {p, ProviderConfig{}};
  c.providers[1].type = ProviderType::Anthropic;

  KeyConfig k;
  k.name = "prod";
  k.key_sha256 = sha256("sk");
  k.allowed_models = {"gpt-*"};
  k.enabled = false;
  k.expires_at = -5;
  k.rate_limit = {12.5, 0.25};
  k.tokens_per_minute = ~uint64_t{0};
  k.max_requests = 42;
  k.model_limits = {{"gpt-4*", {1.5, 2.5}, 23}, {"o1", {}, 0}};
  k.max_budget = 50'000'000;
  k.soft_budget = 40'000'000;
  k.budget_duration = -1;
  k.cache = true;
  k.cache_namespace = "team-a";
  k.db_id = 24;
  c.keys = {k, KeyConfig{}};
  c.fallbacks = {{"gpt-4o", {"claude-sonnet", "gpt-4o-mini"}}, {"x", {"y"}}};
  c.prices = {{"gpt-4o*", "openai", 2'500'000, 10'000'000, 1'250'000, 3'125'000, 25},
              PriceConfig{}};
  return c;
}

TEST(ConfigBlob, RoundTripFull) {
  Config config = fullConfig();
  std::string blob = encodeConfig(config);
  auto decoded = decodeConfig(blob);
  ASSERT_TRUE(decoded) << decoded.error().detail;
  EXPECT_EQ(*decoded, config);
  EXPECT_EQ(encodeConfig(*decoded), blob);  // deterministic
}

TEST(ConfigBlob, RoundTripDefault) {
  auto decoded = decodeConfig(encodeConfig(Config{}));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, Config{});
}

TEST(ConfigBlob, RejectsEveryTruncation) {
  std::string blob = encodeConfig(fullConfig());
  for (size_t n = 0; n < blob.size(); ++n) {
    auto decoded = decodeConfig(std::string_view(blob).substr(0, n));
    ASSERT_FALSE(decoded) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(decoded.error().kind, ErrorKind::Internal);
  }
}

TEST(ConfigBlob, RejectsCorruption) {
  std::string blob = encodeConfig(fullConfig());
  EXPECT_FALSE(decodeConfig(blob + "x"));  // trailing bytes

  std::string bad_magic = blob;
  bad_magic[0] = 'X';
  EXPECT_EQ(decodeConfig(bad_magic).error().detail, "config blob: bad magic");

  std::string bad_version = blob;
  bad_version[4] = 99;
  EXPECT_FALSE(decodeConfig(bad_version));

  // A huge length right after the header (the source string's length) must not allocate.
  std::string huge_length = blob;
  huge_length[8] = huge_length[9] = huge_length[10] = huge_length[11] = '\xff';
  EXPECT_FALSE(decodeConfig(huge_length));

  // Flipping any single byte either fails cleanly or yields some Config: never a crash.
  for (size_t i = 0; i < blob.size(); ++i) {
    std::string flipped = blob;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xa5);
    (void)decodeConfig(flipped);
  }
}

TEST(ConfigBlob, RejectsBadBoolAndEnum) {
  Config c;
  c.server.allow_unauthenticated = true;
  std::string blob = encodeConfig(c);
  std::string base = encodeConfig(Config{});
  // The only byte that differs is the bool; 2 is not a bool.
  size_t at = 0;
  while (at < blob.size() && blob[at] == base[at]) ++at;
  ASSERT_LT(at, blob.size());
  blob[at] = 2;
  EXPECT_EQ(decodeConfig(blob).error().detail, "config blob: bad bool");
}

}  // namespace
}  // namespace llmproxy::common
