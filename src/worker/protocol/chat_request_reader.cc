// OpenAI Chat Completions request → internal form.
#include "worker/protocol/chat_request_reader.h"

#include <array>

namespace llmproxy::worker::protocol {

using namespace reading;

namespace {

enum Key {
  kModel,
  kMessages,
  kMaxTokens,
  kMaxCompletionTokens,
  kTemperature,
  kTopP,
  kStop,
  kStream,
  kStreamOptions,
  kTools,
  kToolChoice,
  kParallelToolCalls,
  kUser,
  kReasoningEffort,
  kResponseFormat,
};
constexpr std::array<std::string_view, 15> kKeys{"model",          "messages",
                                                 "max_tokens",     "max_completion_tokens",
                                                 "temperature",    "top_p",
                                                 "stop",           "stream",
                                                 "stream_options", "tools",
                                                 "tool_choice",    "parallel_tool_calls",
                                                 "user",           "reasoning_effort",
                                                 "response_format"};

// Which content part types a message may hold.
enum class Allow : uint8_t { Text, TextAndImage, TextAndRefusal };

Result<void> readTextPart(const Scope& sc, od::object& object, const Path& path,
                          std::vector<Part>& out) {
  Part part;
  bool has_text = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    if (key == "text") {
      auto text = readText(sc, v, path.member("text"));
      if (!text) return std::unexpected(text.error());
      part.text = *text;
      has_text = true;
    } else if (key == "cache_control") {
      auto raw = readRawObject(sc, v, path.member("cache_control"));
      if (!raw) return std::unexpected(raw.error());
      part.cache_control = *raw;
    }
    return {};
  });
  if (!r) return r;
  if (!has_text) return missing(path.member("text"));
  out.push_back(part);
  return {};
}

Result<void> readImagePart(const Scope& sc, od::object& object, const Path& path,
                           std::vector<Part>& out) {
  Part part;
  bool has_url = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "image_url") return {};
    od::value& v = field.value();
    const Path ip = path.member("image_url");
    auto type = typeOf(v);
    if (!type) return std::unexpected(type.error());
    if (*type == od::json_type::string) {  // a shorthand some clients send
      auto url = readText(sc, v, ip);
      if (!url) return std::unexpected(url.error());
      has_url = true;
      return imageFromUrl(*url, part, ip);
    }
    auto image = readObject(v, ip);
    if (!image) return std::unexpected(image.error());
    return forEachField(*image, [&](std::string_view k, od::field& f) -> Result<void> {
      if (k == "url") {
        auto url = readText(sc, f.value(), ip.member("url"));
        if (!url) return std::unexpected(url.error());
        has_url = true;
        return imageFromUrl(*url, part, ip.member("url"));
      }
      if (k == "detail") {
        auto detail = readTextOrNull(sc, f.value(), ip.member("detail"));
        if (!detail) return std::unexpected(detail.error());
        part.detail = *detail;
      }
      return {};
    });
  });
  if (!r) return r;
  if (!has_url) return missing(path.member("image_url").member("url"));
  out.push_back(part);
  return {};
}

// A message's content: a string (one text part) or an array of parts.
Result<void> readContent(const Scope& sc, od::value& v, const Path& path, Allow allow,
                         std::vector<Part>& out) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::string) {
    auto text = readText(sc, v, path);
    if (!text) return std::unexpected(text.error());
    Part part;
    part.text = *text;
    out.push_back(part);
    return {};
  }
  if (*type != od::json_type::array) return wrongType(path, "a string or an array");
  auto array = readArray(v, path);
  if (!array) return std::unexpected(array.error());
  return forEachElement(*array, [&](size_t i, od::value& element) -> Result<void> {
    const Path pp = path.index(i);
    auto object = readObject(element, pp);
    if (!object) return std::unexpected(object.error());
    auto type_name = peekName(*object, "type", pp);
    if (!type_name) return std::unexpected(type_name.error());
    const std::string_view t = *type_name;
    if (t == "text") return readTextPart(sc, *object, pp, out);
    if (t == "image_url" && allow == Allow::TextAndImage)
      return readImagePart(sc, *object, pp, out);
    if (t == "refusal" && allow == Allow::TextAndRefusal) return {};
    if (t == "image_url" || t == "input_audio" || t == "file" || t == "refusal")
      return untranslatable(pp, "content type '" + std::string(t) + "'");
    return invalidValue(pp.member("type"), t,
                        allow == Allow::TextAndImage ? "'text' or 'image_url'" : "'text'");
  });
}

