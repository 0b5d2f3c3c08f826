// Stage 40 authorize: the key's allowed_models (403), then its limits in the node's shared
// memory (429 with Retry-After and x-ratelimit-* headers; the headers of an admitted request
// are kept for its answer).
#include <gtest/gtest.h>

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

// Rates of one request per 1000 s: a bucket never refills while a test runs.
const std::string kConfig =
    serverSection("provider_prefix = \"Proxy/\"\n") +
    "[[key]]\nname = \"narrow\"\nkey = \"sk-narrow-0123456789\"\n"
    "allowed_models = [\"gpt-4o\", \"claude-*\"]\n"
    "[[key]]\nname = \"wide\"\nkey = \"sk-wide-0123456789\"\n"
    "[[key]]\nname = \"limited\"\nkey = \"sk-limited-0123456789\"\n"
    "rate_limit = { requests_per_second = 0.001, burst = 2 }\n"
    "[[key]]\nname = \"quota\"\nkey = \"sk-quota-0123456789\"\nmax_requests = 1\n"
    "[[key]]\nname = \"per-model\"\nkey = \"sk-per-model-0123456789\"\n"
    "rate_limit = { requests_per_second = 0.001, burst = 5 }\n"
    "rate_limit_per_model = { \"small-*\" = { requests_per_second = 0.001, burst = 1 } }\n";

// Stages 20 to 40 for a chat request of `key` asking for `model`.
struct Call {
  FakeClient client;
  std::unique_ptr<Exchange> ex;
  Outcome outcome;
};
std::unique_ptr<Call> authorize(StageWorld& world, const std::string& key,
                                const std::string& model) {
  auto c = std::make_unique<Call>();
  c->ex = world.exchange(c->client,
                         makeRequest("POST", "/v1/chat/completions",
                                     {{"authorization", "Bearer " + key}},
                                     R"({"model":")" + model + R"(","messages":[]})"));
  c->outcome = runThrough(*c->ex, Stage::Authorize);
  return c;
}

struct ModelCase {
  const char* key;
  const char* model;
  bool allowed;
};

TEST(AuthorizeStage, AllowedModelsAreExactNamesOrStarPatterns) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const ModelCase cases[] = {
      {"sk-narrow-0123456789", "gpt-4o", true},
      {"sk-narrow-0123456789", "Proxy/gpt-4o", true},  // checked after the prefix strip
      {"sk-narrow-0123456789", "claude-3-opus", true},
      {"sk-narrow-0123456789", "claude-", true},
      {"sk-narrow-0123456789", "gpt-4o-mini", false},
      {"sk-narrow-0123456789", "gpt-4", false},
      {"sk-narrow-0123456789", "Claude-3", false},
      {"sk-narrow-0123456789", "my-claude-3", false},
      {"sk-wide-0123456789", "anything/at-all", true},  // empty allowed_models: all
  };
  for (const ModelCase& c : cases) {
    SCOPED_TRACE(std::string(c.key) + " " + c.model);
    auto call = authorize(world, c.key, c.model);
    if (c.allowed) {
      EXPECT_EQ(call->outcome, Outcome::Next);
      EXPECT_TRUE(call->client.bytes().empty());
      EXPECT_FALSE(call->ex->upstream->limit_check);  // no limits on these keys
      continue;
    }
    EXPECT_EQ(call->outcome, Outcome::Respond);
    const SentResponse r = call->client.response();
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "model_not_allowed");
    EXPECT_EQ(jsonString(r.body, "/error/type"), "permission_error");
    EXPECT_EQ(jsonString(r.body, "/error/message"),
              "This API key is not allowed to use the model '" + std::string(c.model) + "'.");
    ASSERT_TRUE(call->ex->error);
    EXPECT_EQ(call->ex->error->kind, common::ErrorKind::ModelNotAllowed);
  }
}

