// Writes the internal stream as OpenAI Chat Completions chunks (PROTOCOLS.md §4, the client
// side of "Anthropic events → OpenAI chunks").
#pragma once

#include <cstdint>
#include <string>

#include "worker/protocol/client_options.h"
#include "worker/protocol/stream_writer.h"

namespace llmproxy::worker::protocol {

// Owned by a stream converter; worker-loop-only. Chunks, each `data: {…}\n\n`, all with one id
// ("chatcmpl-" + the provider's id), the same `created` and the client's model: the role chunk
// first; text → delta.content; thinking → delta.reasoning_content (signatures dropped: chat
// has no place for them); each tool block → tool_calls[{index n, id, type, function{name,
// arguments:""}}] with n counting tool calls from 0, its input pieces →
// function.arguments pieces ("{}" when the call had none, so clients can parse it); the end →
// a chunk with finish_reason, the usage chunk ("choices":[]) when the client asked for
// include_usage, then `data: [DONE]`. An error is common/http/openai_error.h's error event
// and ends the stream without [DONE].
class ChatStreamWriter final : public StreamWriter {
 public:
  explicit ChatStreamWriter(ClientOptions client) : client_(std::move(client)) {}

  void start(std::string_view upstream_id, const TokenUsage& usage, std::string& out) override;
  void blockStart(StreamBlockKind kind, std::string_view tool_id, std::string_view tool_name,
                  std::string& out) override;
  void delta(StreamDeltaKind kind, std::string_view piece, std::string& out) override;
  void blockStop(std::string& out) override;
  void end(StopReason stop, std::string_view stop_sequence, const TokenUsage& usage,
           std::string& out) override;
  void error(const ClientError& error, std::string& out) override;

 private:
  void chunkHead(std::string& out) const;  // data: {"id":…,"model":…,"choices":[{…,"delta":
  void toolHead(std::string& out) const;   // …{"tool_calls":[{"index":n,
  static void chunkTail(std::string& out);  // },"logprobs":null,"finish_reason":null}]}\n\n

  ClientOptions client_;
  std::string head_;  // data: {"id":…,"object":…,"created":…,"model":…,
  uint32_t tool_index_ = 0;  // the open tool call's, or the next one's
  bool in_tool_ = false;
  bool tool_has_arguments_ = false;
};

}  // namespace llmproxy::worker::protocol
