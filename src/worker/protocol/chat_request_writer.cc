// Internal form → OpenAI Chat Completions request body.
#include "worker/protocol/chat_request_writer.h"

#include "common/json/json_writer.h"

namespace llmproxy::worker::protocol {
namespace {

using common::JsonWriter;

// NOTE: constant keys and values have nothing to escape, and every JsonText is already in
// escaped form: both go through escapedKey/escapedValue, which skip the escaping pass.

constexpr std::string_view kEmptySchema = R"({"type":"object","properties":{}})";
constexpr size_t kSlack = 512;  // output beyond the client's body size, before a reallocation
constexpr std::string_view kJoin = "\\n";  // between joined texts, in escaped form

void writeText(JsonWriter& w, const JsonText& text) { w.escapedValue(text.s); }

// Valid JSON without the whitespace between tokens (tool input → arguments string).
std::string compactJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size())
        out += json[++i];
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out += c;
    }
  }
  return out;
}

// Texts joined with kJoin, as one escaped string value. One text is written as it is.
class Joined {
 public:
  void add(const JsonText& text) {
    if (count_++ == 0) {
      first_ = text.s;
      return;
    }
    if (count_ == 2) joined_.assign(first_);
    joined_ += kJoin;
    joined_ += text.s;
  }
  size_t count() const { return count_; }
  void write(JsonWriter& w) const { w.escapedValue(count_ > 1 ? joined_ : first_); }

 private:
  std::string_view first_;
  std::string joined_;
  size_t count_ = 0;
};

void writeImagePart(JsonWriter& w, const Part& part) {
  w.beginObject()
      .escapedKey("type")
      .escapedValue("image_url")
      .escapedKey("image_url")
      .beginObject()
      .escapedKey("url");
  if (part.image_url) {
    writeText(w, part.text);
  } else {
    std::string url;
    url.reserve(part.media_type.s.size() + part.text.s.size() + 13);
    url.append("data:").append(part.media_type.s).append(";base64,").append(part.text.s);
    w.escapedValue(url);
  }
  if (part.detail.present()) {
    w.escapedKey("detail");
    writeText(w, part.detail);
  }
  w.endObject().endObject();
}

// Writes the conversation; images found in tool results wait for the next user message.
class MessageWriter {
 public:
  MessageWriter(JsonWriter& w, const InternalRequest& ir) : w_(w), ir_(ir) {}

  void write() {
    w_.escapedKey("messages").beginArray();
    for (const Part& part : ir_.system) {
      w_.beginObject().escapedKey("role").escapedValue("system").escapedKey("content");
      writeText(w_, part.text);
      w_.endObject();
    }
    for (const Message& m : ir_.messages) {
      switch (m.role) {
        case Role::Tool:
          toolResults(m);
          break;
        case Role::User:
          user(m);
          break;
        case Role::Assistant:
          flushImages();
          assistant(m);
          break;
      }
    }
    flushImages();
    w_.endArray();
  }

 private:
  const Part& part(const Message& m, uint32_t k) const { return ir_.parts[m.parts.first + k]; }

  void toolResults(const Message& m) {
    for (uint32_t k = 0; k < m.parts.count; ++k)
      if (part(m, k).kind == PartKind::ToolResult) toolResult(part(m, k));
  }

  void toolResult(const Part& result) {
    w_.beginObject().escapedKey("role").escapedValue("tool").escapedKey("tool_call_id");
    writeText(w_, result.id);
    w_.escapedKey("content");
    if (!result.content_is_parts) {
      writeText(w_, result.text.present() ? result.text : JsonText::plain(""));
    } else {
      Joined text;
      for (uint32_t i = 0; i < result.content.count; ++i) {
        const Part& p = ir_.nested[result.content.first + i];
        if (p.kind == PartKind::Text)
          text.add(p.text);
        else if (p.kind == PartKind::Image)
          images_.push_back(&p);
      }
      text.write(w_);
    }
    w_.endObject();
  }

