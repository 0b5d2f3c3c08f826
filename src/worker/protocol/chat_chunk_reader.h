// Reads an OpenAI Chat Completions stream, chunk by chunk, into StreamEmitter calls
// (PROTOCOLS.md §4, the provider side of "OpenAI chunks → …").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/protocol/json_input.h"
#include "worker/protocol/stream_emitter.h"

namespace llmproxy::worker::protocol {

// Owned by a stream converter, as long as the stream; worker-loop-only. State: the open tool
// call (its chat index and id), the chat indexes of the calls seen, the stop reason and usage.
//
// Per chunk (choices[0] only): delta.reasoning_content (or delta.reasoning) → Thinking,
// delta.content and delta.refusal → Text, each tool_calls entry → a ToolUse block the first
// time its index (or a new id at an open index) appears, its arguments → InputJson. A late
// piece for a call already closed (providers that interleave calls) is dropped and counted
// (latePieces). finish_reason closes the open block; the end itself waits for the usage: it
// is emitted at the usage-only chunk ("choices":[]) after it, at [DONE], or at finish(); a
// stream that ends without finish_reason ends as EndTurn. A chunk with a top-level `error`
// fails the stream with the provider's message.
class ChatChunkReader {
 public:
  explicit ChatChunkReader(StreamEmitter& emitter) : emitter_(emitter) {}

  // One event's data ("[DONE]" included).
  void event(std::string_view data, std::string& out);
  // The provider's stream ended (cleanly, with or without [DONE]).
  void finish(std::string& out);

  bool hasUsage() const { return has_usage_; }
  const TokenUsage& usage() const { return usage_; }
  uint32_t latePieces() const { return late_pieces_; }  // dropped: their call was closed

 private:
  struct ToolPiece {
    int64_t index = -1;
    std::string_view id;
    std::string_view name;
    std::string_view arguments;
  };
  bool readChoices(od::value value, std::string& out);
  void readDelta(od::value value, std::string& out);
  void readToolCall(od::value value, std::string& out);
  void onToolPiece(const ToolPiece& piece, std::string& out);

  StreamEmitter& emitter_;
  bool finish_seen_ = false;
  StopReason stop_ = StopReason::EndTurn;
  bool has_usage_ = false;
  TokenUsage usage_;
  int64_t tool_index_ = -1;  // chat index of the open tool block
  std::string tool_id_;
  std::vector<int64_t> seen_tools_;  // chat indexes of every call opened so far
  uint32_t late_pieces_ = 0;
};

}  // namespace llmproxy::worker::protocol
