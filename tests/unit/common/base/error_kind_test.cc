// The error table: each kind's HTTP status, OpenAI type and code, side and retryability, and
// the code override an Error may carry.
#include "common/base/error_kind.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/base/result.h"
#include "common/http/openai_error.h"

namespace llmproxy::common {
namespace {

struct Expected {
  ErrorKind kind;
  int status;
  std::string_view type;
  std::string_view code;
  ErrorSide side;
  bool retryable;
};

constexpr Expected kRows[] = {
    {ErrorKind::BadRequest, 400, "invalid_request_error", "bad_request", ErrorSide::Downstream, false},
    {ErrorKind::InvalidApiKey, 401, "authentication_error", "invalid_api_key", ErrorSide::Downstream, false},
    {ErrorKind::NotFound, 404, "invalid_request_error", "not_found", ErrorSide::Downstream, false},
    {ErrorKind::ModelNotFound, 404, "invalid_request_error", "model_not_found", ErrorSide::Downstream, false},
    {ErrorKind::ModelNotAllowed, 403, "permission_error", "model_not_allowed", ErrorSide::Downstream, false},
    {ErrorKind::MethodNotAllowed, 405, "invalid_request_error", "method_not_allowed", ErrorSide::Downstream, false},
    {ErrorKind::RequestTimeout, 408, "invalid_request_error", "request_timeout", ErrorSide::Downstream, false},
    {ErrorKind::PayloadTooLarge, 413, "invalid_request_error", "payload_too_large", ErrorSide::Downstream, false},
    {ErrorKind::HeadersTooLarge, 431, "invalid_request_error", "request_header_fields_too_large", ErrorSide::Downstream, false},
    {ErrorKind::Conflict, 409, "invalid_request_error", "conflict", ErrorSide::Downstream, false},
    {ErrorKind::RateLimited, 429, "rate_limit_error", "rate_limit_exceeded", ErrorSide::Downstream, false},
    {ErrorKind::BudgetExceeded, 429, "insufficient_quota", "budget_exceeded", ErrorSide::Downstream, false},
    {ErrorKind::InvalidConfig, 422, "invalid_request_error", "invalid_config", ErrorSide::Downstream, false},
    {ErrorKind::UpstreamConnect, 502, "api_error", "upstream_connect_error", ErrorSide::Upstream, true},
    {ErrorKind::UpstreamTimeout, 504, "api_error", "upstream_timeout", ErrorSide::Upstream, true},
    {ErrorKind::UpstreamProtocol, 502, "api_error", "upstream_protocol_error", ErrorSide::Upstream, true},
    {ErrorKind::Unavailable, 503, "api_error", "service_unavailable", ErrorSide::Internal, false},
    {ErrorKind::ReloadTimeout, 504, "api_error", "reload_timeout", ErrorSide::Internal, false},
    {ErrorKind::Internal, 500, "api_error", "internal_error", ErrorSide::Internal, false},
};

TEST(ErrorTable, EveryKindIsListedOnce) {
  EXPECT_EQ(std::size(kRows), static_cast<size_t>(ErrorKind::kCount));
  std::set<ErrorKind> seen;
  for (const auto& row : kRows) EXPECT_TRUE(seen.insert(row.kind).second);
}

TEST(ErrorTable, StatusTypeCodeSideRetryable) {
  for (const auto& row : kRows) {
    const ErrorInfo& info = errorInfo(row.kind);
    SCOPED_TRACE(std::string(errorKindName(row.kind)));
    EXPECT_EQ(info.http_status, row.status);
    EXPECT_EQ(info.openai_type, row.type);
    EXPECT_EQ(info.openai_code, row.code);
    EXPECT_EQ(info.side, row.side);
    EXPECT_EQ(info.retryable, row.retryable);
  }
}

// Only provider failures are worth another provider; nothing the client or we did wrong is.
TEST(ErrorTable, OnlyUpstreamKindsRetry) {
  for (const auto& row : kRows)
    EXPECT_EQ(errorInfo(row.kind).retryable, errorInfo(row.kind).side == ErrorSide::Upstream)
        << errorKindName(row.kind);
}

TEST(ErrorTable, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (const auto& row : kRows) EXPECT_TRUE(names.insert(errorKindName(row.kind)).second);
}

TEST(ErrorTable, CodeOverrideReplacesTheTableCodeOnly) {
  const Error quota{ErrorKind::RateLimited, "You exceeded your current quota.", 0,
                    "insufficient_quota"};
  EXPECT_EQ(openAIErrorBody(quota),
            R"({"error":{"message":"You exceeded your current quota.","type":"rate_limit_error",)"
            R"("param":null,"code":"insufficient_quota"}})");
  const Error plain{ErrorKind::RateLimited, "slow down", 0};
  EXPECT_EQ(openAIErrorBody(plain),
            R"({"error":{"message":"slow down","type":"rate_limit_error",)"
            R"("param":null,"code":"rate_limit_exceeded"}})");
}

}  // namespace
}  // namespace llmproxy::common
