// Reads an Anthropic Messages stream, event by event, into StreamEmitter calls
// (PROTOCOLS.md §4, the provider side of "Anthropic events → …").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/protocol/json_input.h"
#include "worker/protocol/stream_emitter.h"

namespace llmproxy::worker::protocol {

// Owned by a stream converter, as long as the stream; worker-loop-only. State: the Anthropic
// index of the open block, the stop reason, stop sequence and usage so far.
//
// message_start → start (id, usage with the input tokens); content_block_start → a block
// (text, thinking, tool_use; a non-empty initial text/thinking/signature/input becomes its
// first delta; redacted_thinking and server-tool blocks are skipped with their deltas);
// content_block_delta → the delta of the open block (text_delta, thinking_delta,
// signature_delta, input_json_delta); content_block_stop → closes it; message_delta → stop
// reason, stop sequence and usage kept; message_stop → end; ping ignored; error → fail with
// the provider's error. The event type is read from the data's `type` member.
class AnthropicEventReader {
 public:
  explicit AnthropicEventReader(StreamEmitter& emitter) : emitter_(emitter) {}

  void event(std::string_view data, std::string& out);
  // The provider's stream ended: without message_stop the stream ends with what is known.
  void finish(std::string& out);

  bool hasUsage() const { return has_usage_; }
  const TokenUsage& usage() const { return usage_; }
  uint32_t latePieces() const { return late_pieces_; }  // deltas for a block not open

 private:
  void onMessageStart(od::object root, std::string& out);
  void onBlockStart(od::object root, std::string& out);
  void onBlockDelta(od::object root, std::string& out);
  void onBlockStop(od::object root, std::string& out);
  void onMessageDelta(od::object root);

  StreamEmitter& emitter_;
  int64_t open_index_ = -1;     // Anthropic index of the block the emitter has open
  int64_t skipped_index_ = -1;  // the last block left out (its deltas are expected)
  uint32_t late_pieces_ = 0;
  StopReason stop_ = StopReason::EndTurn;
  std::string stop_sequence_;
  bool has_usage_ = false;
  TokenUsage usage_;
};

}  // namespace llmproxy::worker::protocol
