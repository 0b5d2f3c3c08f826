// Local responses: JSON bodies and OpenAI-style errors.
#include "worker/http/response.h"

#include <optional>

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

}  // namespace llmproxy::worker
