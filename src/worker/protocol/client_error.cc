// Client-shaped errors: the Anthropic column of the §5 table and the provider re-wrap.
#include "worker/protocol/client_error.h"

#include "common/http/anthropic_error.h"
#include "common/http/openai_error.h"
#include "common/json/json_writer.h"
#include "worker/protocol/json_input.h"

namespace llmproxy::worker::protocol {
namespace {

struct OpenAIKind {
  std::string_view type;
  std::string_view code;
};

// The OpenAI column of §5 for a status alone.
OpenAIKind openAIKindOf(int status) {
  switch (status) {
    case 401:
      return {"invalid_request_error", "invalid_api_key"};
    case 403:
      return {"permission_error", ""};
    case 404:
      return {"invalid_request_error", "not_found"};
    case 429:
      return {"rate_limit_error", "rate_limit_exceeded"};
    case 504:
      return {"api_error", "upstream_timeout"};
    default:
      break;
  }
  if (status >= 500) return {"api_error", ""};
  return {"invalid_request_error", ""};
}

// Anthropic's error types in OpenAI's words; unknown types fall back to the status.
OpenAIKind openAIKindOfAnthropic(std::string_view type, int status) {
  if (type == "invalid_request_error") return {"invalid_request_error", ""};
  if (type == "authentication_error") return {"invalid_request_error", "invalid_api_key"};
  if (type == "permission_error") return {"permission_error", ""};
  if (type == "not_found_error") return {"invalid_request_error", "not_found"};
  if (type == "request_too_large") return {"invalid_request_error", "request_too_large"};
  if (type == "rate_limit_error") return {"rate_limit_error", "rate_limit_exceeded"};
  if (type == "overloaded_error") return {"api_error", "overloaded"};
  if (type == "timeout_error") return {"api_error", "upstream_timeout"};
  if (type == "billing_error") return {"invalid_request_error", "billing_error"};
  if (type == "api_error") return {"api_error", ""};
  return openAIKindOf(status);
}

// What a provider's error body says.
struct ProviderFacts {
  bool anthropic = false;  // top-level "type":"error"
  std::string type;
  std::string code;
  std::string message;
};

void readErrorObject(od::value value, ProviderFacts& facts) {
  if (std::string_view s; !value.get_string().get(s)) {  // {"error":"text"}
    facts.message = s;
    return;
  }
  od::object object;
  if (value.get_object().get(object)) return;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return;
    if (key == "message") {
      facts.message = stringOr(field.value());
    } else if (key == "type") {
      facts.type = stringOr(field.value());
    } else if (key == "code") {
      od::value code = field.value();
      if (std::string_view s; !code.get_string().get(s)) {
        facts.code = s;
      } else if (int64_t n; !code.get_int64().get(n)) {
        facts.code = std::to_string(n);
      }
    }
  }
}

ProviderFacts readProviderBody(std::string_view body) {
  ProviderFacts facts;
  JsonDoc doc(body);
  od::object root;
  if (doc.root().get(root)) return facts;
  std::string top_message;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
    if (key == "type") {
      facts.anthropic = stringOr(field.value()) == "error";
    } else if (key == "error") {
      readErrorObject(field.value(), facts);
    } else if (key == "message") {
      top_message = stringOr(field.value());
    }
  }
  if (facts.message.empty()) facts.message = std::move(top_message);
  return facts;
}

}  // namespace

std::string_view anthropicErrorType(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      break;
  }
  return status >= 500 ? "api_error" : "invalid_request_error";
}

ClientError clientError(const common::Error& error) {
  const common::ErrorInfo& info = common::errorInfo(error.kind);
  ClientError out;
  out.status = info.http_status;
  out.anthropic_type = info.anthropic_type;
  out.openai_type = info.openai_type;
  out.openai_code = error.code.empty() ? std::string(info.openai_code) : error.code;
  out.message = error.detail.empty() ? std::string(common::errorKindName(error.kind)) : error.detail;
  return out;
}

ClientError clientError(int status, std::string_view message) {
  const OpenAIKind kind = openAIKindOf(status);
  return ClientError{status, std::string(anthropicErrorType(status)), std::string(kind.type),
                     std::string(kind.code), std::string(message)};
}

ClientError clientErrorFromProvider(int status, std::string_view body) {
  ProviderFacts facts = readProviderBody(body);
  if (facts.message.empty()) {
    facts.message = "the provider answered HTTP " + std::to_string(status);
  }
  ClientError out = clientError(status, facts.message);
  if (facts.anthropic) {
    if (!facts.type.empty()) out.anthropic_type = facts.type;
    const OpenAIKind kind = openAIKindOfAnthropic(facts.type, status);
    out.openai_type = kind.type;
    out.openai_code = kind.code;
  } else if (!facts.type.empty()) {
    out.openai_type = facts.type;
    out.openai_code = facts.code;
  } else if (!facts.code.empty()) {
    out.openai_code = facts.code;
  }
  return out;
}

std::string anthropicErrorJson(const ClientError& error) {
  return common::anthropicErrorBody(error.anthropic_type, error.message);
}

std::string anthropicErrorEvent(const ClientError& error) {
  return common::anthropicErrorSseEvent(error.anthropic_type, error.message);
}

namespace {

common::OpenAIErrorFields openAIFields(const ClientError& error) {
  common::OpenAIErrorFields fields{error.message, error.openai_type, std::nullopt, std::nullopt};
  if (!error.openai_code.empty()) fields.code = error.openai_code;
  return fields;
}

}  // namespace

std::string openAIErrorJson(const ClientError& error) {
  return common::openAIErrorBody(openAIFields(error));
}

std::string openAIErrorEvent(const ClientError& error) {
  return common::openAIErrorSseEvent(openAIFields(error));
}

}  // namespace llmproxy::worker::protocol
