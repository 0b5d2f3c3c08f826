// Errors in the client's shape (PROTOCOLS.md §5): our own errors and provider error bodies,
// written as Anthropic and OpenAI bodies and stream events.
#include "worker/protocol/client_error.h"

#include <gtest/gtest.h>

namespace llmproxy::worker::protocol {
namespace {

using common::Error;
using common::ErrorKind;

TEST(ClientError, OwnErrorsFollowTheTable) {
  struct Row {
    ErrorKind kind;
    int status;
    std::string anthropic_type;
    std::string openai_type;
  };
  const std::vector<Row> table = {
      {ErrorKind::BadRequest, 400, "invalid_request_error", "invalid_request_error"},
      {ErrorKind::InvalidApiKey, 401, "authentication_error", "authentication_error"},
      {ErrorKind::ModelNotAllowed, 403, "permission_error", "permission_error"},
      {ErrorKind::ModelNotFound, 404, "not_found_error", "invalid_request_error"},
      {ErrorKind::NotFound, 404, "not_found_error", "invalid_request_error"},
      {ErrorKind::PayloadTooLarge, 413, "request_too_large", "invalid_request_error"},
      {ErrorKind::RateLimited, 429, "rate_limit_error", "rate_limit_error"},
      {ErrorKind::BudgetExceeded, 429, "rate_limit_error", "insufficient_quota"},
      {ErrorKind::UpstreamConnect, 502, "api_error", "api_error"},
      {ErrorKind::UpstreamProtocol, 502, "api_error", "api_error"},
      {ErrorKind::UpstreamTimeout, 504, "timeout_error", "api_error"},
      {ErrorKind::Unavailable, 503, "api_error", "api_error"},
      {ErrorKind::Internal, 500, "api_error", "api_error"},
  };
  for (const Row& row : table) {
    const ClientError e = clientError(Error{row.kind, "why", 0});
    EXPECT_EQ(e.status, row.status) << common::errorKindName(row.kind);
    EXPECT_EQ(e.anthropic_type, row.anthropic_type) << common::errorKindName(row.kind);
    EXPECT_EQ(e.openai_type, row.openai_type) << common::errorKindName(row.kind);
    EXPECT_EQ(e.message, "why");
  }
  EXPECT_EQ(clientError(Error{ErrorKind::ModelNotFound, "", 0}).message, "model_not_found");
  EXPECT_EQ(clientError(Error{ErrorKind::RateLimited, "x", 0, "insufficient_quota"}).openai_code,
            "insufficient_quota");
}

TEST(ClientError, AnthropicTypeFromStatus) {
  const std::vector<std::pair<int, std::string>> table = {
      {400, "invalid_request_error"}, {401, "authentication_error"}, {402, "billing_error"},
      {403, "permission_error"},      {404, "not_found_error"},      {409, "invalid_request_error"},
      {413, "request_too_large"},     {429, "rate_limit_error"},     {500, "api_error"},
      {502, "api_error"},             {503, "api_error"},            {504, "timeout_error"},
      {529, "overloaded_error"},
  };
  for (const auto& [status, type] : table) EXPECT_EQ(anthropicErrorType(status), type) << status;
}

TEST(ClientError, AnthropicBodyAndEvent) {
  const ClientError e = clientError(Error{ErrorKind::InvalidApiKey, "bad \"key\"", 0});
  EXPECT_EQ(anthropicErrorJson(e),
            R"({"type":"error","error":{"type":"authentication_error","message":"bad \"key\""}})");
  EXPECT_EQ(anthropicErrorEvent(e),
            "event: error\ndata: "
            R"({"type":"error","error":{"type":"authentication_error","message":"bad \"key\""}})"
            "\n\n");
}

