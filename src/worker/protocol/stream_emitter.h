// Keeps a translated stream grammatical whatever the provider sends: the one place that
// decides when a message starts, when a block opens and closes, and that a stream ends once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "worker/protocol/stream_writer.h"

namespace llmproxy::worker::protocol {

// Owned by a stream converter, as long as the stream; worker-loop-only. Readers (one per
// provider protocol) call it; it calls the StreamWriter in the order stream_writer.h states:
//  - the message starts before anything else (start() is implicit in every other call,
//    fail() included: the client's grammar checkers want the start event first);
//  - a block opens before its deltas, and opening one closes the one before;
//  - a Text or Thinking delta with no block of its kind open opens one; a Signature or
//    InputJson delta with none open is dropped (counted), and so is an empty delta;
//  - end() and fail() close the open block and end the stream; every later call is ignored.
class StreamEmitter {
 public:
  explicit StreamEmitter(StreamWriter& writer) : writer_(writer) {}

  void start(std::string_view upstream_id, const TokenUsage& usage, std::string& out);
  void openBlock(StreamBlockKind kind, std::string_view tool_id, std::string_view tool_name,
                 std::string& out);
  void delta(StreamDeltaKind kind, std::string_view piece, std::string& out);
  void closeBlock(std::string& out);
  void end(StopReason stop, std::string_view stop_sequence, const TokenUsage& usage,
           std::string& out);
  void fail(const ClientError& error, std::string& out);

  bool started() const { return started_; }
  bool ended() const { return ended_; }
  bool blockOpen() const { return open_; }
  StreamBlockKind openKind() const { return open_kind_; }
  uint32_t dropped() const { return dropped_; }  // deltas that had no block to go into

 private:
  void ensureStarted(std::string& out);

  StreamWriter& writer_;
  bool started_ = false;
  bool ended_ = false;
  bool open_ = false;
  StreamBlockKind open_kind_ = StreamBlockKind::Text;
  uint32_t dropped_ = 0;
};

}  // namespace llmproxy::worker::protocol
