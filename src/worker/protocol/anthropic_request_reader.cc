// Anthropic Messages request → internal form.
#include "worker/protocol/anthropic_request_reader.h"

#include <array>

namespace llmproxy::worker::protocol {

using namespace reading;

namespace {

enum Key {
  kModel,
  kMessages,
  kSystem,
  kMaxTokens,
  kTemperature,
  kTopP,
  kTopK,
  kStopSequences,
  kStream,
  kTools,
  kToolChoice,
  kMetadata,
  kThinking,
};
constexpr std::array<std::string_view, 13> kKeys{
    "model",          "messages", "system", "max_tokens",  "temperature", "top_p",   "top_k",
    "stop_sequences", "stream",   "tools",  "tool_choice", "metadata",    "thinking"};

// Where a block appears: what it may be.
enum class Context : uint8_t { System, User, Assistant, ToolResult };

Result<void> readCacheControl(const Scope& sc, od::value& v, const Path& path, Part& part) {
  return store(part.cache_control, readRawObject(sc, v, path.member("cache_control")));
}

Result<void> readImageSource(const Scope& sc, od::value& v, const Path& path, Part& part) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type = peekName(*object, "type", path);
  if (!type) return std::unexpected(type.error());
  if (*type == "url") {
    part.image_url = true;
  } else if (*type != "base64") {
    if (*type == "file") return untranslatable(path, "image source 'file'");
    return invalidValue(path.member("type"), *type, "'base64' or 'url'");
  }
  const std::string_view data_key = part.image_url ? "url" : "data";
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key == data_key) return store(part.text, readText(sc, field.value(), path.member(key)));
    if (key == "media_type" && !part.image_url)
      return store(part.media_type, readText(sc, field.value(), path.member(key)));
    return {};
  });
  if (!r) return r;
  if (!part.text.present()) return missing(path.member(data_key));
  if (!part.image_url && !part.media_type.present()) return missing(path.member("media_type"));
  return {};
}

Result<void> readBlock(const Scope& sc, od::value& v, const Path& path, Context context,
                       std::vector<Part>& out, InternalRequest& ir);

// A tool_result's content: a string, or text and image blocks (into ir.nested).
Result<void> readToolResultContent(const Scope& sc, od::value& v, const Path& path, Part& part,
                                   InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::string) return store(part.text, readText(sc, v, path));
  auto array = readArray(v, path);
  if (!array) return wrongType(path, "a string or an array");
  // NOTE: a tool_result's blocks are contiguous in ir.nested: they cannot hold a tool_result,
  // so reading them appends nothing else there.
  part.content_is_parts = true;
  part.content.first = static_cast<uint32_t>(ir.nested.size());
  auto r = forEachElement(*array, [&](size_t i, od::value& element) {
    return readBlock(sc, element, path.index(i), Context::ToolResult, ir.nested, ir);
  });
  if (!r) return r;
  part.content.count = static_cast<uint32_t>(ir.nested.size()) - part.content.first;
  return {};
}