Result<void> readToolCall(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  Part part;
  part.kind = PartKind::ToolUse;
  part.input = "{}";
  bool has_function = false;
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    if (key == "id") {
      auto id = readText(sc, fv, path.member("id"));
      if (!id) return std::unexpected(id.error());
      part.id = *id;
    } else if (key == "type") {
      auto type = readName(fv, path.member("type"));
      if (!type) return std::unexpected(type.error());
      if (*type != "function")
        return untranslatable(path, "tool call type '" + std::string(*type) + "'");
    } else if (key == "function") {
      const Path fp = path.member("function");
      auto function = readObject(fv, fp);
      if (!function) return std::unexpected(function.error());
      has_function = true;
      return forEachField(*function, [&](std::string_view k, od::field& f) -> Result<void> {
        if (k == "name") {
          auto name = readText(sc, f.value(), fp.member("name"));
          if (!name) return std::unexpected(name.error());
          part.name = *name;
        } else if (k == "arguments") {
          return readArguments(sc, f.value(), part, fp.member("arguments"));
        }
        return {};
      });
    }
    return {};
  });
  if (!r) return r;
  if (!part.id.present()) return missing(path.member("id"));
  if (!has_function) return missing(path.member("function"));
  if (!part.name.present()) return missing(path.member("function").member("name"));
  ir.parts.push_back(part);
  return {};
}

// LiteLLM's thinking_blocks on an assistant message: Anthropic thinking kept with signatures.
Result<void> readThinkingBlock(const Scope& sc, od::value& v, const Path& path,
                               InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type = peekName(*object, "type", path);
  if (!type) return std::unexpected(type.error());
  Part part;
  part.kind = PartKind::Thinking;
  if (*type == "redacted_thinking") {
    part.redacted = true;
  } else if (*type != "thinking") {
    return invalidValue(path.member("type"), *type, "'thinking' or 'redacted_thinking'");
  }
  const std::string_view text_key = part.redacted ? "data" : "thinking";
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key == text_key) {
      auto text = readText(sc, field.value(), path.member(text_key));
      if (!text) return std::unexpected(text.error());
      part.text = *text;
    } else if (key == "signature") {
      auto signature = readTextOrNull(sc, field.value(), path.member("signature"));
      if (!signature) return std::unexpected(signature.error());
      part.signature = *signature;
    }
    return {};
  });
  if (!r) return r;
  if (!part.text.present()) return missing(path.member(text_key));
  if (part.redacted || !part.signature.empty()) part.signature_origin = SignatureOrigin::Anthropic;
  ir.parts.push_back(part);
  return {};
}

Result<void> readAssistant(const Scope& sc, od::object& object, const Path& path,
                           InternalRequest& ir) {
  Message message{Role::Assistant, {partsEnd(ir), 0}};
  JsonText reasoning;
  bool has_thinking_blocks = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    const Path fp = path.member(key);
    auto type = typeOf(v);
    if (!type) return std::unexpected(type.error());
    if (key == "role" || *type == od::json_type::null) return {};
    if (key == "content") {
      if (*type == od::json_type::string) {
        auto text = readText(sc, v, path.member("content"));
        if (!text) return std::unexpected(text.error());
        if (text->empty()) return {};
        Part part;
        part.text = *text;
        ir.parts.push_back(part);
        return {};
      }
      return readContent(sc, v, path.member("content"), Allow::TextAndRefusal, ir.parts);
    }
    if (key == "tool_calls") {
      auto calls = readArray(v, path.member("tool_calls"));
      if (!calls) return std::unexpected(calls.error());
      return forEachElement(*calls, [&](size_t i, od::value& call) {
        return readToolCall(sc, call, path.member("tool_calls").index(i), ir);
      });
    }
    if (key == "reasoning_content") {
      auto text = readText(sc, v, path.member("reasoning_content"));
      if (!text) return std::unexpected(text.error());
      reasoning = *text;
      return {};
    }
    if (key == "thinking_blocks") {
      auto blocks = readArray(v, path.member("thinking_blocks"));
      if (!blocks) return std::unexpected(blocks.error());
      has_thinking_blocks = true;
      return forEachElement(*blocks, [&](size_t i, od::value& block) {
        return readThinkingBlock(sc, block, path.member("thinking_blocks").index(i), ir);
      });
    }
    if (key == "function_call") return untranslatable(fp, "legacy function_call");
    return {};  // name, refusal, audio, annotations: nothing to carry
  });
  if (!r) return r;
  if (!has_thinking_blocks && !reasoning.empty()) {
    Part part;
    part.kind = PartKind::Thinking;
    part.text = reasoning;
    ir.parts.push_back(part);
  }
  message.parts.count = partsEnd(ir) - message.parts.first;
  orderAssistantParts(ir, message.parts);
  ir.messages.push_back(message);
  return {};
}

