// The request line toward a provider: the Azure deployment path, the model-name check (400 for
// every name that cannot be a deployment), percent-encoding, and the end of the head.
#include "worker/protocol/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::worker::protocol {
namespace {

common::ProviderConfig azure(std::string base_path = "", std::string version = "2024-10-21") {
  common::ProviderConfig p;
  p.id = "az";
  p.type = common::ProviderType::Azure;
  p.url = {true, "res.openai.azure.com", 443, std::move(base_path)};
  p.api_version = std::move(version);
  return p;
}

common::ProviderConfig openai(common::ProviderType type = common::ProviderType::OpenAI) {
  common::ProviderConfig p;
  p.id = "oa";
  p.type = type;
  p.url = {true, "api.openai.com", 443, "/v1"};
  return p;
}

std::string line(const common::ProviderConfig& p, Operation op, std::string_view target) {
  std::string out;
  appendRequestLine(out, p, op, target);
  return out;
}

TEST(RequestHead, AzurePathForEachOperation) {
  const auto p = azure();
  EXPECT_EQ(line(p, Operation::ChatCompletions, "gpt-4o"),
            "POST /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21 HTTP/1.1\r\n");
  EXPECT_EQ(line(p, Operation::Completions, "gpt-35"),
            "POST /openai/deployments/gpt-35/completions?api-version=2024-10-21 HTTP/1.1\r\n");
  EXPECT_EQ(line(p, Operation::Embeddings, "emb"),
            "POST /openai/deployments/emb/embeddings?api-version=2024-10-21 HTTP/1.1\r\n");
}

TEST(RequestHead, AzureKeepsABasePathAndEncodesDeploymentAndVersion) {
  const auto p = azure("/gateway", "2024-08-01 preview&x=1");
  EXPECT_EQ(line(p, Operation::ChatCompletions, "gpt-4o:latest"),
            "POST /gateway/openai/deployments/gpt-4o%3Alatest/chat/completions"
            "?api-version=2024-08-01%20preview%26x%3D1 HTTP/1.1\r\n");
}

TEST(RequestHead, UncheckedBytesStillCannotEndTheLine) {
  const std::string out =
      line(azure(), Operation::ChatCompletions, "x HTTP/1.1\r\nHost: evil\r\n\r\n");
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  EXPECT_EQ(out.find(' ', 5), out.rfind(' '));  // one space after the path: the version's
}

TEST(RequestHead, OtherTypesPutTheModelInTheBodyOnly) {
  for (auto type : {common::ProviderType::OpenAI, common::ProviderType::OpenAICompatible}) {
    const auto p = openai(type);
    EXPECT_EQ(line(p, Operation::ChatCompletions, "a/b?c"), "POST /v1/chat/completions HTTP/1.1\r\n");
    EXPECT_EQ(line(p, Operation::Completions, "m"), "POST /v1/completions HTTP/1.1\r\n");
    EXPECT_EQ(line(p, Operation::Embeddings, "m"), "POST /v1/embeddings HTTP/1.1\r\n");
    EXPECT_FALSE(checkTarget(p, "meta-llama/Llama-3 8B?#%\r\n"));
  }
}

TEST(RequestHead, EveryForbiddenModelNameIsRefusedWith400ForAzure) {
  std::vector<std::string> bad = {"",  ".",    "..",      "gpt-4o/../gpt-4-32k", "a b", "a\tb",
                                  "a?api-version=1", "a#b", "a%2Fb",  "a\\b",
                                  "gpt-4o\r\nX-Injected: 1", std::string(257, 'a'),
                                  std::string("a\0b", 3), "a\x7f"};
  for (int c = 1; c < 0x20; ++c) bad.push_back(std::string("m") + static_cast<char>(c));
  const auto p = azure();
  for (const std::string& model : bad) {
    const auto error = checkTarget(p, model);
    ASSERT_TRUE(error) << model;
    EXPECT_EQ(error->kind, common::ErrorKind::BadRequest);
    EXPECT_EQ(common::errorInfo(error->kind).http_status, 400);
    EXPECT_NE(error->detail.find("Azure deployment"), std::string::npos) << error->detail;
    EXPECT_NE(error->detail.find("\"az\""), std::string::npos) << error->detail;
    if (model.size() > 2) {
      EXPECT_EQ(error->detail.find(model), std::string::npos);
    }
  }
  EXPECT_FALSE(checkTarget(p, "gpt-4o"));
  EXPECT_FALSE(checkTarget(p, "gpt-4o:latest"));
}

TEST(RequestHead, HeadEnd) {
  std::string out;
  appendHeadEnd(out, "req-1", 1234);
  EXPECT_EQ(out, "x-request-id: req-1\r\nContent-Length: 1234\r\nConnection: keep-alive\r\n\r\n");
}

}  // namespace
}  // namespace llmproxy::worker::protocol
