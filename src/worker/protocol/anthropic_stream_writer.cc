// Anthropic stream events.
#include "worker/protocol/anthropic_stream_writer.h"

#include "common/json/json_writer.h"
#include "worker/protocol/response_ids.h"
#include "worker/protocol/stop_reason.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {

using common::appendJsonString;

void AnthropicStreamWriter::start(std::string_view upstream_id, const TokenUsage& usage,
                                  std::string& out) {
  out += "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":";
  appendJsonString(out, anthropicMessageId(upstream_id, client_.fallback_id));
  out += R"(,"type":"message","role":"assistant","model":)";
  appendJsonString(out, client_.model);
  out += R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":)";
  appendAnthropicUsage(out, usage);
  out += "}}\n\n";
}

void AnthropicStreamWriter::blockHead(std::string_view event, std::string& out) const {
  out += "event: ";
  out += event;
  out += "\ndata: {\"type\":\"";
  out += event;
  out += "\",\"index\":";
  out += std::to_string(index_);
}

void AnthropicStreamWriter::blockStart(StreamBlockKind kind, std::string_view tool_id,
                                       std::string_view tool_name, std::string& out) {
  blockHead("content_block_start", out);
  switch (kind) {
    case StreamBlockKind::Text:
      out += R"(,"content_block":{"type":"text","text":""}})";
      break;
    case StreamBlockKind::Thinking:
      out += R"(,"content_block":{"type":"thinking","thinking":"","signature":""}})";
      break;
    case StreamBlockKind::ToolUse:
      out += R"(,"content_block":{"type":"tool_use","id":)";
      appendJsonString(out, tool_id);
      out += R"(,"name":)";
      appendJsonString(out, tool_name);
      out += R"(,"input":{}}})";
      break;
  }
  out += "\n\n";
}

void AnthropicStreamWriter::delta(StreamDeltaKind kind, std::string_view piece,
                                  std::string& out) {
  blockHead("content_block_delta", out);
  switch (kind) {
    case StreamDeltaKind::Text:
      out += R"(,"delta":{"type":"text_delta","text":)";
      break;
    case StreamDeltaKind::Thinking:
      out += R"(,"delta":{"type":"thinking_delta","thinking":)";
      break;
    case StreamDeltaKind::Signature:
      out += R"(,"delta":{"type":"signature_delta","signature":)";
      break;
    case StreamDeltaKind::InputJson:
      out += R"(,"delta":{"type":"input_json_delta","partial_json":)";
      break;
  }
  appendJsonString(out, piece);
  out += "}}\n\n";
}

void AnthropicStreamWriter::blockStop(std::string& out) {
  blockHead("content_block_stop", out);
  out += "}\n\n";
  ++index_;
}

void AnthropicStreamWriter::end(StopReason stop, std::string_view stop_sequence,
                                const TokenUsage& usage, std::string& out) {
  out += "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":";
  appendJsonString(out, anthropicStopReason(stop));
  out += R"(,"stop_sequence":)";
  if (stop == StopReason::StopSequence && !stop_sequence.empty()) {
    appendJsonString(out, stop_sequence);
  } else {
    out += "null";
  }
  out += R"(},"usage":)";
  appendAnthropicUsage(out, usage);
  out += "}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
}

void AnthropicStreamWriter::error(const ClientError& error, std::string& out) {
  out += anthropicErrorEvent(error);
}

}  // namespace llmproxy::worker::protocol
