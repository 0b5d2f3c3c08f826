// OpenAI chat chunks into the internal stream.
#include "worker/protocol/chat_chunk_reader.h"

#include <algorithm>

#include "worker/protocol/stop_reason.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {

void ChatChunkReader::event(std::string_view data, std::string& out) {
  if (emitter_.ended()) return;
  if (data == "[DONE]") {
    finish(out);
    return;
  }
  bool has_choices = false;
  bool usage_here = false;
  bool has_error = false;
  {
    JsonDoc doc(data);
    od::object root;
    if (doc.root().get(root)) return;  // not a chunk: nothing a client could use
    for (auto field_result : root) {
      od::field field;
      std::string_view key;
      if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
      if (key == "id") {
        if (!emitter_.started()) emitter_.start(stringOr(field.value()), TokenUsage{}, out);
      } else if (key == "choices") {
        has_choices = readChoices(field.value(), out);
      } else if (key == "usage") {
        if (readChatUsage(field.value(), usage_)) has_usage_ = usage_here = true;
      } else if (key == "error") {
        has_error = !isNull(field.value());
      }
    }
  }
  if (has_error) {
    emitter_.fail(clientErrorFromProvider(500, data), out);
    return;
  }
  // The usage-only chunk include_usage asks for: the last word before [DONE].
  if (finish_seen_ && usage_here && !has_choices) finish(out);
}

bool ChatChunkReader::readChoices(od::value value, std::string& out) {
  od::array choices;
  if (value.get_array().get(choices)) return false;
  for (auto choice_result : choices) {
    od::object choice;
    if (choice_result.get_object().get(choice)) return true;
    std::string_view finish_reason;
    for (auto field_result : choice) {
      od::field field;
      std::string_view key;
      if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
      if (key == "delta") {
        readDelta(field.value(), out);
      } else if (key == "finish_reason") {
        finish_reason = stringOr(field.value());
      }
    }
    if (!finish_reason.empty()) {
      finish_seen_ = true;
      stop_ = stopFromOpenAI(finish_reason);
      emitter_.closeBlock(out);
    }
    return true;  // n > 1 is not translated: the first choice is the answer
  }
  return false;
}

void ChatChunkReader::readDelta(od::value value, std::string& out) {
  od::object delta;
  if (value.get_object().get(delta)) return;
  bool reasoning_seen = false;  // some servers send reasoning_content and reasoning both
  for (auto field_result : delta) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return;
    if (key == "content" || key == "refusal") {
      emitter_.delta(StreamDeltaKind::Text, stringOr(field.value()), out);
    } else if (key == "reasoning_content" || key == "reasoning") {
      std::string_view piece = stringOr(field.value());
      if (reasoning_seen || piece.empty()) continue;
      reasoning_seen = true;
      emitter_.delta(StreamDeltaKind::Thinking, piece, out);
    } else if (key == "tool_calls") {
      od::array calls;
      if (field.value().get_array().get(calls)) continue;
      for (auto call : calls) {
        od::value v;
        if (!call.get(v)) readToolCall(v, out);
      }
    }
  }
}

void ChatChunkReader::readToolCall(od::value value, std::string& out) {
  od::object call;
  if (value.get_object().get(call)) return;
  ToolPiece piece;
  for (auto field_result : call) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return;
    if (key == "index") {
      piece.index = intOr(field.value(), -1);
    } else if (key == "id") {
      piece.id = stringOr(field.value());
    } else if (key == "function") {
      od::object function;
      if (field.value().get_object().get(function)) continue;
      for (auto f_result : function) {
        od::field f;
        std::string_view name;
        if (std::move(f_result).get(f) || f.unescaped_key().get(name)) break;
        if (name == "name") {
          piece.name = stringOr(f.value());
        } else if (name == "arguments") {
          piece.arguments = stringOr(f.value());
        }
      }
    }
  }
  onToolPiece(piece, out);
}

void ChatChunkReader::onToolPiece(const ToolPiece& piece, std::string& out) {
  const bool open = emitter_.blockOpen() && emitter_.openKind() == StreamBlockKind::ToolUse;
  const int64_t index = piece.index >= 0 ? piece.index : (open ? tool_index_ : 0);
  const bool same = open && index == tool_index_ && (piece.id.empty() || piece.id == tool_id_);
  if (!same) {
    const bool seen = std::find(seen_tools_.begin(), seen_tools_.end(), index) !=
                      seen_tools_.end();
    if (seen && piece.id.empty() && piece.name.empty()) {
      // A late piece of a call already closed: an Anthropic block cannot be reopened.
      if (!piece.arguments.empty()) ++late_pieces_;
      return;
    }
    std::string generated;
    std::string_view id = piece.id;
    if (id.empty()) {
      generated = "toolu_llmproxy_" + std::to_string(seen_tools_.size());
      id = generated;
    }
    emitter_.openBlock(StreamBlockKind::ToolUse, id, piece.name, out);
    if (!seen) seen_tools_.push_back(index);
    tool_index_ = index;
    tool_id_ = id;
  }
  emitter_.delta(StreamDeltaKind::InputJson, piece.arguments, out);
}

void ChatChunkReader::finish(std::string& out) { emitter_.end(stop_, {}, usage_, out); }

}  // namespace llmproxy::worker::protocol
