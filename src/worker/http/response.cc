// Local responses: JSON bodies and errors in the OpenAI or the Anthropic shape.
#include "worker/http/response.h"

#include <optional>

#include "common/http/anthropic_error.h"
#include "common/http/openai_error.h"

namespace llmproxy::worker {

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::error(const common::Error& error, std::string_view param) {
  std::optional<std::string_view> p;
  if (!param.empty()) p = param;
  return json(common::errorInfo(error.kind).http_status, common::openAIErrorBody(error, p));
}

Response Response::anthropicError(const common::Error& error) {
  return json(common::errorInfo(error.kind).http_status, common::anthropicErrorBody(error));
}

}  // namespace llmproxy::worker
