// Stage 30 authenticate: client keys by Bearer or x-api-key (401 when missing, unknown,
// disabled or expired), the admin key on admin endpoints, and the open endpoints untouched.
#include <gtest/gtest.h>

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

const std::string kKeys =
    "[[key]]\nname = \"alice\"\nkey = \"sk-alice-0123456789\"\n"
    "[[key]]\nname = \"off\"\nkey = \"sk-off-0123456789\"\nenabled = false\n"
    "[[key]]\nname = \"old\"\nkey = \"sk-old-0123456789\"\nexpires_at = 2001-01-01T00:00:00Z\n"
    "[[key]]\nname = \"later\"\nkey = \"sk-later-0123456789\"\n"
    "expires_at = 2999-01-01T00:00:00Z\n";
const std::string kConfig = serverSection("admin_key = \"admin-secret-0123\"\n") + kKeys;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct AuthCase {
  const char* what;
  Headers headers;
  const char* key_name;  // nullptr: refused with 401
  const char* message;   // of the 401
};

constexpr const char* kMissing =
    "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or in the "
    "'x-api-key' header.";

TEST(AuthenticateStage, ClientKeysByBearerOrXApiKey) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const AuthCase cases[] = {
      {"bearer", {{"authorization", "Bearer sk-alice-0123456789"}}, "alice", ""},
      {"scheme in any case, blanks around", {{"authorization", "  bEaReR \tsk-alice-0123456789 "}},
       "alice", ""},
      {"x-api-key", {{"x-api-key", "sk-alice-0123456789"}}, "alice", ""},
      {"a future expiry", {{"authorization", "Bearer sk-later-0123456789"}}, "later", ""},
      {"bearer wins over x-api-key",
       {{"authorization", "Bearer sk-wrong"}, {"x-api-key", "sk-alice-0123456789"}}, nullptr,
       "Incorrect API key provided"},
      {"another scheme: x-api-key is used",
       {{"authorization", "Basic YWxpY2U6eA=="}, {"x-api-key", "sk-alice-0123456789"}}, "alice",
       ""},
      {"an empty bearer: x-api-key is used",
       {{"authorization", "Bearer   "}, {"x-api-key", "sk-alice-0123456789"}}, "alice", ""},
      {"no key", {}, nullptr, kMissing},
      {"an empty bearer alone", {{"authorization", "Bearer "}}, nullptr, kMissing},
      {"another scheme alone", {{"authorization", "Basic YWxpY2U6eA=="}}, nullptr, kMissing},
      {"blank x-api-key", {{"x-api-key", "  "}}, nullptr, kMissing},
      {"unknown", {{"authorization", "Bearer sk-nobody"}}, nullptr, "Incorrect API key provided"},
      {"a prefix of a key", {{"x-api-key", "sk-alice-012345678"}}, nullptr,
       "Incorrect API key provided"},
      // One message for all three: it must not tell which keys exist.
      {"disabled", {{"authorization", "Bearer sk-off-0123456789"}}, nullptr,
       "Incorrect API key provided"},
      {"expired", {{"x-api-key", "sk-old-0123456789"}}, nullptr, "Incorrect API key provided"},
  };
  for (const char* target : {"/v1/chat/completions", "/v1/models"}) {
    for (const AuthCase& c : cases) {
      SCOPED_TRACE(std::string(target) + ": " + c.what);
      FakeClient client;
      auto ex = world.exchange(
          client, makeRequest(target == std::string_view("/v1/models") ? "GET" : "POST", target,
                              c.headers));
      ASSERT_EQ(stage::route(*ex), Outcome::Next);
      const Outcome o = stage::authenticate(*ex);
      if (c.key_name) {
        EXPECT_EQ(o, Outcome::Next);
        EXPECT_EQ(ex->key_name, c.key_name);
        ASSERT_NE(ex->client_key, nullptr);
        EXPECT_EQ(ex->client_key->name, c.key_name);
        EXPECT_TRUE(client.bytes().empty());
        continue;
      }
      EXPECT_EQ(o, Outcome::Respond);
      const SentResponse r = client.response();
      EXPECT_EQ(r.status, 401);
      EXPECT_EQ(jsonString(r.body, "/error/code"), "invalid_api_key");
      EXPECT_EQ(jsonString(r.body, "/error/type"), "authentication_error");
      EXPECT_EQ(jsonString(r.body, "/error/message"), c.message);
      EXPECT_EQ(ex->client_key, nullptr);
      EXPECT_EQ(client.auth_failures, 1);
      ASSERT_TRUE(ex->error);
      EXPECT_EQ(ex->error->kind, common::ErrorKind::InvalidApiKey);
    }
  }
}

