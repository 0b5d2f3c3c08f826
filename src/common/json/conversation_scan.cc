// The conversation scan of a request body and the repairs it needs on bypass.
#include "common/json/conversation_scan.h"

#include "common/json/json_validate.h"

namespace llmproxy::common {

namespace od = simdjson::ondemand;
using simdjson::error_code;

namespace {

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}

// Depths as validateJsonValue counts them (the root's members: 1).
constexpr int kMessageDepth = 2;
constexpr int kMessageMemberDepth = 3;
constexpr int kBlockDepth = 4;
constexpr int kBlockMemberDepth = 5;

struct Walk {
  od::document& doc;
  const char* base;
  ConversationScan& scan;
};

// f(key, value) for each member of `object`, keys unescaped; stops at the first error.
template <typename F>
error_code forEachMember(od::object& object, F&& f) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) return e;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (auto e = f(key, field.value())) return e;
  }
  return simdjson::SUCCESS;
}

// f(element) for each element when `v` is an array; anything else is only validated.
template <typename F>
error_code forEachElementOf(od::value& v, int depth, F&& f) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::array) return validateJsonValue(v, depth);
  od::array array;
  if (auto e = v.get_array().get(array)) return e;
  for (auto element_result : array) {
    od::value element;
    if (auto e = std::move(element_result).get(element)) return e;
    if (auto e = f(element)) return e;
  }
  return simdjson::SUCCESS;
}

// A string member: its token and its value (a view into the parser, valid until its next use).
struct StringValue {
  ByteRange token;
  std::string_view value;
};

// Reads `v` as a string when it is one (`is_string` false otherwise, the value validated).
error_code readString(Walk& w, od::value& v, int depth, StringValue& out, bool& is_string) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  is_string = type == od::json_type::string;
  if (!is_string) return validateJsonValue(v, depth);
  out.token = tokenRange(w.base, v.raw_json_token());
  return v.get_string().get(out.value);
}

ScannedBlock::Kind blockKind(std::string_view type) {
  using K = ScannedBlock::Kind;
  if (type == "text") return K::Text;
  if (type == "thinking") return K::Thinking;
  if (type == "redacted_thinking") return K::RedactedThinking;
  if (type == "tool_use") return K::ToolUse;
  if (type == "tool_result") return K::ToolResult;
  return K::Other;
}

// One content block (or any element of a content array). `nested`: inside a tool_result (its
// content is not looked into again). A blank text is recorded in scan.blank_texts.
error_code scanBlock(Walk& w, od::value v, int depth, bool nested, ScannedBlock& block) {
  block.range.begin = static_cast<size_t>(v.raw_json_token().data() - w.base);
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::object) {
    if (auto e = validateJsonValue(v, depth)) return e;
    block.range.end = consumedEnd(w.doc, w.base);
    return simdjson::SUCCESS;
  }
  od::object object;
  if (auto e = v.get_object().get(object)) return e;
  ByteRange text;
  ByteRange id;
  ByteRange tool_use_id;
  auto member = [&](std::string_view key, od::value value) -> error_code {
    StringValue s;
    bool is_string = false;
    if (key == "type") {
      if (auto e = readString(w, value, depth + 1, s, is_string)) return e;
      if (is_string) block.kind = blockKind(s.value);
    } else if (key == "text") {
      if (auto e = readString(w, value, depth + 1, s, is_string)) return e;
      if (is_string) {
        text = s.token;
        block.blank = blank(s.value);
      }
    } else if (key == "signature" && !nested) {
      if (auto e = readString(w, value, depth + 1, s, is_string)) return e;
      block.has_signature = is_string && !s.value.empty();
    } else if ((key == "id" || key == "tool_use_id") && !nested) {
      if (auto e = readString(w, value, depth + 1, s, is_string)) return e;
      if (is_string) (key == "id" ? id : tool_use_id) = s.token;
    } else if (key == "content" && !nested) {
      // A tool_result's content: its blank text blocks count too.
      return forEachElementOf(value, depth + 1, [&](od::value element) {
        ScannedBlock inner;
        return scanBlock(w, element, depth + 2, true, inner);
      });
    } else {
      return validateJsonValue(value, depth + 1);
    }
    return simdjson::SUCCESS;
  };
  if (auto e = forEachMember(object, member)) return e;
  block.range.end = consumedEnd(w.doc, w.base);
  if (block.kind == ScannedBlock::Kind::Text && block.blank && !text.empty())
    w.scan.blank_texts.push_back(text);
  if (block.kind == ScannedBlock::Kind::ToolUse) block.id = id;
  if (block.kind == ScannedBlock::Kind::ToolResult) block.id = tool_use_id;
  return simdjson::SUCCESS;
}

