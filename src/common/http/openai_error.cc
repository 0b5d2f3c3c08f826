// OpenAI-style error bodies and the SSE error event.
#include "common/http/openai_error.h"

#include "common/json/json_writer.h"

#include <cstdint>

namespace llmproxy::common {
namespace {

void appendFields(std::string& out, std::string_view message, std::string_view type,
                  std::optional<std::string_view> param, std::optional<std::string_view> code) {
  out += R"({"error":{"message":)";
  appendJsonString(out, message);
  out += R"(,"type":)";
  appendJsonString(out, type);
  out += R"(,"param":)";
  if (param) {
    appendJsonString(out, *param);
  } else {
    out += "null";
  }
  out += R"(,"code":)";
  if (code) {
    appendJsonString(out, *code);
  } else {
    out += "null";
  }
  out += "}}";
}

void appendFromError(std::string& out, const Error& error, std::optional<std::string_view> param) {
  const ErrorInfo& info = errorInfo(error.kind);
  std::string_view message = error.detail;
  if (message.empty()) message = errorKindName(error.kind);
  appendFields(out, message, info.openai_type, param,
               error.code.empty() ? info.openai_code : std::string_view(error.code));
}

std::string sseWrap(auto&& append_json) {
  std::string out = "event: error\ndata: ";
  append_json(out);
  out += "\n\n";
  return out;
}

}  // namespace

void appendOpenAIError(std::string& out, const OpenAIErrorFields& fields) {
  appendFields(out, fields.message, fields.type, fields.param, fields.code);
}

std::string openAIErrorBody(const Error& error, std::optional<std::string_view> param) {
  std::string out;
  appendFromError(out, error, param);
  return out;
}

std::string openAIErrorBody(const OpenAIErrorFields& fields) {
  std::string out;
  appendOpenAIError(out, fields);
  return out;
}

std::string openAIErrorSseEvent(const Error& error, std::optional<std::string_view> param) {
  return sseWrap([&](std::string& out) { appendFromError(out, error, param); });
}

std::string openAIErrorSseEvent(const OpenAIErrorFields& fields) {
  return sseWrap([&](std::string& out) { appendOpenAIError(out, fields); });
}

}  // namespace llmproxy::common
