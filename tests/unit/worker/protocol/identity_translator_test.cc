// The identity translator: the request it builds byte for byte (Azure and OpenAI), the body
// pieces viewing the client's bytes, and a response it leaves alone.
#include "worker/protocol/identity_translator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "worker/protocol/provider_headers.h"

namespace llmproxy::worker::protocol {
namespace {

struct Fixture {
  common::ProviderConfig config;
  ProviderRuntime runtime;
  Request request;
  common::JsonFacts facts;
  OutgoingRequest out;

  Fixture(common::ProviderType type, std::string body) {
    config.id = "p";
    config.type = type;
    config.api_key = "sk-provider";
    config.api_version = "2024-10-21";
    config.url = type == common::ProviderType::Azure
                     ? common::UpstreamUrl{true, "res.openai.azure.com", 443, ""}
                     : common::UpstreamUrl{false, "127.0.0.1", 8080, "/v1"};
    runtime.config = &config;
    runtime.host_header = hostHeaderLine(config);
    runtime.auth_header = authHeaderLine(config);
    request.method = "POST";
    request.target = "/v1/chat/completions";
    request.headers = {{"host", "proxy"}, {"authorization", "Bearer sk-client"},
                       {"content-type", "application/json"}, {"content-length", "99"},
                       {"cookie", "a=b"}, {"user-agent", "sdk"}};
    request.body = std::move(body);
    common::JsonFactsParser parser;
    auto parsed = parser.parse(request.body);
    EXPECT_TRUE(parsed);
    if (parsed) facts = *parsed;
  }

  std::string build(std::string_view target, Operation op = Operation::ChatCompletions,
                    std::string_view trace_headers = {}) {
    const RequestContext ctx{runtime, op, target, request, facts, "rid-1", trace_headers};
    translatorFor(op, config).request(ctx, out);
    std::string all;
    for (const uv_buf_t& b : out.bufs) all.append(b.base, b.len);
    return all;
  }
};

TEST(IdentityTranslator, AzureRequestExactly) {
  Fixture f(common::ProviderType::Azure, R"({"model":"gpt-4o","stream":true})");
  EXPECT_EQ(f.build("my-deployment"),
            "POST /openai/deployments/my-deployment/chat/completions?api-version=2024-10-21 "
            "HTTP/1.1\r\n"
            "Host: res.openai.azure.com\r\n"
            "api-key: sk-provider\r\n"
            "content-type: application/json\r\n"
            "user-agent: sdk\r\n"
            "x-request-id: rid-1\r\n"
            "Content-Length: 79\r\n"
            "Connection: keep-alive\r\n\r\n"
            R"({"model":"my-deployment","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_TRUE(f.out.drop_usage_chunk);
}

TEST(IdentityTranslator, TheAttemptsTraceHeadersReplaceTheClients) {
  Fixture f(common::ProviderType::OpenAICompatible, R"({"model":"m","input":"x"})");
  f.request.headers.push_back({"traceparent", "00-11111111111111111111111111111111-2222222222222222-01"});
  const std::string head = f.build(
      "m2", Operation::Embeddings,
      "traceparent: 00-11111111111111111111111111111111-3333333333333333-01\r\n");
  EXPECT_NE(head.find("user-agent: sdk\r\n"
                      "traceparent: 00-11111111111111111111111111111111-3333333333333333-01\r\n"
                      "x-request-id: rid-1\r\n"),
            std::string::npos)
      << head;
  EXPECT_EQ(head.find("2222222222222222"), std::string::npos) << head;
}

TEST(IdentityTranslator, OpenAIRequestExactly) {
  Fixture f(common::ProviderType::OpenAICompatible, R"({"model":"m","input":"x"})");
  EXPECT_EQ(f.build("m2", Operation::Embeddings),
            "POST /v1/embeddings HTTP/1.1\r\n"
            "Host: 127.0.0.1:8080\r\n"
            "Authorization: Bearer sk-provider\r\n"
            "content-type: application/json\r\n"
            "user-agent: sdk\r\n"
            "x-request-id: rid-1\r\n"
            "Content-Length: 26\r\n"
            "Connection: keep-alive\r\n\r\n"
            R"({"model":"m2","input":"x"})");
  EXPECT_FALSE(f.out.drop_usage_chunk);
}

TEST(IdentityTranslator, RebuildingForTheNextAttemptStartsAfresh) {
  Fixture f(common::ProviderType::OpenAI, R"({"model":"m"})");
  const std::string first = f.build("a");
  const std::string second = f.build("b");
  EXPECT_NE(first.find(R"({"model":"a"})"), std::string::npos);
  EXPECT_NE(second.find(R"({"model":"b"})"), std::string::npos);
  EXPECT_EQ(second.find(R"("a")"), std::string::npos);
  EXPECT_EQ(f.out.bufs.size(), 4u);  // head, before, model, after
  EXPECT_EQ(f.out.bufs[1].base, f.request.body.data());
}

TEST(IdentityTranslator, SameProtocolOnBothSidesGetsTheIdentity) {
  common::ProviderConfig p;
  for (auto type : {common::ProviderType::OpenAI, common::ProviderType::OpenAICompatible,
                    common::ProviderType::Azure}) {
    p.type = type;
    for (auto op : {Operation::ChatCompletions, Operation::Completions, Operation::Embeddings})
      EXPECT_EQ(&translatorFor(op, p), &identityTranslator());
  }
  p.type = common::ProviderType::Anthropic;
  EXPECT_EQ(&translatorFor(Operation::Messages, p), &identityTranslator());
  EXPECT_EQ(&translatorFor(Operation::CountTokens, p), &identityTranslator());
  p.type = common::ProviderType::OpenAI;
  EXPECT_EQ(&translatorFor(Operation::Responses, p), &identityTranslator());
}

TEST(IdentityTranslator, LeavesTheResponseAsItIs) {
  const Translator& t = identityTranslator();
  EXPECT_FALSE(t.rewritesResponse());  // the relay sends the provider's bytes, no hook runs
  EXPECT_EQ(t.newState(ResponseContext{"m", true, false, "rid"}), nullptr);

  UpstreamResponseHead head;
  head.status = 201;
  head.headers = {{"content-type", "application/json"}, {"set-cookie", "x"}};
  const UpstreamResponseHead before = head;
  t.responseHead(head, nullptr);
  EXPECT_EQ(head.status, before.status);
  EXPECT_EQ(head.headers, before.headers);
}

}  // namespace
}  // namespace llmproxy::worker::protocol