error_code scanContent(Walk& w, od::value v, ScannedMessage& m) {
  m.content.begin = static_cast<size_t>(v.raw_json_token().data() - w.base);
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  m.content_array = false;
  m.content_blank = false;
  m.count = 0;
  if (type == od::json_type::string) {
    StringValue s;
    bool is_string = false;
    if (auto e = readString(w, v, kMessageMemberDepth, s, is_string)) return e;
    m.content = s.token;
    m.content_blank = blank(s.value);
    return simdjson::SUCCESS;
  }
  if (type != od::json_type::array) {
    if (auto e = validateJsonValue(v, kMessageMemberDepth)) return e;
    m.content.end = consumedEnd(w.doc, w.base);
    return simdjson::SUCCESS;
  }
  m.content_array = true;
  m.first = static_cast<uint32_t>(w.scan.blocks.size());
  auto block = [&](od::value element) {
    ScannedBlock b;
    auto e = scanBlock(w, element, kBlockDepth, false, b);
    w.scan.blocks.push_back(b);
    return e;
  };
  if (auto e = forEachElementOf(v, kMessageMemberDepth, block)) return e;
  m.count = static_cast<uint32_t>(w.scan.blocks.size()) - m.first;
  m.content.end = consumedEnd(w.doc, w.base);
  return simdjson::SUCCESS;
}

// OpenAI: the ids of an assistant message's tool_calls.
error_code scanToolCalls(Walk& w, od::value v, ScannedMessage& m) {
  m.first = static_cast<uint32_t>(w.scan.call_ids.size());
  auto call = [&](od::value element) -> error_code {
    od::json_type type;
    if (auto e = element.type().get(type)) return e;
    if (type != od::json_type::object) return validateJsonValue(element, kBlockDepth);
    od::object object;
    if (auto e = element.get_object().get(object)) return e;
    return forEachMember(object, [&](std::string_view key, od::value value) -> error_code {
      if (key != "id") return validateJsonValue(value, kBlockMemberDepth);
      StringValue s;
      bool is_string = false;
      if (auto e = readString(w, value, kBlockMemberDepth, s, is_string)) return e;
      if (is_string) w.scan.call_ids.push_back(s.token);
      return simdjson::SUCCESS;
    });
  };
  if (auto e = forEachElementOf(v, kMessageMemberDepth, call)) return e;
  m.count = static_cast<uint32_t>(w.scan.call_ids.size()) - m.first;
  return simdjson::SUCCESS;
}

ScannedMessage::Role roleOf(std::string_view role) {
  using R = ScannedMessage::Role;
  if (role == "user") return R::User;
  if (role == "assistant") return R::Assistant;
  if (role == "tool") return R::Tool;
  return R::Other;
}

error_code scanMessage(Walk& w, od::value v, ConversationShape shape) {
  ScannedMessage m;
  m.range.begin = static_cast<size_t>(v.raw_json_token().data() - w.base);
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::object) {
    if (auto e = validateJsonValue(v, kMessageDepth)) return e;
    m.range.end = consumedEnd(w.doc, w.base);
    w.scan.messages.push_back(m);
    return simdjson::SUCCESS;
  }
  const bool anthropic = shape == ConversationShape::AnthropicMessages;
  od::object object;
  if (auto e = v.get_object().get(object)) return e;
  auto member = [&](std::string_view key, od::value value) -> error_code {
    StringValue s;
    bool is_string = false;
    if (key == "role") {
      if (auto e = readString(w, value, kMessageMemberDepth, s, is_string)) return e;
      if (is_string) m.role = roleOf(s.value);
    } else if (key == "content" && anthropic) {
      return scanContent(w, value, m);
    } else if (key == "tool_calls" && !anthropic) {
      return scanToolCalls(w, value, m);
    } else if (key == "tool_call_id" && !anthropic) {
      if (auto e = readString(w, value, kMessageMemberDepth, s, is_string)) return e;
      if (is_string) m.tool_call_id = s.token;
    } else {
      return validateJsonValue(value, kMessageMemberDepth);
    }
    return simdjson::SUCCESS;
  };
  if (auto e = forEachMember(object, member)) return e;
  m.range.end = consumedEnd(w.doc, w.base);
  w.scan.messages.push_back(m);
  return simdjson::SUCCESS;
}

