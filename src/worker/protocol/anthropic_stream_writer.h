// Writes the internal stream as Anthropic Messages events (PROTOCOLS.md §4, the client side of
// "OpenAI chunks → Anthropic events").
#pragma once

#include <cstdint>
#include <string>

#include "worker/protocol/client_options.h"
#include "worker/protocol/stream_writer.h"

namespace llmproxy::worker::protocol {

// Owned by a stream converter; worker-loop-only. Events, each `event: <type>\ndata: …\n\n`:
// message_start (id "msg_…", the client's model, usage known so far), content_block_start /
// content_block_delta / content_block_stop with indexes counting from 0, message_delta
// (stop_reason, stop_sequence, the final usage, input and cache counts included since OpenAI
// reports them only at the end), message_stop. An error is `event: error` and ends the
// stream: no message_stop follows (the SDKs raise at the error event). Never [DONE].
class AnthropicStreamWriter final : public StreamWriter {
 public:
  explicit AnthropicStreamWriter(ClientOptions client) : client_(std::move(client)) {}

  void start(std::string_view upstream_id, const TokenUsage& usage, std::string& out) override;
  void blockStart(StreamBlockKind kind, std::string_view tool_id, std::string_view tool_name,
                  std::string& out) override;
  void delta(StreamDeltaKind kind, std::string_view piece, std::string& out) override;
  void blockStop(std::string& out) override;
  void end(StopReason stop, std::string_view stop_sequence, const TokenUsage& usage,
           std::string& out) override;
  void error(const ClientError& error, std::string& out) override;

 private:
  void blockHead(std::string_view event, std::string& out) const;

  ClientOptions client_;
  uint32_t index_ = 0;  // the open block's, or the next one's
};

}  // namespace llmproxy::worker::protocol
