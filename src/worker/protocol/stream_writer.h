// The internal form of a stream (PROTOCOLS.md §1) as calls on a StreamWriter: one per client
// protocol, each turning the calls into that protocol's events in wire form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/protocol/client_error.h"
#include "worker/protocol/internal_response.h"

namespace llmproxy::worker::protocol {

enum class StreamBlockKind : uint8_t { Text, Thinking, ToolUse };
enum class StreamDeltaKind : uint8_t { Text, Thinking, Signature, InputJson };

// Calls come in the order StreamEmitter guarantees, so a writer checks nothing:
//   start (block_start delta* block_stop)* (end | error)
// Blocks never overlap; a delta belongs to the open block (Text
// to Text, Thinking and Signature to Thinking, InputJson to ToolUse) and is never empty.
// Every call appends complete events in wire form to `out`.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // `upstream_id` may be empty (the writer then uses ClientOptions::fallback_id); `usage` is
  // what is known at the start (Anthropic's input tokens, nothing for OpenAI).
  virtual void start(std::string_view upstream_id, const TokenUsage& usage, std::string& out) = 0;
  virtual void blockStart(StreamBlockKind kind, std::string_view tool_id,
                          std::string_view tool_name, std::string& out) = 0;
  virtual void delta(StreamDeltaKind kind, std::string_view piece, std::string& out) = 0;
  virtual void blockStop(std::string& out) = 0;
  // The last events of a stream that completed: stop reason and the final usage.
  virtual void end(StopReason stop, std::string_view stop_sequence, const TokenUsage& usage,
                   std::string& out) = 0;
  // The last event of a stream that failed after its first byte.
  virtual void error(const ClientError& error, std::string& out) = 0;
};

}  // namespace llmproxy::worker::protocol