  void user(const Message& m) {
    toolResults(m);
    size_t rest = images_.size();
    const Part* only_text = nullptr;
    for (uint32_t k = 0; k < m.parts.count; ++k) {
      const Part& p = part(m, k);
      if (p.kind == PartKind::Text || p.kind == PartKind::Image) {
        ++rest;
        if (p.kind == PartKind::Text) only_text = &p;
      }
    }
    if (rest == 0) return;
    w_.beginObject().escapedKey("role").escapedValue("user").escapedKey("content");
    if (rest == 1 && only_text) {
      writeText(w_, only_text->text);
    } else {
      w_.beginArray();
      for (uint32_t k = 0; k < m.parts.count; ++k) contentPart(part(m, k));
      for (const Part* image : images_) writeImagePart(w_, *image);
      w_.endArray();
    }
    images_.clear();
    w_.endObject();
  }

  void contentPart(const Part& p) {
    if (p.kind == PartKind::Text) {
      w_.beginObject().escapedKey("type").escapedValue("text").escapedKey("text");
      writeText(w_, p.text);
      w_.endObject();
    } else if (p.kind == PartKind::Image) {
      writeImagePart(w_, p);
    }
  }

  void flushImages() {
    if (images_.empty()) return;
    w_.beginObject().escapedKey("role").escapedValue("user").escapedKey("content").beginArray();
    for (const Part* image : images_) writeImagePart(w_, *image);
    w_.endArray().endObject();
    images_.clear();
  }

  void assistant(const Message& m) {
    Joined text;
    Joined reasoning;
    bool has_calls = false;
    for (uint32_t k = 0; k < m.parts.count; ++k) {
      const Part& p = part(m, k);
      if (p.kind == PartKind::Text)
        text.add(p.text);
      else if (p.kind == PartKind::Thinking && !p.redacted && !p.text.empty())
        reasoning.add(p.text);
      else if (p.kind == PartKind::ToolUse)
        has_calls = true;
    }
    w_.beginObject().escapedKey("role").escapedValue("assistant").escapedKey("content");
    if (text.count() || !has_calls)
      text.write(w_);
    else
      w_.null();
    if (reasoning.count()) {
      w_.escapedKey("reasoning_content");
      reasoning.write(w_);
    }
    if (has_calls) {
      w_.escapedKey("tool_calls").beginArray();
      for (uint32_t k = 0; k < m.parts.count; ++k) {
        const Part& p = part(m, k);
        if (p.kind != PartKind::ToolUse) continue;
        w_.beginObject().escapedKey("id");
        writeText(w_, p.id);
        w_.escapedKey("type")
            .escapedValue("function")
            .escapedKey("function")
            .beginObject()
            .escapedKey("name");
        writeText(w_, p.name);
        w_.escapedKey("arguments");
        if (p.arguments.present())
          writeText(w_, p.arguments);
        else
          w_.value(compactJson(p.input.empty() ? std::string_view("{}") : p.input));
        w_.endObject().endObject();
      }
      w_.endArray();
    }
    w_.endObject();
  }

  JsonWriter& w_;
  const InternalRequest& ir_;
  std::vector<const Part*> images_;
};

void writeTools(JsonWriter& w, const InternalRequest& ir) {
  w.escapedKey("tools").beginArray();
  for (const Tool& tool : ir.tools) {
    w.beginObject()
        .escapedKey("type")
        .escapedValue("function")
        .escapedKey("function")
        .beginObject()
        .escapedKey("name");
    writeText(w, tool.name);
    if (tool.description.present()) {
      w.escapedKey("description");
      writeText(w, tool.description);
    }
    w.escapedKey("parameters").raw(tool.parameters.empty() ? kEmptySchema : tool.parameters);
    if (!tool.strict.empty()) w.escapedKey("strict").raw(tool.strict);
    w.endObject().endObject();
  }
  w.endArray();
  switch (ir.tool_choice) {
    case ToolChoice::Unset:
      break;
    case ToolChoice::Auto:
      w.escapedKey("tool_choice").escapedValue("auto");
      break;
    case ToolChoice::None:
      w.escapedKey("tool_choice").escapedValue("none");
      break;
    case ToolChoice::Required:
      w.escapedKey("tool_choice").escapedValue("required");
      break;
    case ToolChoice::Named:
      w.escapedKey("tool_choice").beginObject().escapedKey("type").escapedValue("function");
      w.escapedKey("function").beginObject().escapedKey("name");
      writeText(w, ir.tool_choice_name);
      w.endObject().endObject();
      break;
  }
  if (ir.parallel_tool_calls) w.escapedKey("parallel_tool_calls").value(*ir.parallel_tool_calls);
}

