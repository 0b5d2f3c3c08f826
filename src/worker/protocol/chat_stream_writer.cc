// OpenAI chat chunks.
#include "worker/protocol/chat_stream_writer.h"

#include "common/json/json_writer.h"
#include "worker/protocol/response_ids.h"
#include "worker/protocol/stop_reason.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {

using common::appendJsonString;

void ChatStreamWriter::chunkHead(std::string& out) const {
  out += head_;
  out += R"("choices":[{"index":0,"delta":)";
}

void ChatStreamWriter::chunkTail(std::string& out) {
  out += ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";
}

void ChatStreamWriter::toolHead(std::string& out) const {
  chunkHead(out);
  out += R"({"tool_calls":[{"index":)";
  out += std::to_string(tool_index_);
}

void ChatStreamWriter::start(std::string_view upstream_id, const TokenUsage&, std::string& out) {
  head_ = R"(data: {"id":)";
  appendJsonString(head_, chatCompletionId(upstream_id, client_.fallback_id));
  head_ += R"(,"object":"chat.completion.chunk","created":)";
  head_ += std::to_string(client_.created);
  head_ += R"(,"model":)";
  appendJsonString(head_, client_.model);
  head_ += ',';
  chunkHead(out);
  out += R"({"role":"assistant","content":""})";
  chunkTail(out);
}

void ChatStreamWriter::blockStart(StreamBlockKind kind, std::string_view tool_id,
                                  std::string_view tool_name, std::string& out) {
  if (kind != StreamBlockKind::ToolUse) return;
  in_tool_ = true;
  tool_has_arguments_ = false;
  toolHead(out);
  out += R"(,"id":)";
  appendJsonString(out, tool_id);
  out += R"(,"type":"function","function":{"name":)";
  appendJsonString(out, tool_name);
  out += R"(,"arguments":""}}]})";
  chunkTail(out);
}

void ChatStreamWriter::delta(StreamDeltaKind kind, std::string_view piece, std::string& out) {
  switch (kind) {
    case StreamDeltaKind::Text:
      chunkHead(out);
      out += R"({"content":)";
      break;
    case StreamDeltaKind::Thinking:
      chunkHead(out);
      out += R"({"reasoning_content":)";
      break;
    case StreamDeltaKind::Signature:
      return;
    case StreamDeltaKind::InputJson:
      tool_has_arguments_ = true;
      toolHead(out);
      out += R"(,"function":{"arguments":)";
      appendJsonString(out, piece);
      out += "}}]}";
      chunkTail(out);
      return;
  }
  appendJsonString(out, piece);
  out += '}';
  chunkTail(out);
}

void ChatStreamWriter::blockStop(std::string& out) {
  if (!in_tool_) return;
  if (!tool_has_arguments_) {
    toolHead(out);
    out += R"(,"function":{"arguments":"{}"}}]})";
    chunkTail(out);
  }
  in_tool_ = false;
  ++tool_index_;
}

void ChatStreamWriter::end(StopReason stop, std::string_view, const TokenUsage& usage,
                           std::string& out) {
  chunkHead(out);
  out += R"({},"logprobs":null,"finish_reason":)";
  appendJsonString(out, openAIFinishReason(stop));
  out += "}]}\n\n";
  if (client_.include_usage) {
    out += head_;
    out += R"("choices":[],"usage":)";
    appendChatUsage(out, usage);
    out += "}\n\n";
  }
  out += "data: [DONE]\n\n";
}

void ChatStreamWriter::error(const ClientError& error, std::string& out) {
  out += openAIErrorEvent(error);
}

}  // namespace llmproxy::worker::protocol
