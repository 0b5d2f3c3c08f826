// The error table: one row per ErrorKind.
#include "common/base/error_kind.h"

#include <array>

namespace llmproxy::common {
namespace {

struct Row {
  ErrorKind kind;
  std::string_view name;
  ErrorInfo info;
};

constexpr std::array kErrorTable{
    Row{ErrorKind::BadRequest,
        "bad_request",
        {400, "invalid_request_error", "bad_request", ErrorSide::Downstream, false,
         "invalid_request_error"}},
    Row{ErrorKind::InvalidApiKey,
        "invalid_api_key",
        {401, "authentication_error", "invalid_api_key", ErrorSide::Downstream, false,
         "authentication_error"}},
    Row{ErrorKind::NotFound,
        "not_found",
        {404, "invalid_request_error", "not_found", ErrorSide::Downstream, false,
         "not_found_error"}},
    Row{ErrorKind::ModelNotFound,
        "model_not_found",
        {404, "invalid_request_error", "model_not_found", ErrorSide::Downstream, false,
         "not_found_error"}},
    Row{ErrorKind::ModelNotAllowed,
        "model_not_allowed",
        {403, "permission_error", "model_not_allowed", ErrorSide::Downstream, false,
         "permission_error"}},
    Row{ErrorKind::MethodNotAllowed,
        "method_not_allowed",
        {405, "invalid_request_error", "method_not_allowed", ErrorSide::Downstream, false,
         "invalid_request_error"}},
    Row{ErrorKind::RequestTimeout,
        "request_timeout",
        {408, "invalid_request_error", "request_timeout", ErrorSide::Downstream, false,
         "invalid_request_error"}},
    Row{ErrorKind::PayloadTooLarge,
        "payload_too_large",
        {413, "invalid_request_error", "payload_too_large", ErrorSide::Downstream, false,
         "request_too_large"}},
    Row{ErrorKind::HeadersTooLarge,
        "headers_too_large",
        {431, "invalid_request_error", "request_header_fields_too_large", ErrorSide::Downstream,
         false, "request_too_large"}},
    Row{ErrorKind::Conflict,
        "conflict",
        {409, "invalid_request_error", "conflict", ErrorSide::Downstream, false,
         "invalid_request_error"}},
    Row{ErrorKind::RateLimited,
        "rate_limited",
        {429, "rate_limit_error", "rate_limit_exceeded", ErrorSide::Downstream, false,
         "rate_limit_error"}},
    Row{ErrorKind::BudgetExceeded,
        "budget_exceeded",
        {429, "insufficient_quota", "budget_exceeded", ErrorSide::Downstream, false,
         "rate_limit_error"}},
    Row{ErrorKind::InvalidConfig,
        "invalid_config",
        {422, "invalid_request_error", "invalid_config", ErrorSide::Downstream, false,
         "invalid_request_error"}},
    Row{ErrorKind::UpstreamConnect,
        "upstream_connect",
        {502, "api_error", "upstream_connect_error", ErrorSide::Upstream, true, "api_error"}},
    Row{ErrorKind::UpstreamTimeout,
        "upstream_timeout",
        {504, "api_error", "upstream_timeout", ErrorSide::Upstream, true, "timeout_error"}},
    Row{ErrorKind::UpstreamProtocol,
        "upstream_protocol",
        {502, "api_error", "upstream_protocol_error", ErrorSide::Upstream, true, "api_error"}},
    Row{ErrorKind::Unavailable,
        "unavailable",
        {503, "api_error", "service_unavailable", ErrorSide::Internal, false, "api_error"}},
    Row{ErrorKind::ReloadTimeout,
        "reload_timeout",
        {504, "api_error", "reload_timeout", ErrorSide::Internal, false, "api_error"}},
    Row{ErrorKind::Internal,
        "internal",
        {500, "api_error", "internal_error", ErrorSide::Internal, false, "api_error"}},
};

constexpr bool tableInOrder() {
  for (size_t i = 0; i < kErrorTable.size(); ++i)
    if (static_cast<size_t>(kErrorTable[i].kind) != i) return false;
  return kErrorTable.size() == static_cast<size_t>(ErrorKind::kCount);
}
static_assert(tableInOrder(), "kErrorTable must list every ErrorKind in enum order");

}  // namespace

const ErrorInfo& errorInfo(ErrorKind kind) { return kErrorTable[static_cast<size_t>(kind)].info; }

std::string_view errorKindName(ErrorKind kind) {
  return kErrorTable[static_cast<size_t>(kind)].name;
}

}  // namespace llmproxy::common
