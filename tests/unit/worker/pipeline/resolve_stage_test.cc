// Stage 50 resolve: the providers that may answer a model, in failover order (exact names, then
// patterns by longest literal prefix; weighted round-robin within a tier; cooling-down providers
// last; cut at max_attempts), each with the model name it is sent; 404 for an unknown model.
#include <gtest/gtest.h>

#include <map>

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

std::string provider(const std::string& id, const std::string& lines) {
  return "[[provider]]\nid = \"" + id +
         "\"\ntype = \"openai-compatible\"\napi_base = \"http://127.0.0.1:9/v1\"\n" + lines;
}

const std::string kConfig =
    serverSection("allow_unauthenticated = true\nprovider_prefix = \"Proxy/\"\n") +
    provider("exact", "models = [\"claude-opus-4-5\", \"gpt-4o\"]\n"
                      "model_mapping = { \"gpt-4\" = \"gpt-4-turbo\" }\n") +
    provider("long", "model_mapping = { \"claude-opus-*\" = \"opus-long\" }\n") +
    provider("short", "model_mapping = { \"claude-*\" = \"c-short\" }\n") +
    provider("regex", "model_mapping = { \"o[13]-mini\" = \"o-mini\" }\n") +
    provider("off", "models = [\"gpt-4o\", \"only-off\"]\nenabled = false\n") +
    provider("w2", "models = [\"tie\"]\nweight = 2\n") +
    provider("w1", "models = [\"tie\"]\n");

using Candidates = std::vector<std::pair<std::string, std::string>>;  // provider id, target

// Stages 20 to 50 for a chat request naming `model`.
std::unique_ptr<Exchange> resolve(StageWorld& world, FakeClient& client,
                                  const std::string& model) {
  auto ex = world.exchange(client, makeRequest("POST", "/v1/chat/completions", {},
                                               R"({"model":")" + model + R"("})"));
  const Outcome o = runThrough(*ex, Stage::Resolve);
  EXPECT_EQ(o, client.bytes().empty() ? Outcome::Next : Outcome::Respond);
  return ex;
}

Candidates candidatesOf(const Exchange& ex) {
  Candidates out;
  for (const UpstreamCandidate& c : ex.upstream->candidates)
    out.emplace_back(ex.config->providers[c.provider].id, std::string(c.target));
  return out;
}

TEST(ResolveStage, EachModelGetsItsCandidatesAndTheNameEachIsSent) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const std::pair<const char*, Candidates> cases[] = {
      {"gpt-4o", {{"exact", "gpt-4o"}}},                  // the disabled provider is left out
      {"Proxy/gpt-4o", {{"exact", "gpt-4o"}}},            // after the prefix strip
      {"gpt-4", {{"exact", "gpt-4-turbo"}}},              // mapped
      {"claude-opus-4-5",                                 // exact, then longer prefix first
       {{"exact", "claude-opus-4-5"}, {"long", "opus-long"}, {"short", "c-short"}}},
      {"claude-opus-3", {{"long", "opus-long"}, {"short", "c-short"}}},
      {"claude-haiku", {{"short", "c-short"}}},
      {"o3-mini", {{"regex", "o-mini"}}},
  };
  for (const auto& [model, expected] : cases) {
    SCOPED_TRACE(model);
    FakeClient client;
    auto ex = resolve(world, client, model);
    EXPECT_EQ(candidatesOf(*ex), expected);
    EXPECT_TRUE(client.bytes().empty());
  }
}

TEST(ResolveStage, AnUnknownModelIs404) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* model : {"o2-mini", "gpt-5", "only-off", "GPT-4O"}) {
    SCOPED_TRACE(model);
    FakeClient client;
    auto ex = resolve(world, client, model);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "model_not_found");
    EXPECT_EQ(jsonString(r.body, "/error/param"), "model");
    EXPECT_EQ(jsonString(r.body, "/error/message"),
              std::string("The model '") + model + "' does not exist or no provider serves it.");
    ASSERT_TRUE(ex->error);
    EXPECT_EQ(ex->error->kind, common::ErrorKind::ModelNotFound);
  }
}

TEST(ResolveStage, ProvidersThatTieShareByWeight) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  std::map<std::string, int> first;
  for (int i = 0; i < 6; ++i) {
    FakeClient client;
    auto ex = resolve(world, client, "tie");
    const Candidates c = candidatesOf(*ex);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_NE(c[0].first, c[1].first);  // the other one is the failover
    ++first[c[0].first];
  }
  EXPECT_EQ(first["w2"], 4);
  EXPECT_EQ(first["w1"], 2);
}

