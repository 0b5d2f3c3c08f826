// The stream grammar, enforced once for every provider/client pair.
#include "worker/protocol/stream_emitter.h"

namespace llmproxy::worker::protocol {

void StreamEmitter::ensureStarted(std::string& out) {
  if (started_) return;
  started_ = true;
  writer_.start({}, TokenUsage{}, out);
}

void StreamEmitter::start(std::string_view upstream_id, const TokenUsage& usage,
                          std::string& out) {
  if (started_ || ended_) return;
  started_ = true;
  writer_.start(upstream_id, usage, out);
}

void StreamEmitter::openBlock(StreamBlockKind kind, std::string_view tool_id,
                              std::string_view tool_name, std::string& out) {
  if (ended_) return;
  ensureStarted(out);
  closeBlock(out);
  open_ = true;
  open_kind_ = kind;
  writer_.blockStart(kind, tool_id, tool_name, out);
}

void StreamEmitter::delta(StreamDeltaKind kind, std::string_view piece, std::string& out) {
  if (ended_) return;
  if (piece.empty()) return;
  StreamBlockKind needs = StreamBlockKind::Text;
  switch (kind) {
    case StreamDeltaKind::Text:
      needs = StreamBlockKind::Text;
      break;
    case StreamDeltaKind::Thinking:
    case StreamDeltaKind::Signature:
      needs = StreamBlockKind::Thinking;
      break;
    case StreamDeltaKind::InputJson:
      needs = StreamBlockKind::ToolUse;
      break;
  }
  if (!open_ || open_kind_ != needs) {
    if (kind != StreamDeltaKind::Text && kind != StreamDeltaKind::Thinking) {
      ++dropped_;
      return;
    }
    openBlock(needs, {}, {}, out);
  }
  writer_.delta(kind, piece, out);
}

void StreamEmitter::closeBlock(std::string& out) {
  if (!open_ || ended_) return;
  open_ = false;
  writer_.blockStop(out);
}

void StreamEmitter::end(StopReason stop, std::string_view stop_sequence, const TokenUsage& usage,
                        std::string& out) {
  if (ended_) return;
  ensureStarted(out);
  closeBlock(out);
  ended_ = true;
  writer_.end(stop, stop_sequence, usage, out);
}

void StreamEmitter::fail(const ClientError& error, std::string& out) {
  if (ended_) return;
  ensureStarted(out);
  closeBlock(out);
  ended_ = true;
  writer_.error(error, out);
}

}  // namespace llmproxy::worker::protocol
