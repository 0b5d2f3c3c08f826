// Stage 20 route: each (listener, method, path) maps to its Endpoint; an unknown path is 404,
// a known path with another method is 405 with the methods it takes in Allow.
#include <gtest/gtest.h>

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

const std::string kConfig = serverSection("allow_unauthenticated = true\n");

struct RouteCase {
  bool admin_listener;
  const char* method;
  const char* target;
  Endpoint endpoint;
  const char* param;
};

TEST(RouteStage, EachPathAndMethodMapsToItsEndpoint) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const RouteCase cases[] = {
      {false, "GET", "/health", Endpoint::Health, ""},
      {false, "GET", "/metrics", Endpoint::Metrics, ""},
      {false, "POST", "/v1/chat/completions", Endpoint::ChatCompletions, ""},
      {false, "POST", "/v1/completions", Endpoint::Completions, ""},
      {false, "POST", "/v1/embeddings", Endpoint::Embeddings, ""},
      {false, "GET", "/v1/models", Endpoint::Models, ""},
      {false, "HEAD", "/v1/models", Endpoint::Models, ""},  // answered like GET
      {false, "GET", "/v1/models?limit=3", Endpoint::Models, ""},  // the query is not the path
      {false, "POST", "/chat/completions", Endpoint::ChatCompletions, ""},  // the seeds' aliases
      {false, "POST", "/completions", Endpoint::Completions, ""},
      {false, "POST", "/embeddings", Endpoint::Embeddings, ""},
      {false, "GET", "/models", Endpoint::Models, ""},
      {false, "POST", "/v1/messages", Endpoint::Messages, ""},
      {false, "POST", "/v1/messages/count_tokens", Endpoint::CountTokens, ""},
      {false, "POST", "/v1/responses", Endpoint::Responses, ""},
      {false, "POST", "/api/event_logging/batch", Endpoint::EventLogging, ""},
      {false, "POST", "/messages", Endpoint::Messages, ""},
      {false, "POST", "/messages/count_tokens", Endpoint::CountTokens, ""},
      {false, "POST", "/responses", Endpoint::Responses, ""},
      {false, "POST", "/v2/chat/completions", Endpoint::ChatCompletions, ""},
      {false, "POST", "/v2/messages", Endpoint::Messages, ""},
      {false, "POST", "/v2/messages/count_tokens", Endpoint::CountTokens, ""},
      {false, "POST", "/v2/responses", Endpoint::Responses, ""},
      {true, "GET", "/health", Endpoint::Health, ""},  // on both listeners
      {true, "GET", "/metrics", Endpoint::Metrics, ""},
      {true, "GET", "/health/detailed", Endpoint::HealthDetailed, ""},  // admin listener only
      {true, "GET", "/admin/v1/config/version", Endpoint::AdminConfigVersion, ""},
      {true, "POST", "/admin/v1/config/reload", Endpoint::AdminConfigReload, ""},
      {true, "GET", "/admin/v1/status", Endpoint::AdminStatus, ""},
      {true, "GET", "/admin/v1/providers", Endpoint::AdminProviders, ""},
      {true, "POST", "/admin/v1/providers", Endpoint::AdminProviders, ""},
      {true, "GET", "/admin/v1/providers/openai-1", Endpoint::AdminProvider, "openai-1"},
      {true, "PUT", "/admin/v1/providers/7", Endpoint::AdminProvider, "7"},
      {true, "DELETE", "/admin/v1/providers/7", Endpoint::AdminProvider, "7"},
      {true, "POST", "/admin/v1/providers/p.2/health", Endpoint::AdminProviderHealth, "p.2"},
      {true, "GET", "/admin/v1/credentials", Endpoint::AdminCredentials, ""},
      {true, "POST", "/admin/v1/credentials", Endpoint::AdminCredentials, ""},
      {true, "GET", "/admin/v1/credentials/12", Endpoint::AdminCredential, "12"},
      {true, "PUT", "/admin/v1/credentials/12", Endpoint::AdminCredential, "12"},
      {true, "DELETE", "/admin/v1/credentials/12", Endpoint::AdminCredential, "12"},
      {true, "POST", "/admin/v1/auth/validate", Endpoint::AdminAuthValidate, ""},
      {true, "GET", "/admin/v1/usage?group_by=key", Endpoint::AdminUsage, ""},
      {true, "GET", "/admin/v1/usage/requests?limit=5", Endpoint::AdminRecentRequests, ""},
      {true, "GET", "/admin/v1/config", Endpoint::AdminConfig, ""},
      {true, "GET", "/", Endpoint::UiRedirect, ""},
      {true, "GET", "/ui", Endpoint::UiRedirect, ""},
      {true, "GET", "/ui/", Endpoint::UiFile, ""},
      {true, "GET", "/ui/assets/app.js?v=1", Endpoint::UiFile, "assets/app.js"},
      {true, "HEAD", "/ui/index.html", Endpoint::UiFile, "index.html"},
      {true, "POST", "/playground/v1/chat/completions", Endpoint::ChatCompletions, ""},
      {true, "POST", "/playground/v1/messages", Endpoint::Messages, ""},
      {true, "GET", "/playground/v1/models", Endpoint::Models, ""},
  };
  for (const RouteCase& c : cases) {
    SCOPED_TRACE(std::string(c.admin_listener ? "admin " : "api ") + c.method + " " + c.target);
    FakeClient client(c.admin_listener);
    auto ex = world.exchange(client, makeRequest(c.method, c.target));
    EXPECT_EQ(stage::route(*ex), Outcome::Next);
    EXPECT_EQ(ex->endpoint, c.endpoint);
    EXPECT_EQ(ex->route_param, c.param);
    EXPECT_TRUE(client.bytes().empty());
    EXPECT_FALSE(ex->error);
  }
}

