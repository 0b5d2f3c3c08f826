// Anthropic stream events into the internal stream.
#include "worker/protocol/anthropic_event_reader.h"

#include "worker/protocol/stop_reason.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {
namespace {

// Iterates `object`'s members, calling on(key, value); stops at the first malformed member.
template <typename On>
void forEachMember(od::object object, On&& on) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return;
    on(key, field.value());
  }
}

}  // namespace

void AnthropicEventReader::event(std::string_view data, std::string& out) {
  if (emitter_.ended()) return;
  if (data == "[DONE]") {  // not Anthropic's, but some compatible servers add it
    finish(out);
    return;
  }
  bool is_error = false;
  {
    JsonDoc doc(data);
    od::object root;
    if (doc.root().get(root)) return;
    od::value type_value;
    std::string_view type;
    if (root.find_field_unordered("type").get(type_value) || type_value.get_string().get(type)) {
      return;
    }
    if (root.reset().error()) return;
    if (type == "content_block_delta") {
      onBlockDelta(root, out);
    } else if (type == "content_block_start") {
      onBlockStart(root, out);
    } else if (type == "content_block_stop") {
      onBlockStop(root, out);
    } else if (type == "message_start") {
      onMessageStart(root, out);
    } else if (type == "message_delta") {
      onMessageDelta(root);
    } else if (type == "message_stop") {
      finish(out);
    } else if (type == "error") {
      is_error = true;
    }
  }
  if (is_error) emitter_.fail(clientErrorFromProvider(529, data), out);
}

void AnthropicEventReader::onMessageStart(od::object root, std::string& out) {
  std::string_view id;
  forEachMember(root, [&](std::string_view key, od::value value) {
    if (key != "message") return;
    od::object message;
    if (value.get_object().get(message)) return;
    forEachMember(message, [&](std::string_view k, od::value v) {
      if (k == "id") {
        id = stringOr(v);
      } else if (k == "usage") {
        has_usage_ = readAnthropicUsage(v, usage_) || has_usage_;
      }
    });
  });
  emitter_.start(id, usage_, out);
}

void AnthropicEventReader::onBlockStart(od::object root, std::string& out) {
  int64_t index = -1;
  std::string_view type;
  std::string_view text;
  std::string_view signature;
  std::string_view id;
  std::string_view name;
  std::string_view input;
  forEachMember(root, [&](std::string_view key, od::value value) {
    if (key == "index") {
      index = intOr(value, -1);
    } else if (key == "content_block") {
      od::object block;
      if (value.get_object().get(block)) return;
      forEachMember(block, [&](std::string_view k, od::value v) {
        if (k == "type") {
          type = stringOr(v);
        } else if (k == "text" || k == "thinking") {
          text = stringOr(v);
        } else if (k == "signature") {
          signature = stringOr(v);
        } else if (k == "id") {
          id = stringOr(v);
        } else if (k == "name") {
          name = stringOr(v);
        } else if (k == "input") {
          input = rawObject(v);
        }
      });
    }
  });
  emitter_.closeBlock(out);
  open_index_ = -1;
  if (type == "text") {
    emitter_.openBlock(StreamBlockKind::Text, {}, {}, out);
    emitter_.delta(StreamDeltaKind::Text, text, out);
  } else if (type == "thinking") {
    emitter_.openBlock(StreamBlockKind::Thinking, {}, {}, out);
    emitter_.delta(StreamDeltaKind::Thinking, text, out);
    emitter_.delta(StreamDeltaKind::Signature, signature, out);
  } else if (type == "tool_use") {
    emitter_.openBlock(StreamBlockKind::ToolUse, id, name, out);
    // Input sent whole in the start event (compatible servers): one piece, compacted.
    if (!input.empty() && input != "{}") {
      std::string compact;
      appendMinified(compact, input);
      if (compact != "{}") emitter_.delta(StreamDeltaKind::InputJson, compact, out);
    }
  } else {
    skipped_index_ = index;  // redacted_thinking, server tools: no other protocol carries them
    return;
  }
  open_index_ = index;
}

void AnthropicEventReader::onBlockDelta(od::object root, std::string& out) {
  int64_t index = -1;
  StreamDeltaKind kind = StreamDeltaKind::Text;
  bool known = false;
  std::string_view piece;
  forEachMember(root, [&](std::string_view key, od::value value) {
    if (key == "index") {
      index = intOr(value, -1);
    } else if (key == "delta") {
      od::object delta;
      if (value.get_object().get(delta)) return;
      forEachMember(delta, [&](std::string_view k, od::value v) {
        if (k == "text") {
          kind = StreamDeltaKind::Text;
        } else if (k == "thinking") {
          kind = StreamDeltaKind::Thinking;
        } else if (k == "signature") {
          kind = StreamDeltaKind::Signature;
        } else if (k == "partial_json") {
          kind = StreamDeltaKind::InputJson;
        } else {
          return;
        }
        known = true;
        piece = stringOr(v);
      });
    }
  });
  if (!known || index == skipped_index_) return;
  if (index != open_index_ || open_index_ < 0) {
    ++late_pieces_;
    return;
  }
  emitter_.delta(kind, piece, out);
}

void AnthropicEventReader::onBlockStop(od::object root, std::string& out) {
  int64_t index = -1;
  forEachMember(root, [&](std::string_view key, od::value value) {
    if (key == "index") index = intOr(value, -1);
  });
  if (index != open_index_ || open_index_ < 0) return;
  emitter_.closeBlock(out);
  open_index_ = -1;
}

void AnthropicEventReader::onMessageDelta(od::object root) {
  forEachMember(root, [&](std::string_view key, od::value value) {
    if (key == "delta") {
      od::object delta;
      if (value.get_object().get(delta)) return;
      forEachMember(delta, [&](std::string_view k, od::value v) {
        if (k == "stop_reason") {
          std::string_view reason = stringOr(v);
          if (!reason.empty()) stop_ = stopFromAnthropic(reason);
        } else if (k == "stop_sequence") {
          stop_sequence_ = stringOr(v);
        }
      });
    } else if (key == "usage") {
      has_usage_ = readAnthropicUsage(value, usage_) || has_usage_;
    }
  });
}

void AnthropicEventReader::finish(std::string& out) {
  emitter_.end(stop_, stop_ == StopReason::StopSequence ? stop_sequence_ : std::string_view(),
               usage_, out);
}

}  // namespace llmproxy::worker::protocol
