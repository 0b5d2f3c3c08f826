// The agent-client repairs of a translated request.
#include "worker/protocol/request_repairs.h"

#include <algorithm>

#include "worker/protocol/anthropic_request_writer.h"

namespace llmproxy::worker::protocol {
namespace {

bool keepThinking(const Part& part, bool anthropic) {
  if (anthropic) return part.signature_origin == SignatureOrigin::Anthropic;
  return !part.redacted && !part.text.empty();
}

uint32_t removeThinking(InternalRequest& ir, bool anthropic) {
  uint32_t removed = 0;
  for (Message& m : ir.messages) {
    if (m.role != Role::Assistant) continue;
    auto begin = ir.parts.begin() + m.parts.first;
    auto end = begin + m.parts.count;
    auto kept = std::stable_partition(begin, end, [&](const Part& p) {
      return p.kind != PartKind::Thinking || keepThinking(p, anthropic);
    });
    const auto gone = static_cast<uint32_t>(end - kept);
    m.parts.count -= gone;
    removed += gone;
  }
  return removed;
}

bool answered(const InternalRequest& ir, size_t from, const JsonText& id) {
  for (size_t i = from; i < ir.messages.size() && ir.messages[i].role != Role::Assistant; ++i) {
    const Message& m = ir.messages[i];
    for (uint32_t k = 0; k < m.parts.count; ++k) {
      const Part& p = ir.parts[m.parts.first + k];
      if (p.kind == PartKind::ToolResult && p.id.s == id.s) return true;
    }
  }
  return false;
}

uint32_t addMissingResults(InternalRequest& ir) {
  uint32_t added = 0;
  for (size_t i = 0; i < ir.messages.size(); ++i) {
    if (ir.messages[i].role != Role::Assistant) continue;
    const Range uses = ir.messages[i].parts;
    const uint32_t first = static_cast<uint32_t>(ir.parts.size());
    for (uint32_t k = 0; k < uses.count; ++k) {
      // NOTE: copy what is needed: push_back below may move the parts.
      const Part use = ir.parts[uses.first + k];
      if (use.kind != PartKind::ToolUse || answered(ir, i + 1, use.id)) continue;
      Part result;
      result.kind = PartKind::ToolResult;
      result.id = use.id;
      result.is_error = true;
      result.text = JsonText::plain(kInterruptedToolResult);
      ir.parts.push_back(result);
    }
    const uint32_t count = static_cast<uint32_t>(ir.parts.size()) - first;
    if (count == 0) continue;
    size_t at = i + 1;
    while (at < ir.messages.size() && ir.messages[at].role == Role::Tool) ++at;
    ir.messages.insert(ir.messages.begin() + static_cast<ptrdiff_t>(at),
                       Message{Role::Tool, {first, count}});
    added += count;
    i = at;
  }
  return added;
}

uint32_t fillBlanks(InternalRequest& ir) {
  uint32_t filled = 0;
  const JsonText dot = JsonText::plain(".");
  auto fill = [&](Part& p) {
    if (p.kind == PartKind::Text && p.text.blank()) {
      p.text = dot;
      ++filled;
    }
  };
  for (Part& p : ir.system) fill(p);
  for (Message& m : ir.messages) {
    for (uint32_t k = 0; k < m.parts.count; ++k) {
      Part& p = ir.parts[m.parts.first + k];
      fill(p);
      if (p.kind == PartKind::ToolResult && p.content_is_parts)
        for (uint32_t c = 0; c < p.content.count; ++c) fill(ir.nested[p.content.first + c]);
    }
    if (m.parts.count == 0) {
      Part part;
      part.text = dot;
      m.parts = {static_cast<uint32_t>(ir.parts.size()), 1};
      ir.parts.push_back(part);
      ++filled;
    }
  }
  return filled;
}

bool thinkingAsked(const InternalRequest& ir) {
  if (ir.thinking_disabled) return false;
  return ir.thinking_budget || thinkingBudgetForEffort(ir.reasoning_effort) != 0;
}

// Anthropic: with thinking on, an assistant turn still in progress (only tool results after
// it) that calls a tool must start with a thinking block.
bool thinkingRefused(const InternalRequest& ir) {
  size_t last = ir.messages.size();
  while (last > 0 && ir.messages[last - 1].role != Role::Assistant) --last;
  if (last == 0) return false;
  for (size_t i = last; i < ir.messages.size(); ++i) {
    const Message& m = ir.messages[i];
    for (uint32_t k = 0; k < m.parts.count; ++k)
      if (ir.parts[m.parts.first + k].kind != PartKind::ToolResult) return false;
  }
  const Message& assistant = ir.messages[last - 1];
  bool calls = false;
  for (uint32_t k = 0; k < assistant.parts.count; ++k)
    calls |= ir.parts[assistant.parts.first + k].kind == PartKind::ToolUse;
  return calls &&
         (assistant.parts.count == 0 || ir.parts[assistant.parts.first].kind != PartKind::Thinking);
}

}  // namespace

RepairCounts repairRequest(InternalRequest& ir, common::ProviderType provider) {
  const bool anthropic = provider == common::ProviderType::Anthropic;
  RepairCounts counts;
  counts.thinking_removed = removeThinking(ir, anthropic);
  counts.tool_results_added = addMissingResults(ir);
  counts.blank_texts = fillBlanks(ir);
  if (anthropic && thinkingAsked(ir) && thinkingRefused(ir)) {
    ir.thinking_disabled = true;
    counts.thinking_disabled = 1;
  }
  return counts;
}

}  // namespace llmproxy::worker::protocol