TEST(RouteStage, UnknownPathsAre404) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const std::string long_ui_path = "/ui/" + std::string(300, 'a');
  const RouteCase cases[] = {
      {false, "GET", "/", Endpoint::None, ""},
      {false, "POST", "/v1/chat/completions/", Endpoint::None, ""},  // no trailing slash
      {false, "POST", "/v1/chat", Endpoint::None, ""},
      {false, "POST", "/v3/chat/completions", Endpoint::None, ""},
      {false, "POST", "/v2/embeddings", Endpoint::None, ""},  // /v2 only where the seeds had it
      {false, "GET", "/admin/v1/status", Endpoint::None, ""},    // admin routes: admin port only
      {false, "GET", "/health/detailed", Endpoint::None, ""},
      {true, "POST", "/v1/chat/completions", Endpoint::None, ""},  // and proxy routes: API only
      {true, "GET", "/v1/models", Endpoint::None, ""},
      {true, "POST", "/v1/messages", Endpoint::None, ""},
      {true, "GET", "/admin/v1/providers/", Endpoint::None, ""},   // an empty {id}
      {true, "GET", "/admin/v1/providers/a/b", Endpoint::None, ""},
      {false, "GET", "/ui/", Endpoint::None, ""},  // the web UI: admin port only
      {false, "POST", "/playground/v1/chat/completions", Endpoint::None, ""},
      {true, "GET", "/uix", Endpoint::None, ""},
      {true, "GET", long_ui_path.c_str(), Endpoint::None, ""},  // longer than a param
  };
  for (const RouteCase& c : cases) {
    SCOPED_TRACE(std::string(c.admin_listener ? "admin " : "api ") + c.method + " " + c.target);
    FakeClient client(c.admin_listener);
    auto ex = world.exchange(client, makeRequest(c.method, c.target));
    const std::string_view target = c.target;
    EXPECT_EQ(stage::route(*ex), Outcome::Respond);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "not_found");
    EXPECT_EQ(jsonString(r.body, "/error/message"),
              std::string("Unknown request URL: ") + c.method + " " +
                  std::string(target.substr(0, target.find('?'))));
    EXPECT_FALSE(r.header("allow"));
    ASSERT_TRUE(ex->error);
    EXPECT_EQ(ex->error->kind, common::ErrorKind::NotFound);
    EXPECT_TRUE(client.ended);
  }
}