std::string_view bytes(const char* base, ByteRange r) { return {base + r.begin, r.size()}; }

bool sameId(const char* base, ByteRange a, ByteRange b) {
  return !a.empty() && bytes(base, a) == bytes(base, b);
}

// The ids a message's calls use: OpenAI tool_calls ids, Anthropic kept tool_use blocks.
template <typename F>
void forEachCall(const ConversationScan& s, const ScannedMessage& m, bool anthropic, F&& f) {
  for (uint32_t k = 0; k < m.count; ++k) {
    if (!anthropic) {
      f(s.call_ids[m.first + k]);
      continue;
    }
    const ScannedBlock& b = s.blocks[m.first + k];
    if (b.kind == ScannedBlock::Kind::ToolUse && !b.remove && !b.id.empty()) f(b.id);
  }
}

bool answered(const ConversationScan& s, size_t i, bool anthropic, const char* base, ByteRange id) {
  using R = ScannedMessage::Role;
  if (anthropic) {
    if (i + 1 >= s.messages.size() || s.messages[i + 1].role != R::User) return false;
    const ScannedMessage& next = s.messages[i + 1];
    if (!next.content_array) return false;
    for (uint32_t k = 0; k < next.count; ++k) {
      const ScannedBlock& b = s.blocks[next.first + k];
      if (b.kind == ScannedBlock::Kind::ToolResult && sameId(base, b.id, id)) return true;
    }
    return false;
  }
  for (size_t j = i + 1; j < s.messages.size() && s.messages[j].role == R::Tool; ++j)
    if (sameId(base, s.messages[j].tool_call_id, id)) return true;
  return false;
}

void planMissingResults(ConversationScan& s, bool anthropic, const char* base) {
  using R = ScannedMessage::Role;
  for (size_t i = 0; i < s.messages.size(); ++i) {
    if (s.messages[i].role != R::Assistant) continue;
    const uint32_t first = static_cast<uint32_t>(s.missing.size());
    forEachCall(s, s.messages[i], anthropic, [&](ByteRange id) {
      if (!answered(s, i, anthropic, base, id)) s.missing.push_back(id);
    });
    ScannedMessage& m = s.messages[i];
    m.missing_first = first;
    m.missing_count = static_cast<uint32_t>(s.missing.size()) - first;
    if (m.missing_count == 0) continue;
    s.counts[1] += m.missing_count;
    if (anthropic) {
      if (i + 1 < s.messages.size() && s.messages[i + 1].role == R::User &&
          !s.messages[i + 1].content.empty())
        s.messages[i + 1].answers_of = static_cast<int32_t>(i);
    } else {
      size_t last = i;
      while (last + 1 < s.messages.size() && s.messages[last + 1].role == R::Tool) ++last;
      m.answers_end = s.messages[last].range.end;
    }
  }
}

uint32_t keptBlocks(const ConversationScan& s, const ScannedMessage& m) {
  uint32_t kept = 0;
  for (uint32_t k = 0; k < m.count; ++k) kept += s.blocks[m.first + k].remove ? 0 : 1;
  return kept;
}

void planEmptyContents(ConversationScan& s) {
  using R = ScannedMessage::Role;
  for (size_t i = 0; i < s.messages.size(); ++i) {
    ScannedMessage& m = s.messages[i];
    const bool prefill = i + 1 == s.messages.size() && m.role == R::Assistant;
    if (prefill || m.answers_of >= 0 || m.content.empty()) continue;
    m.fill_dot = m.content_array ? keptBlocks(s, m) == 0 : m.content_blank;
    s.counts[2] += m.fill_dot ? 1 : 0;
  }
}