Result<void> readToolMessage(const Scope& sc, od::object& object, const Path& path,
                             InternalRequest& ir) {
  Part part;
  part.kind = PartKind::ToolResult;
  bool has_content = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    if (key == "tool_call_id") {
      auto id = readText(sc, v, path.member("tool_call_id"));
      if (!id) return std::unexpected(id.error());
      part.id = *id;
    } else if (key == "content") {
      has_content = true;
      auto type = typeOf(v);
      if (!type) return std::unexpected(type.error());
      if (*type == od::json_type::string) {
        auto text = readText(sc, v, path.member("content"));
        if (!text) return std::unexpected(text.error());
        part.text = *text;
        return {};
      }
      part.content_is_parts = true;
      part.content.first = static_cast<uint32_t>(ir.nested.size());
      auto c = readContent(sc, v, path.member("content"), Allow::Text, ir.nested);
      part.content.count = static_cast<uint32_t>(ir.nested.size()) - part.content.first;
      return c;
    }
    return {};
  });
  if (!r) return r;
  if (!part.id.present()) return missing(path.member("tool_call_id"));
  if (!has_content) return missing(path.member("content"));
  ir.messages.push_back(Message{Role::Tool, {partsEnd(ir), 1}});
  ir.parts.push_back(part);
  return {};
}

Result<void> readMessage(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto role = peekName(*object, "role", path);
  if (!role) return std::unexpected(role.error());
  const std::string_view r = *role;
  if (r == "assistant") return readAssistant(sc, *object, path, ir);
  if (r == "tool") return readToolMessage(sc, *object, path, ir);
  if (r == "function") return untranslatable(path, "legacy role 'function'");
  const bool system = r == "system" || r == "developer";
  if (!system && r != "user")
    return invalidValue(path.member("role"), r,
                        "one of 'system', 'developer', 'user', 'assistant', 'tool'");
  std::vector<Part>& out = system ? ir.system : ir.parts;
  const uint32_t first = static_cast<uint32_t>(out.size());
  bool has_content = false;
  auto c = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "content") return {};
    has_content = true;
    return readContent(sc, field.value(), path.member("content"),
                       system ? Allow::Text : Allow::TextAndImage, out);
  });
  if (!c) return c;
  if (!has_content) return missing(path.member("content"));
  if (!system) ir.messages.push_back(Message{Role::User, {first, partsEnd(ir) - first}});
  return {};
}

Result<void> readTool(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  Tool tool;
  bool has_function = false;
  const Path fp = path.member("function");
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    if (key == "type") {
      auto type = readName(fv, path.member("type"));
      if (!type) return std::unexpected(type.error());
      if (*type != "function")
        return untranslatable(path, "tool type '" + std::string(*type) + "'");
    } else if (key == "function") {
      auto function = readObject(fv, fp);
      if (!function) return std::unexpected(function.error());
      has_function = true;
      return forEachField(*function, [&](std::string_view k, od::field& f) -> Result<void> {
        od::value& value = f.value();
        if (k == "name") {
          auto name = readText(sc, value, fp.member("name"));
          if (!name) return std::unexpected(name.error());
          tool.name = *name;
        } else if (k == "description") {
          auto description = readTextOrNull(sc, value, fp.member("description"));
          if (!description) return std::unexpected(description.error());
          tool.description = *description;
        } else if (k == "parameters") {
          auto schema = readRawObject(sc, value, fp.member("parameters"));
          if (!schema) return std::unexpected(schema.error());
          tool.parameters = *schema;
        } else if (k == "strict") {
          auto strict = readBoolOrNull(value, fp.member("strict"));
          if (!strict) return std::unexpected(strict.error());
          if (*strict) tool.strict = **strict ? "true" : "false";
        }
        return {};
      });
    }
    return {};
  });
  if (!r) return r;
  if (!has_function) return missing(fp);
  if (!tool.name.present()) return missing(fp.member("name"));
  ir.tools.push_back(tool);
  return {};
}