TEST(RouteStage, AnIdLongerThan256BytesMatchesNoRoute) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (size_t len : {256u, 257u}) {
    FakeClient client(true);
    auto ex = world.exchange(client,
                             makeRequest("GET", "/admin/v1/providers/" + std::string(len, 'a')));
    if (len == 256) {
      EXPECT_EQ(stage::route(*ex), Outcome::Next);
      EXPECT_EQ(ex->route_param.size(), 256u);
    } else {
      EXPECT_EQ(stage::route(*ex), Outcome::Respond);
      EXPECT_EQ(client.response().status, 404);
    }
  }
}

struct NotAllowedCase {
  bool admin_listener;
  const char* method;
  const char* target;
  const char* allow;
};

TEST(RouteStage, AnotherMethodIs405WithAllow) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const NotAllowedCase cases[] = {
      {false, "GET", "/v1/chat/completions", "POST"},
      {false, "PUT", "/v1/embeddings", "POST"},
      {false, "POST", "/v1/models", "GET"},
      {false, "GET", "/v1/responses", "POST"},
      {false, "DELETE", "/health", "GET"},
      {true, "DELETE", "/admin/v1/providers", "GET, POST"},
      {true, "POST", "/admin/v1/providers/x", "GET, PUT, DELETE"},
      {true, "PATCH", "/admin/v1/credentials/3", "GET, PUT, DELETE"},
      {true, "GET", "/admin/v1/config/reload", "POST"},
      {true, "GET", "/admin/v1/providers/a/health", "POST"},
  };
  for (const NotAllowedCase& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    FakeClient client(c.admin_listener);
    auto ex = world.exchange(client, makeRequest(c.method, c.target));
    EXPECT_EQ(stage::route(*ex), Outcome::Respond);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.header("allow"), c.allow);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "method_not_allowed");
    EXPECT_EQ(jsonString(r.body, "/error/message"),
              std::string("Method ") + c.method + " is not allowed for " + c.target +
                  " (allowed: " + c.allow + ")");
    ASSERT_TRUE(ex->error);
    EXPECT_EQ(ex->error->kind, common::ErrorKind::MethodNotAllowed);
  }
}


TEST(RouteStage, ABodyOnAnEndpointThatTakesNoneIsRefusedBeforeItIsRead) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const RouteCase cases[] = {
      {false, "GET", "/health", Endpoint::Health, ""},
      {false, "GET", "/metrics", Endpoint::Metrics, ""},
      {false, "GET", "/v1/models", Endpoint::Models, ""},
      {true, "GET", "/admin/v1/status", Endpoint::AdminStatus, ""},
      {true, "DELETE", "/admin/v1/credentials/3", Endpoint::AdminCredential, "3"},
  };
  for (const RouteCase& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    FakeClient client(c.admin_listener);
    Request req = makeRequest(c.method, c.target);
    req.has_body = true;  // as the head declared it; nothing of it is read yet
    req.content_length = 16u << 20;
    auto ex = world.exchange(client, std::move(req));
    EXPECT_EQ(stage::route(*ex), Outcome::Respond);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "payload_too_large");
    EXPECT_EQ(client.body_reads, 0);
  }
  // POST and PUT routes read theirs (after authentication).
  FakeClient client;
  Request req = makeRequest("POST", "/v1/chat/completions");
  req.has_body = true;
  req.content_length = 10;
  auto ex = world.exchange(client, std::move(req));
  EXPECT_EQ(stage::route(*ex), Outcome::Next);
}

}  // namespace
}  // namespace llmproxy::worker::testing
