// Stage 37 parse: a proxy request's body gives the model (provider prefix stripped) and the
// stream facts, or a 400; endpoints the proxy answers itself are not parsed.
#include <gtest/gtest.h>

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

const std::string kConfig =
    serverSection("allow_unauthenticated = true\nprovider_prefix = \"Proxy/\"\n");

struct ParseCase {
  const char* body;
  const char* model;    // nullptr: refused with 400
  bool stream;
  const char* message;  // of the 400
};

TEST(ParseStage, TheBodyGivesTheModelAndTheStreamFacts) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const ParseCase cases[] = {
      {R"({"model":"gpt-4o","messages":[]})", "gpt-4o", false, ""},
      {R"({"model":"Proxy/gpt-4o","messages":[]})", "gpt-4o", false, ""},  // prefix stripped
      {R"({"model":"proxy/gpt-4o"})", "proxy/gpt-4o", false, ""},  // the prefix is exact
      {R"({"model":"gpt-4o/Proxy/x"})", "gpt-4o/Proxy/x", false, ""},  // only at the start
      {R"({"model":"Proxy/Proxy/m"})", "Proxy/m", false, ""},  // stripped once
      {R"({"model":"m","stream":true})", "m", true, ""},
      {R"({"model":"m","stream":false})", "m", false, ""},
      {R"({"model":"m","stream":null})", "m", false, ""},
      {R"({"model":"Proxy/","messages":[]})", nullptr, false,
       "The model name is empty after the prefix."},
      {R"({"model":"gpt-4o")", nullptr, false, "Invalid JSON in request body: "},
      {"", nullptr, false, "Request body is empty: expected a JSON object"},
      {R"(["gpt-4o"])", nullptr, false, "Request body must be a JSON object"},
      {R"({"messages":[]})", nullptr, false, "You must provide a model parameter"},
      {R"({"model":""})", nullptr, false, "You must provide a model parameter"},
      {R"({"model":7})", nullptr, false, "Invalid type for 'model': expected "},
      {R"({"model":"m","stream":"yes"})", nullptr, false, "Invalid type for 'stream': expected "},
      {R"({"model":"a","model":"b"})", nullptr, false, "Duplicate key 'model' in request body"},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.body);
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("POST", "/v1/chat/completions", {}, c.body));
    ASSERT_EQ(runThrough(*ex, Stage::ReadBody), Outcome::Next);
    const Outcome o = stage::parse(*ex);
    if (c.model) {
      EXPECT_EQ(o, Outcome::Next);
      ASSERT_NE(ex->upstream, nullptr);
      EXPECT_EQ(ex->upstream->model, c.model);
      EXPECT_EQ(ex->upstream->facts.stream, c.stream);
      EXPECT_TRUE(client.bytes().empty());
      continue;
    }
    EXPECT_EQ(o, Outcome::Respond);
    const SentResponse r = client.response();
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(jsonString(r.body, "/error/code"), "bad_request");
    EXPECT_TRUE(jsonString(r.body, "/error/message").starts_with(c.message))
        << jsonString(r.body, "/error/message");
    ASSERT_TRUE(ex->error);
    EXPECT_EQ(ex->error->kind, common::ErrorKind::BadRequest);
  }
}

TEST(ParseStage, TheModelTokenIsWhereTheBodyHasIt) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  const std::string body = R"({"messages":[], "model" : "Proxy/gpt-4o"})";
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("POST", "/v1/embeddings", {}, body));
  ASSERT_EQ(runThrough(*ex, Stage::Parse), Outcome::Next);
  // The token still holds the prefix: stage 60 splices the mapped name over all of it.
  EXPECT_EQ(ex->upstream->facts.model_token.in(ex->request.body), "\"Proxy/gpt-4o\"");
}

TEST(ParseStage, AnEmptyModelIsNamedAsTheParam) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = world.exchange(client,
                           makeRequest("POST", "/v1/completions", {}, R"({"model":"Proxy/"})"));
  EXPECT_EQ(runThrough(*ex, Stage::Parse), Outcome::Respond);
  EXPECT_EQ(jsonString(client.response().body, "/error/param"), "model");
}

TEST(ParseStage, AnthropicAndResponsesBodiesToo) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* target : {"/v1/messages", "/v1/messages/count_tokens", "/v1/responses"}) {
    SCOPED_TRACE(target);
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("POST", target, {},
                                                 R"({"model":"Proxy/claude-x","stream":true})"));
    EXPECT_EQ(runThrough(*ex, Stage::Parse), Outcome::Next);
    EXPECT_EQ(ex->upstream->model, "claude-x");
    EXPECT_TRUE(ex->upstream->facts.stream);
  }
  FakeClient client;  // a bad body: 400 in Anthropic's shape
  auto ex = world.exchange(client, makeRequest("POST", "/v1/messages", {}, "{"));
  EXPECT_EQ(runThrough(*ex, Stage::Parse), Outcome::Respond);
  const SentResponse r = client.response();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(jsonString(r.body, "/type"), "error");
  EXPECT_EQ(jsonString(r.body, "/error/type"), "invalid_request_error");
}

TEST(ParseStage, LocalEndpointsAreNotParsed) {
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  for (const char* target : {"/v1/models", "/health", "/metrics"}) {
    SCOPED_TRACE(target);
    FakeClient client;
    auto ex = world.exchange(client, makeRequest("GET", target));
    ASSERT_EQ(runThrough(*ex, Stage::ReadBody), Outcome::Next);
    EXPECT_EQ(stage::parse(*ex), Outcome::Next);
    EXPECT_EQ(ex->upstream, nullptr);
    EXPECT_TRUE(client.bytes().empty());
  }
}

TEST(ParseStage, TheBodyIsReadOnlyWhenNotYetComplete) {
  // Stage 35, which parse follows: a body still on the wire is asked for, and the stage waits.
  StageWorld world(kConfig);
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("POST", "/v1/chat/completions"));
  ex->body_complete = false;
  EXPECT_EQ(runThrough(*ex, Stage::ReadBody), Outcome::Wait);
  EXPECT_EQ(client.body_reads, 1);
  ex->request.body = R"({"model":"m"})";
  ex->body_complete = true;
  EXPECT_EQ(stage::readBody(*ex), Outcome::Next);
  EXPECT_EQ(client.body_reads, 1);
}

}  // namespace
}  // namespace llmproxy::worker::testing
