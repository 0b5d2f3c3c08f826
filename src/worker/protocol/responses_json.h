// The JSON pieces of an OpenAI Responses answer (the `response` object and its output items),
// shared by the non-streaming writer and the stream writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/protocol/internal_response.h"

namespace llmproxy::worker::protocol {

// {"id":…,"type":"message","status":…,"role":"assistant","content":[  — the caller appends the
// parts (appendOutputTextPart, comma-separated) and then "]}".
void appendMessageItemHead(std::string& out, std::string_view item_id, std::string_view status);
// {"type":"output_text","text":…,"annotations":[]}
void appendOutputTextPart(std::string& out, std::string_view text);
// {"id":…,"type":"function_call","status":…,"call_id":…,"name":…,"arguments":…}
void appendFunctionCallItem(std::string& out, std::string_view item_id, std::string_view status,
                            std::string_view call_id, std::string_view name,
                            std::string_view arguments);
// {"id":…,"type":"reasoning","summary":[{"type":"summary_text","text":…}]} (summary [] when
// `text` is empty). Reasoning text travels as a summary: the form Responses clients show.
void appendReasoningItem(std::string& out, std::string_view item_id, std::string_view text);
// {"type":"summary_text","text":…}
void appendSummaryPart(std::string& out, std::string_view text);

struct ResponseObject {
  std::string_view id;
  int64_t created_at = 0;
  std::string_view model;
  std::string_view status;             // in_progress, completed, incomplete, failed
  std::string_view incomplete_reason;  // incomplete only
  std::string_view error_code;         // failed only
  std::string_view error_message;      // failed only
  std::string_view output;             // the items, comma-separated, without the brackets
  const TokenUsage* usage = nullptr;   // null writes "usage":null
};

// {"id":…,"object":"response","created_at":…,"status":…,"error":…,"incomplete_details":…,
//  "model":…,"output":[…],"usage":…}
void appendResponseObject(std::string& out, const ResponseObject& response);

}  // namespace llmproxy::worker::protocol
