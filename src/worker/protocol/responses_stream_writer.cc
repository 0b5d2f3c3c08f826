// OpenAI Responses stream events.
#include "worker/protocol/responses_stream_writer.h"

#include "common/json/json_writer.h"
#include "worker/protocol/item_ids.h"
#include "worker/protocol/response_ids.h"
#include "worker/protocol/responses_json.h"
#include "worker/protocol/stop_reason.h"

namespace llmproxy::worker::protocol {

using common::appendJsonString;

void ResponsesStreamWriter::eventHead(std::string_view type, std::string& out) {
  out += "event: ";
  out += type;
  out += "\ndata: {\"type\":\"";
  out += type;
  out += "\",\"sequence_number\":";
  out += std::to_string(sequence_++);
}

ResponseObject ResponsesStreamWriter::object(std::string_view status) const {
  ResponseObject response;
  response.id = id_;
  response.created_at = client_.created;
  response.model = client_.model;
  response.status = status;
  return response;
}

void ResponsesStreamWriter::itemRef(std::string& out) const {
  out += R"(,"item_id":)";
  appendJsonString(out, item_id_);
  out += R"(,"output_index":)";
  out += std::to_string(output_index_);
}

void ResponsesStreamWriter::itemEvent(std::string_view type, std::string_view item,
                                      std::string& out) {
  eventHead(type, out);
  out += R"(,"output_index":)";
  out += std::to_string(output_index_);
  out += R"(,"item":)";
  out += item;
  out += "}\n\n";
}

void ResponsesStreamWriter::start(std::string_view upstream_id, const TokenUsage&,
                                  std::string& out) {
  id_ = responsesId(upstream_id, client_.fallback_id);
  for (std::string_view type : {"response.created", "response.in_progress"}) {
    eventHead(type, out);
    out += R"(,"response":)";
    appendResponseObject(out, object("in_progress"));
    out += "}\n\n";
  }
}

void ResponsesStreamWriter::blockStart(StreamBlockKind kind, std::string_view tool_id,
                                       std::string_view tool_name, std::string& out) {
  kind_ = kind;
  text_.clear();
  std::string item;
  switch (kind) {
    case StreamBlockKind::Text:
      item_id_ = streamedItemId("msg", id_, output_index_);
      appendMessageItemHead(item, item_id_, "in_progress");
      item += "]}";
      itemEvent("response.output_item.added", item, out);
      eventHead("response.content_part.added", out);
      itemRef(out);
      out += R"(,"content_index":0,"part":)";
      appendOutputTextPart(out, "");
      out += "}\n\n";
      break;
    case StreamBlockKind::Thinking:
      item_id_ = streamedItemId("rs", id_, output_index_);
      appendReasoningItem(item, item_id_, "");
      itemEvent("response.output_item.added", item, out);
      eventHead("response.reasoning_summary_part.added", out);
      itemRef(out);
      out += R"(,"summary_index":0,"part":)";
      appendSummaryPart(out, "");
      out += "}\n\n";
      break;
    case StreamBlockKind::ToolUse:
      item_id_ = streamedItemId("fc", id_, output_index_);
      call_id_ = tool_id;
      name_ = tool_name;
      appendFunctionCallItem(item, item_id_, "in_progress", call_id_, name_, "");
      itemEvent("response.output_item.added", item, out);
      break;
  }
}

void ResponsesStreamWriter::delta(StreamDeltaKind kind, std::string_view piece,
                                  std::string& out) {
  switch (kind) {
    case StreamDeltaKind::Text:
      eventHead("response.output_text.delta", out);
      itemRef(out);
      out += R"(,"content_index":0,"delta":)";
      appendJsonString(out, piece);
      out += R"(,"logprobs":[])";
      break;
    case StreamDeltaKind::Thinking:
      eventHead("response.reasoning_summary_text.delta", out);
      itemRef(out);
      out += R"(,"summary_index":0,"delta":)";
      appendJsonString(out, piece);
      break;
    case StreamDeltaKind::Signature:
      return;
    case StreamDeltaKind::InputJson:
      eventHead("response.function_call_arguments.delta", out);
      itemRef(out);
      out += R"(,"delta":)";
      appendJsonString(out, piece);
      break;
  }
  out += "}\n\n";
  text_ += piece;
}

void ResponsesStreamWriter::blockStop(std::string& out) {
  std::string item;
  switch (kind_) {
    case StreamBlockKind::Text:
      eventHead("response.output_text.done", out);
      itemRef(out);
      out += R"(,"content_index":0,"text":)";
      appendJsonString(out, text_);
      out += ",\"logprobs\":[]}\n\n";
      eventHead("response.content_part.done", out);
      itemRef(out);
      out += R"(,"content_index":0,"part":)";
      appendOutputTextPart(out, text_);
      out += "}\n\n";
      appendMessageItemHead(item, item_id_, "completed");
      appendOutputTextPart(item, text_);
      item += "]}";
      break;
    case StreamBlockKind::Thinking:
      eventHead("response.reasoning_summary_text.done", out);
      itemRef(out);
      out += R"(,"summary_index":0,"text":)";
      appendJsonString(out, text_);
      out += "}\n\n";
      eventHead("response.reasoning_summary_part.done", out);
      itemRef(out);
      out += R"(,"summary_index":0,"part":)";
      appendSummaryPart(out, text_);
      out += "}\n\n";
      appendReasoningItem(item, item_id_, text_);
      break;
    case StreamBlockKind::ToolUse:
      if (text_.empty()) text_ = "{}";
      eventHead("response.function_call_arguments.done", out);
      itemRef(out);
      out += R"(,"arguments":)";
      appendJsonString(out, text_);
      out += "}\n\n";
      appendFunctionCallItem(item, item_id_, "completed", call_id_, name_, text_);
      break;
  }
  itemEvent("response.output_item.done", item, out);
  keepStreamedItem(item_id_, item);  // for the client's later item_reference (item_ids.h)
  if (!output_.empty()) output_ += ',';
  output_ += item;
  ++output_index_;
  text_.clear();
}

void ResponsesStreamWriter::end(StopReason stop, std::string_view, const TokenUsage& usage,
                                std::string& out) {
  const ResponsesStatus status = responsesStatus(stop);
  eventHead(status.status == "completed" ? "response.completed" : "response.incomplete", out);
  out += R"(,"response":)";
  ResponseObject response = object(status.status);
  response.incomplete_reason = status.incomplete_reason;
  response.output = output_;
  response.usage = &usage;
  appendResponseObject(out, response);
  out += "}\n\n";
}

void ResponsesStreamWriter::error(const ClientError& error, std::string& out) {
  eventHead("response.failed", out);
  out += R"(,"response":)";
  ResponseObject response = object("failed");
  response.error_code =
      error.openai_type == "rate_limit_error" ? "rate_limit_exceeded" : "server_error";
  response.error_message = error.message;
  response.output = output_;
  appendResponseObject(out, response);
  out += "}\n\n";
}

}  // namespace llmproxy::worker::protocol
