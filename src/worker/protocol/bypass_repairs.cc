// The repairs of a bypassed request, as edits of the client's bytes.
#include "worker/protocol/bypass_repairs.h"

#include <algorithm>
#include <string>
#include <vector>

#include "worker/protocol/request_repairs.h"

namespace llmproxy::worker::protocol {
namespace {

using common::ByteRange;
using common::ConversationScan;
using common::ScannedBlock;
using common::ScannedMessage;

struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string with;
};

constexpr std::string_view kDotText = R"({"type":"text","text":"."})";

std::string_view bytes(std::string_view body, ByteRange r) { return body.substr(r.begin, r.size()); }

// The removed blocks of one content array, each with one of the commas around it.
void addRemovals(std::vector<Edit>& edits, const ConversationScan& s, const ScannedMessage& m) {
  bool kept_before = false;
  for (uint32_t k = 0; k < m.count; ++k) {
    const ScannedBlock& b = s.blocks[m.first + k];
    if (!b.remove) {
      kept_before = true;
    } else if (kept_before) {  // ",<block>" after the previous element
      edits.push_back({s.blocks[m.first + k - 1].range.end, b.range.end, {}});
    } else if (k + 1 < m.count) {  // "<block>," before the next element
      edits.push_back({b.range.begin, s.blocks[m.first + k + 1].range.begin, {}});
    } else {
      edits.push_back({b.range.begin, b.range.end, {}});
    }
  }
}

void appendAnthropicPlaceholders(std::string& out, std::string_view body, const ConversationScan& s,
                                 const ScannedMessage& assistant) {
  for (uint32_t k = 0; k < assistant.missing_count; ++k) {
    if (k > 0) out += ',';
    out += R"({"type":"tool_result","tool_use_id":)";
    out += bytes(body, s.missing[assistant.missing_first + k]);
    out += R"(,"is_error":true,"content":")";
    out += kInterruptedToolResult;
    out += "\"}";
  }
}

void addAnthropicResults(std::vector<Edit>& edits, std::string_view body, const ConversationScan& s,
                         size_t i) {
  const ScannedMessage& assistant = s.messages[i];
  std::string results;
  appendAnthropicPlaceholders(results, body, s, assistant);
  const bool into_next =
      i + 1 < s.messages.size() && s.messages[i + 1].answers_of == static_cast<int32_t>(i);
  if (!into_next) {
    edits.push_back({assistant.range.end, assistant.range.end,
                     R"(,{"role":"user","content":[)" + results + "]}"});
    return;
  }
  const ScannedMessage& user = s.messages[i + 1];
  if (user.content_array) {
    if (user.count > 0) results += ',';
    edits.push_back({user.content.begin + 1, user.content.begin + 1, std::move(results)});
    return;
  }
  // String content: the results, then the text unless it is blank.
  std::string content = "[" + results;
  if (!user.content_blank) {
    content += R"(,{"type":"text","text":)";
    content += bytes(body, user.content);
    content += '}';
  }
  content += ']';
  edits.push_back({user.content.begin, user.content.end, std::move(content)});
}

void addOpenAIResults(std::vector<Edit>& edits, std::string_view body, const ConversationScan& s,
                      const ScannedMessage& assistant) {
  std::string messages;
  for (uint32_t k = 0; k < assistant.missing_count; ++k) {
    messages += R"(,{"role":"tool","tool_call_id":)";
    messages += bytes(body, s.missing[assistant.missing_first + k]);
    messages += R"(,"content":")";
    messages += kInterruptedToolResult;
    messages += "\"}";
  }
  edits.push_back({assistant.answers_end, assistant.answers_end, std::move(messages)});
}

}  // namespace

void writeRepairedBody(OutgoingRequest& out, std::string_view body, const BodyPlan& plan,
                       const ConversationScan& s, common::ConversationShape shape) {
  const bool anthropic = shape == common::ConversationShape::AnthropicMessages;
  std::vector<Edit> edits;
  for (size_t i = 0; i < plan.count; ++i)
    edits.push_back({plan.edits[i].begin, plan.edits[i].end, std::string(plan.edits[i].with)});
  for (size_t i = 0; i < s.messages.size(); ++i) {
    const ScannedMessage& m = s.messages[i];
    if (anthropic) addRemovals(edits, s, m);
    if (m.missing_count > 0) {
      if (anthropic)
        addAnthropicResults(edits, body, s, i);
      else
        addOpenAIResults(edits, body, s, m);
    }
    if (m.fill_dot) {
      if (m.content_array)
        edits.push_back({m.content.end - 1, m.content.end - 1, std::string(kDotText)});
      else
        edits.push_back({m.content.begin, m.content.end, "\".\""});
    }
  }
  for (const ByteRange& text : s.blank_texts) edits.push_back({text.begin, text.end, "\".\""});
  if (s.disable_thinking)
    edits.push_back({s.thinking.begin, s.thinking.end, R"({"type":"disabled"})"});

  // Insertions before a removal that starts at the same byte.
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  size_t extra = 0;
  for (const Edit& e : edits) extra += e.with.size();
  out.body.clear();
  out.body.reserve(body.size() + extra);
  size_t at = 0;
  for (const Edit& e : edits) {
    if (e.begin < at) continue;  // cannot happen: the plan's ranges never overlap
    out.body.append(body.substr(at, e.begin - at));
    out.body += e.with;
    at = e.end;
  }
  out.body.append(body.substr(at));
  std::copy(std::begin(s.counts), std::end(s.counts), std::begin(out.repairs));
}

}  // namespace llmproxy::worker::protocol