Result<void> readToolChoice(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::string) {
    auto name = readName(v, path);
    if (!name) return std::unexpected(name.error());
    if (*name == "auto")
      ir.tool_choice = ToolChoice::Auto;
    else if (*name == "none")
      ir.tool_choice = ToolChoice::None;
    else if (*name == "required")
      ir.tool_choice = ToolChoice::Required;
    else
      return invalidValue(path, *name, "'auto', 'none', 'required' or a function object");
    return {};
  }
  auto object = readObject(v, path);
  if (!object) return wrongType(path, "a string or an object");
  auto kind = peekName(*object, "type", path);
  if (!kind) return std::unexpected(kind.error());
  if (*kind != "function")
    return untranslatable(path, "tool_choice type '" + std::string(*kind) + "'");
  const Path fp = path.member("function");
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "function") return {};
    auto function = readObject(field.value(), fp);
    if (!function) return std::unexpected(function.error());
    return forEachField(*function, [&](std::string_view k, od::field& f) -> Result<void> {
      if (k != "name") return {};
      auto name = readText(sc, f.value(), fp.member("name"));
      if (!name) return std::unexpected(name.error());
      ir.tool_choice_name = *name;
      return {};
    });
  });
  if (!r) return r;
  if (!ir.tool_choice_name.present()) return missing(fp.member("name"));
  ir.tool_choice = ToolChoice::Named;
  return {};
}

Result<void> readStop(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return {};
  if (*type == od::json_type::string) {
    auto text = readText(sc, v, path);
    if (!text) return std::unexpected(text.error());
    ir.stop.push_back(*text);
    return {};
  }
  if (*type != od::json_type::array) return wrongType(path, "a string or an array of strings");
  auto array = readArray(v, path);
  if (!array) return std::unexpected(array.error());
  return forEachElement(*array, [&](size_t i, od::value& element) -> Result<void> {
    auto text = readText(sc, element, path.index(i));
    if (!text) return std::unexpected(text.error());
    ir.stop.push_back(*text);
    return {};
  });
}

Result<void> readStreamOptions(od::value& v, const Path& path, InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return {};
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  return forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "include_usage") return {};
    auto flag = readBoolOrNull(field.value(), path.member("include_usage"));
    if (!flag) return std::unexpected(flag.error());
    ir.include_usage = *flag;
    return {};
  });
}

Result<void> readResponseFormat(const Scope& sc, od::value& v, const Path& path,
                                InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return {};
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto kind = peekName(*object, "type", path);
  if (!kind) return std::unexpected(kind.error());
  ResponseFormat& format = ir.response_format;
  if (*kind == "text")
    format.kind = ResponseFormat::Kind::Text;
  else if (*kind == "json_object")
    format.kind = ResponseFormat::Kind::JsonObject;
  else if (*kind == "json_schema")
    format.kind = ResponseFormat::Kind::JsonSchema;
  else
    return invalidValue(path.member("type"), *kind, "'text', 'json_object' or 'json_schema'");
  const Path sp = path.member("json_schema");
  return forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "json_schema") return {};
    auto schema = readObject(field.value(), sp);
    if (!schema) return std::unexpected(schema.error());
    return forEachField(*schema, [&](std::string_view k, od::field& f) -> Result<void> {
      od::value& value = f.value();
      if (k == "name") {
        auto name = readText(sc, value, sp.member("name"));
        if (!name) return std::unexpected(name.error());
        format.name = *name;
      } else if (k == "description") {
        auto description = readTextOrNull(sc, value, sp.member("description"));
        if (!description) return std::unexpected(description.error());
        format.description = *description;
      } else if (k == "schema") {
        auto raw = readRawObject(sc, value, sp.member("schema"));
        if (!raw) return std::unexpected(raw.error());
        format.schema = *raw;
      } else if (k == "strict") {
        auto strict = readBoolOrNull(value, sp.member("strict"));
        if (!strict) return std::unexpected(strict.error());
        if (*strict) format.strict = **strict ? "true" : "false";
      }
      return {};
    });
  });
}

}  // namespace