void writeResponseFormat(JsonWriter& w, const ResponseFormat& format) {
  w.escapedKey("response_format").beginObject();
  switch (format.kind) {
    case ResponseFormat::Kind::Unset:
    case ResponseFormat::Kind::Text:
      w.escapedKey("type").escapedValue("text");
      break;
    case ResponseFormat::Kind::JsonObject:
      w.escapedKey("type").escapedValue("json_object");
      break;
    case ResponseFormat::Kind::JsonSchema:
      w.escapedKey("type").escapedValue("json_schema").escapedKey("json_schema").beginObject();
      if (format.name.present()) {
        w.escapedKey("name");
        writeText(w, format.name);
      }
      if (format.description.present()) {
        w.escapedKey("description");
        writeText(w, format.description);
      }
      if (!format.schema.empty()) w.escapedKey("schema").raw(format.schema);
      if (!format.strict.empty()) w.escapedKey("strict").raw(format.strict);
      w.endObject();
      break;
  }
  w.endObject();
}

}  // namespace

std::string_view effortForThinkingBudget(uint64_t budget) {
  if (budget < 4096) return "low";
  if (budget < 16384) return "medium";
  return "high";
}

WrittenRequest writeChatRequest(const InternalRequest& ir, const ChatWriteOptions& options) {
  WrittenRequest out;
  JsonWriter w;
  w.reserve(ir.body_size + kSlack);
  w.beginObject().escapedKey("model").value(options.target);
  MessageWriter(w, ir).write();

  if (ir.max_output_tokens)
    w.escapedKey(options.max_completion_tokens ? "max_completion_tokens" : "max_tokens")
        .value(*ir.max_output_tokens);
  if (!ir.temperature.empty()) w.escapedKey("temperature").raw(ir.temperature);
  if (!ir.top_p.empty()) w.escapedKey("top_p").raw(ir.top_p);
  if (!ir.top_k.empty()) out.drop("top_k");
  if (!ir.stop.empty()) {
    w.escapedKey("stop").beginArray();
    for (const JsonText& s : ir.stop) writeText(w, s);
    w.endArray();
  }
  if (ir.stream) {
    w.escapedKey("stream").value(true).escapedKey("stream_options").beginObject();
    w.escapedKey("include_usage").value(true).endObject();
    out.client_include_usage = ir.include_usage.value_or(false);
  }
  if (!ir.tools.empty()) writeTools(w, ir);
  if (ir.user.present()) {
    w.escapedKey("user");
    writeText(w, ir.user);
  }
  if (ir.reasoning_effort.present()) {
    w.escapedKey("reasoning_effort");
    writeText(w, ir.reasoning_effort);
  } else if (ir.thinking_budget && !ir.thinking_disabled) {
    w.escapedKey("reasoning_effort").value(effortForThinkingBudget(*ir.thinking_budget));
  }
  if (ir.response_format.kind != ResponseFormat::Kind::Unset)
    writeResponseFormat(w, ir.response_format);
  if (ir.verbosity.present()) {
    w.escapedKey("verbosity");
    writeText(w, ir.verbosity);
  }
  for (const RawField& field : ir.unknown) {
    if (ir.source == InternalRequest::Source::Messages || !field.chat_compatible) {
      out.drop(field.name.s);
      continue;
    }
    w.escapedKey(field.name.s).raw(field.value);
  }
  w.endObject();
  out.body = w.take();
  return out;
}

}  // namespace llmproxy::worker::protocol