TEST(AuthenticateStage, AnthropicClientsAreRefusedInAnthropicsShape) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* target : {"/v1/messages", "/v1/messages/count_tokens",
                             "/api/event_logging/batch"}) {
    SCOPED_TRACE(target);
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("POST", target, {{"x-api-key", "sk-nobody"}}));
    ASSERT_EQ(stage::route(*ex), Outcome::Next);
    EXPECT_EQ(stage::authenticate(*ex), Outcome::Respond);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(jsonString(r.body, "/type"), "error");
    EXPECT_EQ(jsonString(r.body, "/error/type"), "authentication_error");
    EXPECT_EQ(jsonString(r.body, "/error/message"), "Incorrect API key provided");
  }
  // The same key is good for an Anthropic client.
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("POST", "/v1/messages",
                                               {{"x-api-key", "sk-alice-0123456789"}}));
  ASSERT_EQ(stage::route(*ex), Outcome::Next);
  EXPECT_EQ(stage::authenticate(*ex), Outcome::Next);
  EXPECT_EQ(ex->key_name, "alice");
}

TEST(AuthenticateStage, OpenEndpointsNeedNoKey) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* target : {"/health", "/metrics"}) {
    SCOPED_TRACE(target);
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("GET", target));
    ASSERT_EQ(stage::route(*ex), Outcome::Next);
    EXPECT_EQ(stage::authenticate(*ex), Outcome::Next);
    EXPECT_EQ(ex->client_key, nullptr);
    EXPECT_TRUE(client.bytes().empty());
  }
}

TEST(AuthenticateStage, UnauthenticatedModeLetsEveryClientIn) {
  StageWorld world(serverSection("allow_unauthenticated = true\n"));
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("POST", "/v1/chat/completions"));
  ASSERT_EQ(stage::route(*ex), Outcome::Next);
  EXPECT_EQ(stage::authenticate(*ex), Outcome::Next);
  EXPECT_EQ(ex->key_name, "-");
  EXPECT_EQ(ex->client_key, nullptr);
}

TEST(AuthenticateStage, AdminEndpointsNeedTheAdminKey) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const AuthCase cases[] = {
      {"admin key", {{"authorization", "Bearer admin-secret-0123"}}, "admin", ""},
      {"bearer in any case", {{"authorization", "BEARER admin-secret-0123"}}, "admin", ""},
      {"no key", {}, nullptr, "Invalid admin key: send Authorization: Bearer <admin key>."},
      {"a client key", {{"authorization", "Bearer sk-alice-0123456789"}}, nullptr,
       "Invalid admin key: send Authorization: Bearer <admin key>."},
      {"x-api-key is not for admins", {{"x-api-key", "admin-secret-0123"}}, nullptr,
       "Invalid admin key: send Authorization: Bearer <admin key>."},
      {"a prefix", {{"authorization", "Bearer admin-secret-012"}}, nullptr,
       "Invalid admin key: send Authorization: Bearer <admin key>."},
  };
  for (const AuthCase& c : cases) {
    SCOPED_TRACE(c.what);
    FakeClient client(true);
    auto ex = world.exchange(client, makeRequest("GET", "/admin/v1/status", c.headers));
    ASSERT_EQ(stage::route(*ex), Outcome::Next);
    const Outcome o = stage::authenticate(*ex);
    if (c.key_name) {
      EXPECT_EQ(o, Outcome::Next);
      EXPECT_EQ(ex->key_name, c.key_name);
      continue;
    }
    EXPECT_EQ(o, Outcome::Respond);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(jsonString(r.body, "/error/message"), c.message);
  }
}

TEST(AuthenticateStage, WithoutAnAdminKeyTheAdminApiIsOff) {
  StageWorld world(serverSection() + kKeys);
  ASSERT_TRUE(world.ok());
  FakeClient client(true);
  auto ex = world.exchange(client, makeRequest("GET", "/admin/v1/status",
                                               {{"authorization", "Bearer "}}));
  ASSERT_EQ(stage::route(*ex), Outcome::Next);
  EXPECT_EQ(stage::authenticate(*ex), Outcome::Respond);
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(jsonString(r.body, "/error/message"),
            "The admin API is disabled: set server.admin_key (or ADMIN_KEY) to enable it.");
}

}  // namespace
}  // namespace llmproxy::worker::testing