Result<void> readBlock(const Scope& sc, od::value& v, const Path& path, Context context,
                       std::vector<Part>& out, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type_name = peekName(*object, "type", path);
  if (!type_name) return std::unexpected(type_name.error());
  const std::string_view type = *type_name;

  Part part;
  std::string_view allowed;
  switch (context) {
    case Context::System:
      allowed = "'text'";
      break;
    case Context::User:
      allowed = "'text', 'image' or 'tool_result'";
      break;
    case Context::Assistant:
      allowed = "'text', 'tool_use', 'thinking' or 'redacted_thinking'";
      break;
    case Context::ToolResult:
      allowed = "'text' or 'image'";
      break;
  }
  const bool user_like = context == Context::User || context == Context::ToolResult;
  if (type == "text") {
    part.kind = PartKind::Text;
  } else if (type == "image" && user_like) {
    part.kind = PartKind::Image;
  } else if (type == "tool_result" && context == Context::User) {
    part.kind = PartKind::ToolResult;
  } else if (type == "tool_use" && context == Context::Assistant) {
    part.kind = PartKind::ToolUse;
  } else if ((type == "thinking" || type == "redacted_thinking") && context == Context::Assistant) {
    part.kind = PartKind::Thinking;
    part.redacted = type == "redacted_thinking";
  } else if (type == "document" || type == "search_result" || type == "server_tool_use" ||
             type == "web_search_tool_result" || type == "container_upload" ||
             type == "mcp_tool_use" || type == "mcp_tool_result" ||
             type == "web_fetch_tool_result" || type == "code_execution_tool_result") {
    return untranslatable(path, "content block type '" + std::string(type) + "'");
  } else {
    return invalidValue(path.member("type"), type, allowed);
  }

  bool has_input = false;
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    const Path fp = path.member(key);
    if (key == "type") return {};
    if (key == "cache_control") return readCacheControl(sc, fv, path, part);
    switch (part.kind) {
      case PartKind::Text:
        if (key == "text") return store(part.text, readText(sc, fv, fp));
        break;
      case PartKind::Image:
        if (key == "source") return readImageSource(sc, fv, fp, part);
        break;
      case PartKind::ToolUse:
        if (key == "id" || key == "name")
          return store(key == "id" ? part.id : part.name, readText(sc, fv, fp));
        if (key == "input") {
          has_input = true;
          return store(part.input, readRawObject(sc, fv, fp));
        }
        break;
      case PartKind::ToolResult:
        if (key == "tool_use_id") return store(part.id, readText(sc, fv, fp));
        if (key == "content") return readToolResultContent(sc, fv, fp, part, ir);
        if (key == "is_error") {
          auto flag = readBoolOrNull(fv, fp);
          if (!flag) return std::unexpected(flag.error());
          part.is_error = flag->value_or(false);
        }
        break;
      case PartKind::Thinking:
        if (key == (part.redacted ? "data" : "thinking"))
          return store(part.text, readText(sc, fv, fp));
        if (key == "signature") return store(part.signature, readTextOrNull(sc, fv, fp));
        break;
    }
    return {};
  });
  if (!r) return r;

  switch (part.kind) {
    case PartKind::Text:
      if (!part.text.present()) return missing(path.member("text"));
      break;
    case PartKind::Image:
      if (!part.text.present()) return missing(path.member("source"));
      break;
    case PartKind::ToolUse:
      if (!part.id.present()) return missing(path.member("id"));
      if (!part.name.present()) return missing(path.member("name"));
      if (!has_input) return missing(path.member("input"));
      break;
    case PartKind::ToolResult:
      if (!part.id.present()) return missing(path.member("tool_use_id"));
      break;
    case PartKind::Thinking:
      if (!part.text.present()) return missing(path.member(part.redacted ? "data" : "thinking"));
      if (part.redacted || !part.signature.empty())
        part.signature_origin = SignatureOrigin::Anthropic;
      break;
  }
  out.push_back(part);
  return {};
}

// A string (one text block) or an array of blocks.
Result<void> readBlocks(const Scope& sc, od::value& v, const Path& path, Context context,
                        std::vector<Part>& out, InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::string) {
    Part part;
    if (auto r = store(part.text, readText(sc, v, path)); !r) return r;
    out.push_back(part);
    return {};
  }
  auto array = readArray(v, path);
  if (!array) return wrongType(path, "a string or an array");
  return forEachElement(*array, [&](size_t i, od::value& element) {
    return readBlock(sc, element, path.index(i), context, out, ir);
  });
}

Result<void> readMessage(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto role_name = peekName(*object, "role", path);
  if (!role_name) return std::unexpected(role_name.error());
  Role role;
  if (*role_name == "user")
    role = Role::User;
  else if (*role_name == "assistant")
    role = Role::Assistant;
  else
    return invalidValue(path.member("role"), *role_name, "'user' or 'assistant'");
  const uint32_t first = partsEnd(ir);
  bool has_content = false;
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "content") return {};
    has_content = true;
    return readBlocks(sc, field.value(), path.member("content"),
                      role == Role::User ? Context::User : Context::Assistant, ir.parts, ir);
  });
  if (!r) return r;
  if (!has_content) return missing(path.member("content"));
  ir.messages.push_back(Message{role, {first, partsEnd(ir) - first}});
  return {};
}

Result<void> readTool(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  Tool tool;
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    const Path fp = path.member(key);
    if (key == "type") {
      auto type = readTextOrNull(sc, fv, fp);
      if (!type) return std::unexpected(type.error());
      if (type->present() && !type->equals("custom"))
        return untranslatable(path, "tool type '" + type->unescaped() + "'");
    } else if (key == "name") {
      return store(tool.name, readText(sc, fv, fp));
    } else if (key == "description") {
      return store(tool.description, readTextOrNull(sc, fv, fp));
    } else if (key == "input_schema") {
      return store(tool.parameters, readRawObject(sc, fv, fp));
    } else if (key == "cache_control") {
      return store(tool.cache_control, readRawObject(sc, fv, fp));
    }
    return {};
  });
  if (!r) return r;
  if (!tool.name.present()) return missing(path.member("name"));
  ir.tools.push_back(tool);
  return {};
}