TEST(AuthorizeStage, RequestsPerSecondBeyondTheBurstIs429WithHeaders) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* remaining : {"1", "0"}) {
    SCOPED_TRACE(remaining);
    auto call = authorize(world, "sk-limited-0123456789", "m");
    EXPECT_EQ(call->outcome, Outcome::Next);
    EXPECT_TRUE(call->client.bytes().empty());
    // Kept for the answer's head (80 relay, or a cache hit).
    const auto& check = call->ex->upstream->limit_check;
    ASSERT_TRUE(check);
    EXPECT_TRUE(check->allowed);
    EXPECT_EQ(check->limit_requests, 2u);
    EXPECT_EQ(std::to_string(check->remaining_requests), remaining);
  }
  auto call = authorize(world, "sk-limited-0123456789", "m");
  EXPECT_EQ(call->outcome, Outcome::Respond);
  const SentResponse r = call->client.response();
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(jsonString(r.body, "/error/code"), "rate_limit_exceeded");
  EXPECT_EQ(jsonString(r.body, "/error/type"), "rate_limit_error");
  EXPECT_TRUE(jsonString(r.body, "/error/message")
                  .starts_with("Rate limit reached for requests: Limit 2, Remaining 0."));
  EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "2");
  EXPECT_EQ(r.header("x-ratelimit-remaining-requests"), "0");
  EXPECT_TRUE(r.header("x-ratelimit-reset-requests"));
  ASSERT_TRUE(r.header("retry-after"));
  EXPECT_GT(std::stol(*r.header("retry-after")), 0);
  EXPECT_FALSE(r.header("x-ratelimit-limit-tokens"));  // no tokens_per_minute on this key
  ASSERT_TRUE(call->ex->error);
  EXPECT_EQ(call->ex->error->kind, common::ErrorKind::RateLimited);
}

TEST(AuthorizeStage, AnExhaustedQuotaIs429InsufficientQuotaWithoutRetryAfter) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  EXPECT_EQ(authorize(world, "sk-quota-0123456789", "m")->outcome, Outcome::Next);
  auto call = authorize(world, "sk-quota-0123456789", "m");
  EXPECT_EQ(call->outcome, Outcome::Respond);
  const SentResponse r = call->client.response();
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(jsonString(r.body, "/error/code"), "insufficient_quota");
  EXPECT_EQ(jsonString(r.body, "/error/message"),
            "You exceeded your quota of 1 requests for this API key.");
  EXPECT_FALSE(r.header("retry-after"));
}

TEST(AuthorizeStage, APerModelOverrideHasBucketsOfItsOwn) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  // The override (burst 1) for small-*: one request, shared by every model it matches.
  EXPECT_EQ(authorize(world, "sk-per-model-0123456789", "small-a")->outcome, Outcome::Next);
  auto second = authorize(world, "sk-per-model-0123456789", "small-b");
  EXPECT_EQ(second->outcome, Outcome::Respond);
  EXPECT_EQ(second->client.response().status, 429);
  EXPECT_EQ(second->client.response().header("x-ratelimit-limit-requests"), "1");
  // The key's own bucket (burst 5) was not charged.
  auto other = authorize(world, "sk-per-model-0123456789", "large");
  EXPECT_EQ(other->outcome, Outcome::Next);
  ASSERT_TRUE(other->ex->upstream->limit_check);
  EXPECT_EQ(other->ex->upstream->limit_check->limit_requests, 5u);
  EXPECT_EQ(other->ex->upstream->limit_check->remaining_requests, 4u);
}

TEST(AuthorizeStage, CountingTokensIsNotLimited) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (int i = 0; i < 3; ++i) {  // past the quota of 1, and past allowed_models' check only
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("POST", "/v1/messages/count_tokens",
                                                 {{"x-api-key", "sk-quota-0123456789"}},
                                                 R"({"model":"m","messages":[]})"));
    EXPECT_EQ(runThrough(*ex, Stage::Authorize), Outcome::Next);
    EXPECT_FALSE(ex->upstream->limit_check);
  }
  EXPECT_EQ(authorize(world, "sk-quota-0123456789", "m")->outcome, Outcome::Next);
  // allowed_models still applies.
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("POST", "/v1/messages/count_tokens",
                                               {{"x-api-key", "sk-narrow-0123456789"}},
                                               R"({"model":"gpt-4","messages":[]})"));
  EXPECT_EQ(runThrough(*ex, Stage::Authorize), Outcome::Respond);
  EXPECT_EQ(client.response().status, 403);
}

TEST(AuthorizeStage, UnauthenticatedModeHasNoLimits) {
  StageWorld world(serverSection("allow_unauthenticated = true\n"));
  ASSERT_TRUE(world.ok());
  auto call = authorize(world, "whatever", "m");
  EXPECT_EQ(call->outcome, Outcome::Next);
  EXPECT_FALSE(call->ex->upstream->limit_check);
}

TEST(AuthorizeStage, LocalEndpointsPassThrough) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("GET", "/v1/models",
                                               {{"authorization", "Bearer sk-quota-0123456789"}}));
  // Twice past the quota of 1: /v1/models is not a proxy request and is not counted.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(runThrough(*ex, Stage::Authorize), Outcome::Next);
  EXPECT_EQ(authorize(world, "sk-quota-0123456789", "m")->outcome, Outcome::Next);
}

}  // namespace
}  // namespace llmproxy::worker::testing