// Thinking on, and the assistant turn in progress (only tool results after it) calls a tool
// without starting with a thinking block: Anthropic refuses it.
bool thinkingRefused(const ConversationScan& s) {
  using R = ScannedMessage::Role;
  using K = ScannedBlock::Kind;
  size_t last = s.messages.size();
  while (last > 0 && s.messages[last - 1].role != R::Assistant) --last;
  if (last == 0) return false;
  for (size_t i = last; i < s.messages.size(); ++i) {
    const ScannedMessage& m = s.messages[i];
    if (!m.content_array) return false;
    for (uint32_t k = 0; k < m.count; ++k)
      if (s.blocks[m.first + k].kind != K::ToolResult) return false;
  }
  const ScannedMessage& assistant = s.messages[last - 1];
  bool calls = false;
  const ScannedBlock* first = nullptr;
  for (uint32_t k = 0; k < assistant.count; ++k) {
    const ScannedBlock& b = s.blocks[assistant.first + k];
    if (b.remove) continue;
    if (!first) first = &b;
    calls |= b.kind == K::ToolUse;
  }
  return calls && first->kind != K::Thinking && first->kind != K::RedactedThinking;
}

}  // namespace

void ConversationScan::clear() {
  messages.clear();
  blocks.clear();
  call_ids.clear();
  blank_texts.clear();
  missing.clear();
  thinking = {};
  thinking_on = false;
  for (uint32_t& c : counts) c = 0;
  disable_thinking = false;
}

ByteRange tokenRange(const char* base, std::string_view raw) {
  while (!raw.empty() && isJsonSpace(raw.back())) raw.remove_suffix(1);
  const size_t begin = static_cast<size_t>(raw.data() - base);
  return {begin, begin + raw.size()};
}

size_t consumedEnd(od::document& doc, const char* base) {
  const char* next = nullptr;
  if (doc.current_location().get(next)) return 0;
  const char* p = next - 1;
  while (p > base && isJsonSpace(*p)) --p;
  return static_cast<size_t>(p - base) + 1;
}

namespace conversation {

error_code scanMessages(od::document& doc, od::value v, const char* base, ConversationShape shape,
                        ConversationScan& scan) {
  // A second "messages" member: the last one is what a provider reads.
  scan.messages.clear();
  scan.blocks.clear();
  scan.call_ids.clear();
  Walk w{doc, base, scan};
  return forEachElementOf(v, 1, [&](od::value message) { return scanMessage(w, message, shape); });
}

error_code scanSystem(od::document& doc, od::value v, const char* base, ConversationScan& scan) {
  Walk w{doc, base, scan};
  return forEachElementOf(v, 1, [&](od::value element) {
    ScannedBlock block;
    return scanBlock(w, element, kMessageDepth, true, block);
  });
}

error_code scanThinking(od::document& doc, od::value v, const char* base, ConversationScan& scan) {
  scan.thinking.begin = static_cast<size_t>(v.raw_json_token().data() - base);
  scan.thinking_on = false;
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type != od::json_type::object) {
    if (auto e = validateJsonValue(v, 1)) return e;
  } else {
    od::object object;
    if (auto e = v.get_object().get(object)) return e;
    auto member = [&](std::string_view key, od::value value) -> error_code {
      od::json_type member_type;
      if (auto e = value.type().get(member_type)) return e;
      if (key != "type" || member_type != od::json_type::string)
        return validateJsonValue(value, 2);
      std::string_view name;
      if (auto e = value.get_string().get(name)) return e;
      scan.thinking_on = name == "enabled" || name == "adaptive";
      return simdjson::SUCCESS;
    };
    if (auto e = forEachMember(object, member)) return e;
  }
  scan.thinking.end = consumedEnd(doc, base);
  return simdjson::SUCCESS;
}

}  // namespace conversation

bool planRepairs(ConversationScan& s, ConversationShape shape, const char* base) {
  const bool anthropic = shape == ConversationShape::AnthropicMessages;
  if (anthropic) {
    for (const ScannedMessage& m : s.messages) {
      if (m.role != ScannedMessage::Role::Assistant) continue;
      for (uint32_t k = 0; k < m.count; ++k) {
        ScannedBlock& b = s.blocks[m.first + k];
        if (b.kind == ScannedBlock::Kind::Thinking && !b.has_signature) {
          b.remove = true;
          ++s.counts[0];
        }
      }
    }
  }
  planMissingResults(s, anthropic, base);
  if (anthropic) {
    s.counts[2] += static_cast<uint32_t>(s.blank_texts.size());
    planEmptyContents(s);
    if (s.thinking_on && thinkingRefused(s)) {
      s.disable_thinking = true;
      s.counts[3] = 1;
    }
  }
  return s.total() > 0;
}

}  // namespace llmproxy::common
