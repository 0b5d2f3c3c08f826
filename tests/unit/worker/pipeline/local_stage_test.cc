// Stage 45 local: the endpoints the proxy answers itself (/health, /metrics, /v1/models, the
// admin API) answer here through their handlers; proxy endpoints go on to resolve.
#include <gtest/gtest.h>

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

const std::string kConfig =
    serverSection("admin_key = \"admin-secret-0123\"\n") +
    "[[provider]]\nid = \"p1\"\ntype = \"openai-compatible\"\napi_base = \"http://127.0.0.1:9/v1\"\n"
    "models = [\"gpt-4o\", \"gpt-4o-mini\"]\nmodel_mapping = { \"claude-*\" = \"c\" }\n"
    "[[provider]]\nid = \"p2\"\ntype = \"openai-compatible\"\napi_base = \"http://127.0.0.1:9/v1\"\n"
    "model_mapping = { \"gpt-4\" = \"gpt-4-turbo\" }\n"
    "[[provider]]\nid = \"off\"\ntype = \"openai-compatible\"\napi_base = \"http://127.0.0.1:9/v1\"\n"
    "models = [\"hidden\"]\nenabled = false\n"
    "[[key]]\nname = \"wide\"\nkey = \"sk-wide-0123456789\"\n"
    "[[key]]\nname = \"narrow\"\nkey = \"sk-narrow-0123456789\"\n"
    "allowed_models = [\"gpt-4o\", \"claude-*\"]\n";

using Headers = std::vector<std::pair<std::string, std::string>>;

// Stages 20 to 45 for `method target` on `client`.
std::unique_ptr<Exchange> runLocal(StageWorld& world, FakeClient& client, const char* method,
                                   const char* target, Headers headers = {},
                                   std::string body = {}) {
  auto ex = world.exchange(client, makeRequest(method, target, std::move(headers),
                                               std::move(body)));
  EXPECT_EQ(runThrough(*ex, Stage::Local), Outcome::Respond);
  EXPECT_TRUE(client.ended);
  return ex;
}

std::vector<std::string> modelIds(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::string> ids;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return {"<not JSON>"};
  for (simdjson::dom::element m : doc["data"].get_array()) {
    EXPECT_EQ(m["object"].get_string().value(), "model");
    EXPECT_EQ(m["owned_by"].get_string().value(), "llmproxy");
    ids.emplace_back(m["id"].get_string().value());
  }
  return ids;
}

TEST(LocalStage, HealthAnswersOkWithTheConfigVersion) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = runLocal(world, client, "GET", "/health");
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(jsonString(r.body, "/status"), "ok");
  EXPECT_NE(r.body.find("\"config_version\":1"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("x-request-id"), ex->request_id);
  EXPECT_FALSE(ex->error);
}

TEST(LocalStage, ModelsListsTheExactNamesTheKeyMayUse) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  struct Case {
    const char* key;
    std::vector<std::string> ids;
  };
  // Sorted; patterns are no names; a disabled provider's models are not served.
  const Case cases[] = {
      {"sk-wide-0123456789", {"gpt-4", "gpt-4o", "gpt-4o-mini"}},
      {"sk-narrow-0123456789", {"gpt-4o"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    FakeClient client;
    auto ex = runLocal(world, client, "GET", "/v1/models",
                       {{"authorization", std::string("Bearer ") + c.key}});
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(jsonString(r.body, "/object"), "list");
    EXPECT_EQ(modelIds(r.body), c.ids);
  }
}

TEST(LocalStage, ModelsInAnthropicsShapeWhenAskedWithAnthropicVersion) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  runLocal(world, client, "GET", "/v1/models",
           {{"x-api-key", "sk-narrow-0123456789"}, {"anthropic-version", "2023-06-01"}});
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(jsonString(r.body, "/data/0/type"), "model");
  EXPECT_EQ(jsonString(r.body, "/data/0/id"), "gpt-4o");
  EXPECT_EQ(jsonString(r.body, "/first_id"), "gpt-4o");
  EXPECT_EQ(jsonString(r.body, "/data/1/id"), "<absent>");
}

TEST(LocalStage, ClaudeCodeTelemetryIsAnsweredHere) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  runLocal(world, client, "POST", "/api/event_logging/batch",
           {{"x-api-key", "sk-wide-0123456789"}}, R"({"events":[]})");
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(jsonString(r.body, "/status"), "ok");
}

TEST(LocalStage, HeadAnswersTheLengthWithoutTheBody) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient get_client;
  runLocal(world, get_client, "GET", "/v1/models", {{"x-api-key", "sk-wide-0123456789"}});
  FakeClient head_client;
  runLocal(world, head_client, "HEAD", "/v1/models", {{"x-api-key", "sk-wide-0123456789"}});
  const SentResponse get = get_client.response();
  const SentResponse head = head_client.response();
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
}

TEST(LocalStage, MetricsAnswersPrometheusText) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  runLocal(world, client, "GET", "/metrics");
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.header("content-type"));
  EXPECT_TRUE(r.header("content-type")->starts_with("text/plain")) << *r.header("content-type");
  EXPECT_NE(r.body.find("# TYPE "), std::string::npos);
}

TEST(LocalStage, AdminReadsShowTheFileAndWritesAre409WithoutADatabase) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const Headers admin = {{"authorization", "Bearer admin-secret-0123"}};
  {
    FakeClient client(true);
    runLocal(world, client, "GET", "/admin/v1/config/version", admin);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("\"worker_version\":1"), std::string::npos) << r.body;
  }
  {
    FakeClient client(true);
    runLocal(world, client, "GET", "/admin/v1/providers", admin);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(jsonString(r.body, "/data/0/provider_key"), "p1");
    EXPECT_EQ(jsonString(r.body, "/data/2/provider_key"), "off");
  }
  {
    FakeClient client(true);
    auto ex = runLocal(world, client, "POST", "/admin/v1/providers", admin,
                       R"({"provider_key":"new","api_base":"http://a"})");
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "conflict");
    EXPECT_TRUE(jsonString(r.body, "/error/message").starts_with("configuration is file-managed"));
    ASSERT_TRUE(ex->error);
    EXPECT_EQ(ex->error->kind, common::ErrorKind::Conflict);
  }
}

TEST(LocalStage, ProxyEndpointsGoOn) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* target : {"/v1/chat/completions", "/v1/completions", "/v1/embeddings",
                             "/v1/messages", "/v1/messages/count_tokens", "/v1/responses"}) {
    SCOPED_TRACE(target);
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("POST", target,
                                                 {{"x-api-key", "sk-wide-0123456789"}},
                                                 R"({"model":"gpt-4o"})"));
    EXPECT_EQ(runThrough(*ex, Stage::Local), Outcome::Next);
    EXPECT_TRUE(client.bytes().empty());
  }
}

}  // namespace
}  // namespace llmproxy::worker::testing