common::Result<void> readChatRequest(Scope& sc, od::object& root) {
  InternalRequest& ir = sc.ir;
  uint64_t seen = 0;
  std::optional<uint64_t> max_tokens;
  std::optional<uint64_t> max_completion_tokens;
  auto r = forEachTopField(
      root, [&](std::string_view key, const char* raw_key, od::field& field) -> Result<void> {
        auto index = knownKey(kKeys, key, seen);
        if (!index) return std::unexpected(index.error());
        od::value& v = field.value();
        const Path path = kRoot.member(*index < 0 ? std::string_view() : kKeys[*index]);
        switch (*index) {
          case kModel: {
            auto model = readText(sc, v, path);
            if (!model) return std::unexpected(model.error());
            ir.model = *model;
            return {};
          }
          case kMessages: {
            auto messages = readArray(v, path);
            if (!messages) return std::unexpected(messages.error());
            return forEachElement(*messages, [&](size_t i, od::value& message) {
              return readMessage(sc, message, path.index(i), ir);
            });
          }
          case kMaxTokens:
          case kMaxCompletionTokens: {
            auto n = readCountOrNull(v, path);
            if (!n) return std::unexpected(n.error());
            (*index == kMaxTokens ? max_tokens : max_completion_tokens) = *n;
            return {};
          }
          case kTemperature:
          case kTopP: {
            auto number = readNumberOrNull(sc, v, path);
            if (!number) return std::unexpected(number.error());
            (*index == kTemperature ? ir.temperature : ir.top_p) = *number;
            return {};
          }
          case kStop:
            return readStop(sc, v, path, ir);
          case kStream: {
            auto flag = readBoolOrNull(v, path);
            if (!flag) return std::unexpected(flag.error());
            ir.stream = flag->value_or(false);
            return {};
          }
          case kStreamOptions:
            return readStreamOptions(v, path, ir);
          case kTools: {
            auto type = typeOf(v);
            if (!type) return std::unexpected(type.error());
            if (*type == od::json_type::null) return {};
            auto tools = readArray(v, path);
            if (!tools) return std::unexpected(tools.error());
            return forEachElement(*tools, [&](size_t i, od::value& tool) {
              return readTool(sc, tool, path.index(i), ir);
            });
          }
          case kToolChoice: {
            auto type = typeOf(v);
            if (!type) return std::unexpected(type.error());
            if (*type == od::json_type::null) return {};
            return readToolChoice(sc, v, path, ir);
          }
          case kParallelToolCalls: {
            auto flag = readBoolOrNull(v, path);
            if (!flag) return std::unexpected(flag.error());
            ir.parallel_tool_calls = *flag;
            return {};
          }
          case kUser:
          case kReasoningEffort: {
            auto text = readTextOrNull(sc, v, path);
            if (!text) return std::unexpected(text.error());
            (*index == kUser ? ir.user : ir.reasoning_effort) = *text;
            return {};
          }
          case kResponseFormat:
            return readResponseFormat(sc, v, path, ir);
          default: {
            auto raw = readRawValue(sc, v);
            if (!raw) return std::unexpected(raw.error());
            ir.unknown.push_back(RawField{rawKey(sc, raw_key), *raw, true});
            return {};
          }
        }
      });
  if (!r) return r;
  if (!ir.model.present()) return missing(kRoot.member("model"));
  if (!(seen & (uint64_t{1} << kMessages))) return missing(kRoot.member("messages"));
  ir.max_output_tokens = max_completion_tokens ? max_completion_tokens : max_tokens;
  return {};
}

}  // namespace llmproxy::worker::protocol
