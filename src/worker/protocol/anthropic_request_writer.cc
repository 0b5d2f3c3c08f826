// Internal form → Anthropic Messages request body.
#include "worker/protocol/anthropic_request_writer.h"

#include "common/json/json_writer.h"

namespace llmproxy::worker::protocol {
namespace {

using common::JsonWriter;

// NOTE: constant keys and values have nothing to escape, and every JsonText is already in
// escaped form: both go through escapedKey/escapedValue, which skip the escaping pass.

constexpr size_t kSlack = 512;  // output beyond the client's body size, before a reallocation
constexpr std::string_view kEmptySchema = R"({"type":"object","properties":{}})";

void writeText(JsonWriter& w, const JsonText& text) { w.escapedValue(text.s); }

void writeCacheControl(JsonWriter& w, const Part& part) {
  if (!part.cache_control.empty()) w.escapedKey("cache_control").raw(part.cache_control);
}

void writeImage(JsonWriter& w, const Part& part) {
  w.beginObject().escapedKey("type").escapedValue("image").escapedKey("source").beginObject();
  if (part.image_url) {
    w.escapedKey("type").escapedValue("url").escapedKey("url");
    writeText(w, part.text);
  } else {
    w.escapedKey("type").escapedValue("base64").escapedKey("media_type");
    writeText(w, part.media_type);
    w.escapedKey("data");
    writeText(w, part.text);
  }
  w.endObject();
  writeCacheControl(w, part);
  w.endObject();
}

void writeTextBlock(JsonWriter& w, const Part& part) {
  w.beginObject().escapedKey("type").escapedValue("text").escapedKey("text");
  writeText(w, part.text);
  writeCacheControl(w, part);
  w.endObject();
}

void writeBlock(JsonWriter& w, const InternalRequest& ir, const Part& part) {
  switch (part.kind) {
    case PartKind::Text:
      writeTextBlock(w, part);
      return;
    case PartKind::Image:
      writeImage(w, part);
      return;
    case PartKind::ToolUse:
      w.beginObject().escapedKey("type").escapedValue("tool_use").escapedKey("id");
      writeText(w, part.id);
      w.escapedKey("name");
      writeText(w, part.name);
      w.escapedKey("input").raw(part.input.empty() ? std::string_view("{}") : part.input);
      writeCacheControl(w, part);
      w.endObject();
      return;
    case PartKind::ToolResult:
      w.beginObject().escapedKey("type").escapedValue("tool_result").escapedKey("tool_use_id");
      writeText(w, part.id);
      if (part.content_is_parts) {
        w.escapedKey("content").beginArray();
        for (uint32_t i = 0; i < part.content.count; ++i)
          writeBlock(w, ir, ir.nested[part.content.first + i]);
        w.endArray();
      } else if (part.text.present()) {
        w.escapedKey("content");
        writeText(w, part.text);
      }
      if (part.is_error) w.escapedKey("is_error").value(true);
      writeCacheControl(w, part);
      w.endObject();
      return;
    case PartKind::Thinking:
      if (part.redacted) {
        w.beginObject().escapedKey("type").escapedValue("redacted_thinking").escapedKey("data");
        writeText(w, part.text);
      } else {
        w.beginObject().escapedKey("type").escapedValue("thinking").escapedKey("thinking");
        writeText(w, part.text);
        w.escapedKey("signature");
        writeText(w, part.signature.present() ? part.signature : JsonText::plain(""));
      }
      w.endObject();
      return;
  }
}

void writeMessages(JsonWriter& w, const InternalRequest& ir) {
  w.escapedKey("messages").beginArray();
  const size_t n = ir.messages.size();
  for (size_t i = 0; i < n; ++i) {
    const Message& m = ir.messages[i];
    w.beginObject().escapedKey("role").value(m.role == Role::Assistant ? "assistant" : "user");
    w.escapedKey("content").beginArray();
    if (m.role == Role::Tool) {
      // A run of tool messages: one user turn of tool_result blocks.
      for (;; ++i) {
        const Message& t = ir.messages[i];
        for (uint32_t k = 0; k < t.parts.count; ++k) writeBlock(w, ir, ir.parts[t.parts.first + k]);
        if (i + 1 == n || ir.messages[i + 1].role != Role::Tool) break;
      }
    } else {
      for (uint32_t k = 0; k < m.parts.count; ++k) writeBlock(w, ir, ir.parts[m.parts.first + k]);
    }
    w.endArray().endObject();
  }
  w.endArray();
}

void writeTools(JsonWriter& w, const InternalRequest& ir) {
  w.escapedKey("tools").beginArray();
  for (const Tool& tool : ir.tools) {
    w.beginObject().escapedKey("name");
    writeText(w, tool.name);
    if (tool.description.present()) {
      w.escapedKey("description");
      writeText(w, tool.description);
    }
    w.escapedKey("input_schema").raw(tool.parameters.empty() ? kEmptySchema : tool.parameters);
    if (!tool.cache_control.empty()) w.escapedKey("cache_control").raw(tool.cache_control);
    w.endObject();
  }
  w.endArray();
}

void writeToolChoice(JsonWriter& w, const InternalRequest& ir) {
  const bool no_parallel = ir.parallel_tool_calls == false;
  if (ir.tool_choice == ToolChoice::Unset && !no_parallel) return;
  w.escapedKey("tool_choice").beginObject();
  switch (ir.tool_choice) {
    case ToolChoice::Unset:
    case ToolChoice::Auto:
      w.escapedKey("type").escapedValue("auto");
      break;
    case ToolChoice::None:
      w.escapedKey("type").escapedValue("none");
      break;
    case ToolChoice::Required:
      w.escapedKey("type").escapedValue("any");
      break;
    case ToolChoice::Named:
      w.escapedKey("type").escapedValue("tool").escapedKey("name");
      writeText(w, ir.tool_choice_name);
      break;
  }
  if (no_parallel && ir.tool_choice != ToolChoice::None)
    w.escapedKey("disable_parallel_tool_use").value(true);
  w.endObject();
}

// What reasoning becomes: the budget (0: off) and max_tokens.
struct Budget {
  uint64_t thinking = 0;
  uint64_t max_tokens = 0;
};

Budget planBudget(const InternalRequest& ir, const AnthropicWriteOptions& options,
                  WrittenRequest& out) {
  const uint64_t fallback =
      options.default_max_tokens ? options.default_max_tokens : kDefaultAnthropicMaxTokens;
  Budget b{0, ir.max_output_tokens.value_or(fallback)};
  const bool asked = ir.thinking_budget || ir.reasoning_effort.present();
  if (!asked) return b;
  uint64_t budget =
      ir.thinking_budget ? *ir.thinking_budget : thinkingBudgetForEffort(ir.reasoning_effort);
  const bool forced = ir.tool_choice == ToolChoice::Required || ir.tool_choice == ToolChoice::Named;
  if (budget && ir.max_output_tokens && budget >= *ir.max_output_tokens)
    budget = *ir.max_output_tokens / 2;
  if (ir.thinking_disabled || forced || budget < kMinThinkingBudget) {
    // "none" (budget 0 from the table) is a request for no thinking: nothing dropped.
    if (ir.thinking_budget || thinkingBudgetForEffort(ir.reasoning_effort) != 0)
      out.drop(reasoningFieldName(ir.source));
    return b;
  }
  b.thinking = budget;
  if (!ir.max_output_tokens) b.max_tokens = fallback + budget;
  return b;
}

}  // namespace

uint64_t thinkingBudgetForEffort(const JsonText& effort) {
  if (!effort.present() || effort.equals("none")) return 0;
  if (effort.equals("minimal")) return 1024;
  if (effort.equals("low")) return 2048;
  if (effort.equals("high")) return 16384;
  if (effort.equals("xhigh")) return 32768;
  return 8192;  // medium, and any effort we do not know
}

WrittenRequest writeAnthropicRequest(const InternalRequest& ir,
                                     const AnthropicWriteOptions& options) {
  WrittenRequest out;
  const Budget budget = planBudget(ir, options, out);
  JsonWriter w;
  w.reserve(ir.body_size + kSlack);
  w.beginObject().escapedKey("model").value(options.target);

  if (!ir.system.empty()) {
    w.escapedKey("system").beginArray();
    for (const Part& part : ir.system) writeTextBlock(w, part);
    w.endArray();
  }
  writeMessages(w, ir);
  w.escapedKey("max_tokens").value(budget.max_tokens);

  auto number = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    if (budget.thinking) {
      out.drop(name);
      return;
    }
    w.escapedKey(name).raw(value);
  };
  number("temperature", ir.temperature);
  number("top_p", ir.top_p);
  number("top_k", ir.top_k);

  if (!ir.stop.empty()) {
    w.escapedKey("stop_sequences").beginArray();
    for (const JsonText& s : ir.stop) writeText(w, s);
    w.endArray();
  }
  if (ir.stream) w.escapedKey("stream").value(true);
  if (!ir.tools.empty()) {
    writeTools(w, ir);
    writeToolChoice(w, ir);
  }
  if (ir.user.present()) {
    w.escapedKey("metadata").beginObject().escapedKey("user_id");
    writeText(w, ir.user);
    w.endObject();
  }
  if (budget.thinking) {
    w.escapedKey("thinking").beginObject().escapedKey("type").escapedValue("enabled");
    w.escapedKey("budget_tokens").value(budget.thinking).endObject();
  }
  w.endObject();

  if (ir.response_format.kind != ResponseFormat::Kind::Unset || ir.verbosity.present())
    out.drop(responseFormatFieldName(ir.source));
  for (const RawField& field : ir.unknown) out.drop(field.name.s);
  out.body = w.take();
  return out;
}

}  // namespace llmproxy::worker::protocol
