// Anthropic-style error bodies and stream events.
#include "common/http/anthropic_error.h"

#include "common/json/json_writer.h"

namespace llmproxy::common {
namespace {

std::string_view messageOf(const Error& error) {
  return error.detail.empty() ? errorKindName(error.kind) : std::string_view(error.detail);
}

}  // namespace

std::string anthropicErrorBody(std::string_view type, std::string_view message) {
  std::string out = R"({"type":"error","error":{"type":)";
  appendJsonString(out, type);
  out += R"(,"message":)";
  appendJsonString(out, message);
  out += "}}";
  return out;
}

std::string anthropicErrorBody(const Error& error) {
  return anthropicErrorBody(errorInfo(error.kind).anthropic_type, messageOf(error));
}

std::string anthropicErrorSseEvent(std::string_view type, std::string_view message) {
  return "event: error\ndata: " + anthropicErrorBody(type, message) + "\n\n";
}

std::string anthropicErrorSseEvent(const Error& error) {
  return anthropicErrorSseEvent(errorInfo(error.kind).anthropic_type, messageOf(error));
}

}  // namespace llmproxy::common