TEST(ClientError, OpenAIBodyAndEvent) {
  const ClientError e = clientError(Error{ErrorKind::RateLimited, "slow down", 0});
  EXPECT_EQ(openAIErrorJson(e),
            R"({"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})");
  EXPECT_EQ(openAIErrorEvent(e), "event: error\ndata: " + openAIErrorJson(e) + "\n\n");
  ClientError no_code = e;
  no_code.openai_code.clear();
  EXPECT_NE(openAIErrorJson(no_code).find(R"("code":null)"), std::string::npos);
}

TEST(ClientError, OpenAIProviderErrorRewrappedForAnthropicClients) {
  const ClientError e = clientErrorFromProvider(
      429, R"({"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}})");
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(anthropicErrorJson(e),
            R"({"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached for gpt-4o"}})");
  EXPECT_EQ(e.openai_type, "requests") << "the provider's own type for its own family";
  EXPECT_EQ(e.openai_code, "rate_limit_exceeded");

  EXPECT_EQ(clientErrorFromProvider(529, R"({"error":{"message":"busy","type":"server_error"}})")
                .anthropic_type,
            "overloaded_error");
  EXPECT_EQ(clientErrorFromProvider(400, R"({"error":{"message":"bad","code":400}})").openai_code,
            "400");
}

TEST(ClientError, AnthropicProviderErrorRewrappedForOpenAIClients) {
  struct Row {
    int status;
    std::string type;
    std::string openai_type;
    std::string openai_code;
  };
  const std::vector<Row> table = {
      {400, "invalid_request_error", "invalid_request_error", ""},
      {401, "authentication_error", "invalid_request_error", "invalid_api_key"},
      {403, "permission_error", "permission_error", ""},
      {404, "not_found_error", "invalid_request_error", "not_found"},
      {413, "request_too_large", "invalid_request_error", "request_too_large"},
      {429, "rate_limit_error", "rate_limit_error", "rate_limit_exceeded"},
      {500, "api_error", "api_error", ""},
      {529, "overloaded_error", "api_error", "overloaded"},
      {504, "timeout_error", "api_error", "upstream_timeout"},
  };
  for (const Row& row : table) {
    const std::string body =
        R"({"type":"error","error":{"type":")" + row.type + R"(","message":"m )" + row.type + "\"}}";
    const ClientError e = clientErrorFromProvider(row.status, body);
    EXPECT_EQ(e.status, row.status);
    EXPECT_EQ(e.anthropic_type, row.type);
    EXPECT_EQ(e.openai_type, row.openai_type) << row.type;
    EXPECT_EQ(e.openai_code, row.openai_code) << row.type;
    EXPECT_EQ(e.message, "m " + row.type);
  }
  const ClientError overloaded = clientErrorFromProvider(
      529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  EXPECT_EQ(openAIErrorJson(overloaded),
            R"({"error":{"message":"Overloaded","type":"api_error","param":null,"code":"overloaded"}})");
}

TEST(ClientError, BodiesThatSayNothingUsefulGetAStatusMessage) {
  for (std::string body : {"", "<html>502 Bad Gateway</html>", "{}", R"({"error":{}})", "[1]"}) {
    const ClientError e = clientErrorFromProvider(502, body);
    EXPECT_EQ(e.message, "the provider answered HTTP 502") << body;
    EXPECT_EQ(e.anthropic_type, "api_error");
    EXPECT_EQ(e.openai_type, "api_error");
  }
  EXPECT_EQ(clientErrorFromProvider(500, R"({"error":"plain text"})").message, "plain text");
  EXPECT_EQ(clientErrorFromProvider(500, R"({"message":"top level"})").message, "top level");
}

TEST(ClientError, StatusOnlyErrors) {
  const ClientError e = clientError(404, "no such model");
  EXPECT_EQ(e.anthropic_type, "not_found_error");
  EXPECT_EQ(e.openai_type, "invalid_request_error");
  EXPECT_EQ(e.openai_code, "not_found");
}

}  // namespace
}  // namespace llmproxy::worker::protocol
