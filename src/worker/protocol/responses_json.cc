// Responses objects and items.
#include "worker/protocol/responses_json.h"

#include "common/json/json_writer.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {

using common::appendJsonString;

void appendMessageItemHead(std::string& out, std::string_view item_id, std::string_view status) {
  out += R"({"id":)";
  appendJsonString(out, item_id);
  out += R"(,"type":"message","status":)";
  appendJsonString(out, status);
  out += R"(,"role":"assistant","content":[)";
}

void appendOutputTextPart(std::string& out, std::string_view text) {
  out += R"({"type":"output_text","text":)";
  appendJsonString(out, text);
  out += R"(,"annotations":[]})";
}

void appendFunctionCallItem(std::string& out, std::string_view item_id, std::string_view status,
                            std::string_view call_id, std::string_view name,
                            std::string_view arguments) {
  out += R"({"id":)";
  appendJsonString(out, item_id);
  out += R"(,"type":"function_call","status":)";
  appendJsonString(out, status);
  out += R"(,"call_id":)";
  appendJsonString(out, call_id);
  out += R"(,"name":)";
  appendJsonString(out, name);
  out += R"(,"arguments":)";
  appendJsonString(out, arguments);
  out += '}';
}

void appendSummaryPart(std::string& out, std::string_view text) {
  out += R"({"type":"summary_text","text":)";
  appendJsonString(out, text);
  out += '}';
}

void appendReasoningItem(std::string& out, std::string_view item_id, std::string_view text) {
  out += R"({"id":)";
  appendJsonString(out, item_id);
  out += R"(,"type":"reasoning","summary":[)";
  if (!text.empty()) appendSummaryPart(out, text);
  out += "]}";
}

void appendResponseObject(std::string& out, const ResponseObject& response) {
  out += R"({"id":)";
  appendJsonString(out, response.id);
  out += R"(,"object":"response","created_at":)";
  out += std::to_string(response.created_at);
  out += R"(,"status":)";
  appendJsonString(out, response.status);
  out += R"(,"error":)";
  if (response.status == "failed") {
    out += R"({"code":)";
    appendJsonString(out, response.error_code);
    out += R"(,"message":)";
    appendJsonString(out, response.error_message);
    out += '}';
  } else {
    out += "null";
  }
  out += R"(,"incomplete_details":)";
  if (response.incomplete_reason.empty()) {
    out += "null";
  } else {
    out += R"({"reason":)";
    appendJsonString(out, response.incomplete_reason);
    out += '}';
  }
  out += R"(,"model":)";
  appendJsonString(out, response.model);
  out += R"(,"output":[)";
  out += response.output;
  out += R"(],"usage":)";
  if (response.usage == nullptr) {
    out += "null";
  } else {
    appendResponsesUsage(out, *response.usage);
  }
  out += '}';
}

}  // namespace llmproxy::worker::protocol