// The health entry of provider `id` in `world`'s config.
const ProviderRuntime& runtimeOf(StageWorld& world, const std::string& id) {
  const RuntimeConfig& config = *world.config();
  for (size_t i = 0; i < config.providers.size(); ++i)
    if (config.providers[i].id == id) return config.provider_runtime[i];
  ADD_FAILURE() << "no provider " << id;
  return config.provider_runtime[0];
}

TEST(ResolveStage, CoolingDownProvidersGoLast) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const ProviderRuntime& exact = runtimeOf(world, "exact");
  for (int i = 0; i < 3; ++i)  // max_fails (3) failures within fail_timeout cool it down
    common::ProviderHealth::recordFailure(exact.health, exact.health_policy, 500, 0,
                                          common::nowUnixMs());
  FakeClient client;
  auto ex = resolve(world, client, "claude-opus-4-5");
  EXPECT_EQ(candidatesOf(*ex), (Candidates{{"long", "opus-long"},
                                           {"short", "c-short"},
                                           {"exact", "claude-opus-4-5"}}));
  // Alone and cooling: still tried (probed) rather than refused.
  FakeClient alone;
  auto only = resolve(world, alone, "gpt-4o");
  EXPECT_EQ(candidatesOf(*only), (Candidates{{"exact", "gpt-4o"}}));
}

TEST(ResolveStage, AHalfOpenProviderIsProbedByOneRequestOnly) {
  StageWorld world(serverSection("allow_unauthenticated = true\n") +
                   provider("a", "models = [\"m\"]\nmax_fails = 1\nfail_timeout = \"1s\"\n") +
                   provider("b", "models = [\"m\"]\nweight = 1000\n"));
  ASSERT_TRUE(world.ok());
  const ProviderRuntime& a = runtimeOf(world, "a");
  // Down since 2 s ago for 1 s: half-open now.
  common::ProviderHealth::recordFailure(a.health, a.health_policy, 500, 0,
                                        common::nowUnixMs() - 2'000);
  ASSERT_EQ(common::ProviderHealth::state(a.health, common::nowUnixMs()),
            common::ProviderState::HalfOpen);
  FakeClient first;
  auto probe = resolve(world, first, "m");
  EXPECT_EQ(candidatesOf(*probe), (Candidates{{"a", "m"}, {"b", "m"}}));  // the probe goes first
  FakeClient second;
  auto other = resolve(world, second, "m");
  EXPECT_EQ(candidatesOf(*other), (Candidates{{"b", "m"}, {"a", "m"}}));  // still out for it
}

TEST(ResolveStage, RateLimitedProvidersAreNotCandidates) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const ProviderRuntime& exact = runtimeOf(world, "exact");
  // A 429 with a long Retry-After: nothing goes to it until then.
  common::ProviderHealth::recordFailure(exact.health, exact.health_policy, 429, 1'000'000,
                                        common::nowUnixMs());
  FakeClient client;
  auto ex = resolve(world, client, "claude-opus-4-5");
  EXPECT_EQ(candidatesOf(*ex), (Candidates{{"long", "opus-long"}, {"short", "c-short"}}));
  FakeClient alone;
  auto only = resolve(world, alone, "gpt-4o");
  EXPECT_TRUE(candidatesOf(*only).empty());  // stage 70 answers 429 with the Retry-After
  EXPECT_GT(only->upstream->rate_limited_until_ms, common::nowUnixMs());
  EXPECT_EQ(only->upstream->rate_limited_provider, "exact");
}

TEST(ResolveStage, TheListIsCutAtMaxAttempts) {
  StageWorld world(serverSection("allow_unauthenticated = true\nmax_attempts = 2\n") +
                   provider("exact", "models = [\"claude-opus-4-5\"]\n") +
                   provider("long", "model_mapping = { \"claude-opus-*\" = \"opus-long\" }\n") +
                   provider("short", "model_mapping = { \"claude-*\" = \"c-short\" }\n"));
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = resolve(world, client, "claude-opus-4-5");
  EXPECT_EQ(candidatesOf(*ex),
            (Candidates{{"exact", "claude-opus-4-5"}, {"long", "opus-long"}}));
}

}  // namespace
}  // namespace llmproxy::worker::testing