Result<void> readToolChoice(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type = peekName(*object, "type", path);
  if (!type) return std::unexpected(type.error());
  if (*type == "auto")
    ir.tool_choice = ToolChoice::Auto;
  else if (*type == "any")
    ir.tool_choice = ToolChoice::Required;
  else if (*type == "none")
    ir.tool_choice = ToolChoice::None;
  else if (*type == "tool")
    ir.tool_choice = ToolChoice::Named;
  else
    return invalidValue(path.member("type"), *type, "'auto', 'any', 'tool' or 'none'");
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    const Path fp = path.member(key);
    if (key == "name" && ir.tool_choice == ToolChoice::Named)
      return store(ir.tool_choice_name, readText(sc, field.value(), fp));
    if (key == "disable_parallel_tool_use") {
      auto flag = readBoolOrNull(field.value(), fp);
      if (!flag) return std::unexpected(flag.error());
      if (*flag) ir.parallel_tool_calls = !**flag;
    }
    return {};
  });
  if (!r) return r;
  if (ir.tool_choice == ToolChoice::Named && !ir.tool_choice_name.present())
    return missing(path.member("name"));
  return {};
}

Result<void> readThinking(od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type = peekName(*object, "type", path);
  if (!type) return std::unexpected(type.error());
  const bool enabled = *type == "enabled";
  if (*type == "disabled")
    ir.thinking_disabled = true;
  else if (!enabled && *type != "adaptive")
    return invalidValue(path.member("type"), *type, "'enabled', 'disabled' or 'adaptive'");
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "budget_tokens" || !enabled) return {};
    return store(ir.thinking_budget, readCountOrNull(field.value(), path.member(key)));
  });
  if (!r) return r;
  if (enabled && !ir.thinking_budget) return missing(path.member("budget_tokens"));
  return {};
}

Result<void> readMetadata(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  return forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "user_id") return {};
    return store(ir.user, readTextOrNull(sc, field.value(), path.member(key)));
  });
}

Result<void> readStopSequences(const Scope& sc, od::value& v, const Path& path,
                               InternalRequest& ir) {
  auto array = readArray(v, path);
  if (!array) return wrongType(path, "an array of strings");
  return forEachElement(*array, [&](size_t i, od::value& element) -> Result<void> {
    auto text = readText(sc, element, path.index(i));
    if (!text) return std::unexpected(text.error());
    ir.stop.push_back(*text);
    return {};
  });
}

}  // namespace

common::Result<void> readAnthropicRequest(Scope& sc, od::object& root) {
  InternalRequest& ir = sc.ir;
  uint64_t seen = 0;
  auto r = forEachTopField(
      root, [&](std::string_view key, const char* raw_key, od::field& field) -> Result<void> {
        auto index = knownKey(kKeys, key, seen);
        if (!index) return std::unexpected(index.error());
        od::value& v = field.value();
        const Path path = kRoot.member(*index < 0 ? std::string_view() : kKeys[*index]);
        if (*index >= 0 && *index != kModel && *index != kMessages) {
          auto type = typeOf(v);
          if (!type) return std::unexpected(type.error());
          if (*type == od::json_type::null) return {};  // null: as if absent
        }
        switch (*index) {
          case kModel:
            return store(ir.model, readText(sc, v, path));
          case kMessages: {
            auto messages = readArray(v, path);
            if (!messages) return std::unexpected(messages.error());
            return forEachElement(*messages, [&](size_t i, od::value& message) {
              return readMessage(sc, message, path.index(i), ir);
            });
          }
          case kSystem:
            return readBlocks(sc, v, path, Context::System, ir.system, ir);
          case kMaxTokens:
            return store(ir.max_output_tokens, readCountOrNull(v, path));
          case kTemperature:
            return store(ir.temperature, readNumberOrNull(sc, v, path));
          case kTopP:
            return store(ir.top_p, readNumberOrNull(sc, v, path));
          case kTopK:
            return store(ir.top_k, readNumberOrNull(sc, v, path));
          case kStopSequences:
            return readStopSequences(sc, v, path, ir);
          case kStream: {
            auto flag = readBoolOrNull(v, path);
            if (!flag) return std::unexpected(flag.error());
            ir.stream = flag->value_or(false);
            return {};
          }
          case kTools: {
            auto tools = readArray(v, path);
            if (!tools) return std::unexpected(tools.error());
            return forEachElement(*tools, [&](size_t i, od::value& tool) {
              return readTool(sc, tool, path.index(i), ir);
            });
          }
          case kToolChoice:
            return readToolChoice(sc, v, path, ir);
          case kMetadata:
            return readMetadata(sc, v, path, ir);
          case kThinking:
            return readThinking(v, path, ir);
          default: {
            auto raw = readRawValue(sc, v);
            if (!raw) return std::unexpected(raw.error());
            ir.unknown.push_back(RawField{rawKey(sc, raw_key), *raw, false});
            return {};
          }
        }
      });
  if (!r) return r;
  if (!ir.model.present()) return missing(kRoot.member("model"));
  if (!(seen & (uint64_t{1} << kMessages))) return missing(kRoot.member("messages"));
  return {};
}

}  // namespace llmproxy::worker::protocol
