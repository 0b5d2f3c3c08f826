// OpenAI Responses request → internal form.
#include "worker/protocol/responses_request_reader.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include "worker/protocol/item_ids.h"

namespace llmproxy::worker::protocol {

using namespace reading;

namespace {

enum Key {
  kModel,
  kInput,
  kInstructions,
  kMaxOutputTokens,
  kTemperature,
  kTopP,
  kStream,
  kTools,
  kToolChoice,
  kParallelToolCalls,
  kUser,
  kReasoning,
  kText,
  kPreviousResponseId,
  kConversation,
};
constexpr std::array<std::string_view, 15> kKeys{
    "model", "input",     "instructions", "max_output_tokens",    "temperature",
    "top_p", "stream",    "tools",        "tool_choice",          "parallel_tool_calls",
    "user",  "reasoning", "text",         "previous_response_id", "conversation"};

// Members only the Responses API knows: kept raw, never sent to a chat provider.
constexpr std::array<std::string_view, 7> kResponsesOnly{
    "background",     "include",      "max_tool_calls", "prompt",
    "stream_options", "top_logprobs", "truncation"};

bool responsesOnly(std::string_view key) {
  for (std::string_view k : kResponsesOnly)
    if (k == key) return true;
  return false;
}

// The assistant message that assistant output items join: the last message when it is the
// assistant's, else a new one.
Message& assistantTail(InternalRequest& ir) {
  if (ir.messages.empty() || ir.messages.back().role != Role::Assistant)
    ir.messages.push_back(Message{Role::Assistant, {partsEnd(ir), 0}});
  return ir.messages.back();
}

void appendToAssistant(InternalRequest& ir, const Part& part) {
  Message& message = assistantTail(ir);
  ir.parts.push_back(part);
  ++message.parts.count;
}

Result<void> readInputImage(const Scope& sc, od::object& object, const Path& path, Part& part) {
  bool has_url = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    const Path fp = path.member(key);
    if (key == "image_url") {
      auto url = readTextOrNull(sc, v, fp);
      if (!url) return std::unexpected(url.error());
      if (!url->present()) return {};
      has_url = true;
      return imageFromUrl(*url, part, fp);
    }
    if (key == "detail") return store(part.detail, readTextOrNull(sc, v, fp));
    if (key == "file_id") {
      auto id = readTextOrNull(sc, v, fp);
      if (!id) return std::unexpected(id.error());
      if (id->present()) return untranslatable(fp, "image by file_id");
    }
    return {};
  });
  if (!r) return r;
  if (!has_url) return missing(path.member("image_url"));
  return {};
}

// A message's content (string or parts), or a function_call_output's output, into `out`.
// `assistant`: output_text and refusal parts; else input_text and input_image.
Result<void> readContent(const Scope& sc, od::value& v, const Path& path, bool assistant,
                         bool allow_images, std::vector<Part>& out) {
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
  return forEachElement(*array, [&](size_t i, od::value& element) -> Result<void> {
    const Path pp = path.index(i);
    auto object = readObject(element, pp);
    if (!object) return std::unexpected(object.error());
    auto type_name = peekName(*object, "type", pp);
    if (!type_name) return std::unexpected(type_name.error());
    const std::string_view t = *type_name;
    Part part;
    if (t == "input_text" || t == "output_text") {
      auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
        if (key != "text") return {};
        return store(part.text, readText(sc, field.value(), pp.member(key)));
      });
      if (!r) return r;
      if (!part.text.present()) return missing(pp.member("text"));
    } else if (t == "refusal" && assistant) {
      return {};
    } else if (t == "input_image" && allow_images && !assistant) {
      if (auto r = readInputImage(sc, *object, pp, part); !r) return r;
    } else if (t == "input_image" || t == "input_file" || t == "input_audio") {
      return untranslatable(pp, "content type '" + std::string(t) + "'");
    } else {
      return invalidValue(
          pp.member("type"), t,
          assistant ? "'output_text' or 'refusal'" : "'input_text' or 'input_image'");
    }
    out.push_back(part);
    return {};
  });
}

Result<void> readMessageItem(const Scope& sc, od::object& object, const Path& path,
                             InternalRequest& ir) {
  auto role_name = peekName(object, "role", path);
  if (!role_name) return std::unexpected(role_name.error());
  const std::string_view role = *role_name;
  const bool system = role == "system" || role == "developer";
  const bool assistant = role == "assistant";
  if (!system && !assistant && role != "user")
    return invalidValue(path.member("role"), role,
                        "one of 'user', 'assistant', 'system', 'developer'");
  if (assistant) assistantTail(ir);
  const uint32_t first = partsEnd(ir);
  bool has_content = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "content") return {};
    has_content = true;
    return readContent(sc, field.value(), path.member("content"), assistant, !system,
                       system ? ir.system : ir.parts);
  });
  if (!r) return r;
  if (!has_content) return missing(path.member("content"));
  if (assistant)
    ir.messages.back().parts.count += partsEnd(ir) - first;
  else if (!system)
    ir.messages.push_back(Message{Role::User, {first, partsEnd(ir) - first}});
  return {};
}

Result<void> readFunctionCall(const Scope& sc, od::object& object, const Path& path,
                              InternalRequest& ir) {
  Part part;
  part.kind = PartKind::ToolUse;
  part.input = "{}";
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    const Path fp = path.member(key);
    if (key == "call_id") return store(part.id, readText(sc, v, fp));
    if (key == "name") return store(part.name, readText(sc, v, fp));
    if (key == "arguments") return readArguments(sc, v, part, fp);
    return {};
  });
  if (!r) return r;
  if (!part.id.present()) return missing(path.member("call_id"));
  if (!part.name.present()) return missing(path.member("name"));
  appendToAssistant(ir, part);
  return {};
}

Result<void> readFunctionCallOutput(const Scope& sc, od::object& object, const Path& path,
                                    InternalRequest& ir) {
  Part part;
  part.kind = PartKind::ToolResult;
  bool has_output = false;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    const Path fp = path.member(key);
    if (key == "call_id") return store(part.id, readText(sc, v, fp));
    if (key != "output") return {};
    has_output = true;
    auto type = typeOf(v);
    if (!type) return std::unexpected(type.error());
    if (*type == od::json_type::string) return store(part.text, readText(sc, v, fp));
    part.content_is_parts = true;
    part.content.first = static_cast<uint32_t>(ir.nested.size());
    auto c = readContent(sc, v, fp, false, true, ir.nested);
    part.content.count = static_cast<uint32_t>(ir.nested.size()) - part.content.first;
    return c;
  });
  if (!r) return r;
  if (!part.id.present()) return missing(path.member("call_id"));
  if (!has_output) return missing(path.member("output"));
  ir.messages.push_back(Message{Role::Tool, {partsEnd(ir), 1}});
  ir.parts.push_back(part);
  return {};
}

// The texts of a reasoning item's summary or content array (elements {type, text}).
Result<void> readReasoningTexts(const Scope& sc, od::value& v, const Path& path,
                                std::vector<JsonText>& out) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::null) return {};
  auto array = readArray(v, path);
  if (!array) return std::unexpected(array.error());
  return forEachElement(*array, [&](size_t i, od::value& element) -> Result<void> {
    const Path pp = path.index(i);
    auto object = readObject(element, pp);
    if (!object) return std::unexpected(object.error());
    JsonText text;
    auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
      if (key != "text") return {};
      return store(text, readText(sc, field.value(), pp.member(key)));
    });
    if (!r) return r;
    if (!text.present()) return missing(pp.member("text"));
    out.push_back(text);
    return {};
  });
}

Result<void> readReasoningItem(const Scope& sc, od::object& object, const Path& path,
                               InternalRequest& ir) {
  std::vector<JsonText> summary;
  std::vector<JsonText> content;
  JsonText encrypted;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& v = field.value();
    const Path fp = path.member(key);
    if (key == "summary") return readReasoningTexts(sc, v, fp, summary);
    if (key == "content") return readReasoningTexts(sc, v, fp, content);
    if (key == "encrypted_content") return store(encrypted, readTextOrNull(sc, v, fp));
    return {};
  });
  if (!r) return r;
  const std::vector<JsonText>& texts = summary.empty() ? content : summary;
  Part part;
  part.kind = PartKind::Thinking;
  part.signature = encrypted;
  if (!encrypted.empty()) part.signature_origin = SignatureOrigin::OpenAI;
  if (texts.empty()) {
    part.text = JsonText::plain("");
    appendToAssistant(ir, part);
    return {};
  }
  for (const JsonText& text : texts) {
    part.text = text;
    appendToAssistant(ir, part);
    part.signature = {};  // the first part carries it
    part.signature_origin = SignatureOrigin::None;
  }
  return {};
}

// What an input item is to the turn it belongs to (item_reference bookkeeping in readInput).
enum class ItemSide : uint8_t { Assistant, Call, Other };

// An item_reference whose id carries no item: a reasoning item's (left out), or another.
enum class Unresolved : uint8_t { No, Reasoning, Other };

Result<void> readItem(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir,
                      ItemSide& side);

// A reference to an earlier output item. An id the gateway wrote for a whole answer carries
// the item, and an item the gateway streamed on this node is in the node's store (item_ids.h):
// either is read in the reference's place. `unresolved` is set when neither has it (a streamed
// item of another node, evicted or expired, or the store is off): readInput decides.
Result<void> readItemReference(const Scope& sc, od::object& object, const Path& path,
                               InternalRequest& ir, ItemSide& side, Unresolved& unresolved) {
  JsonText id;
  auto r = forEachField(object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "id") return {};
    return store(id, readText(sc, field.value(), path.member(key)));
  });
  if (!r) return r;
  if (!id.present()) return missing(path.member("id"));
  auto item = sc.items ? referencedItem(id.unescaped()) : std::nullopt;
  if (!item) {
    unresolved = id.s.starts_with("rs_") ? Unresolved::Reasoning : Unresolved::Other;
    return {};
  }
  // Owned with simdjson's padding; the views of the internal form point into it.
  auto block = std::make_unique_for_overwrite<char[]>(item->size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(block.get(), item->data(), item->size());
  std::memset(block.get() + item->size(), 0, simdjson::SIMDJSON_PADDING);
  const char* bytes = block.get();
  ir.owned.push_back(std::move(block));
  od::document doc;
  if (auto e = sc.items->iterate(bytes, item->size(), item->size() + simdjson::SIMDJSON_PADDING)
                   .get(doc))
    return invalidJson(e);
  od::value value;
  if (auto e = doc.get_value().get(value)) return invalidJson(e);
  const Scope inner{ir, bytes, bytes, nullptr};
  return readItem(inner, value, path, ir, side);
}

Result<void> readItem(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir,
                      ItemSide& side, Unresolved& unresolved) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type_name = peekName(*object, "type", path, false);
  if (!type_name) return std::unexpected(type_name.error());
  const std::string_view type = *type_name;
  side = ItemSide::Assistant;
  if (type.empty() || type == "message") {
    auto role = peekName(*object, "role", path);
    if (role && *role != "assistant") side = ItemSide::Other;
    return readMessageItem(sc, *object, path, ir);
  }
  if (type == "function_call") {
    side = ItemSide::Call;
    return readFunctionCall(sc, *object, path, ir);
  }
  if (type == "function_call_output") {
    side = ItemSide::Other;
    return readFunctionCallOutput(sc, *object, path, ir);
  }
  if (type == "reasoning") return readReasoningItem(sc, *object, path, ir);
  if (type == "item_reference") return readItemReference(sc, *object, path, ir, side, unresolved);
  return untranslatable(path, "input item type '" + std::string(type) + "'");
}

Result<void> readItem(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir,
                      ItemSide& side) {
  Unresolved unresolved = Unresolved::No;
  auto r = readItem(sc, v, path, ir, side, unresolved);
  if (r && unresolved != Unresolved::No)
    return untranslatable(path, "an item_reference inside a referenced item");
  return r;
}

std::unexpected<common::Error> unresolvedReference(const Path& path) {
  return badRequest(std::string(kUnresolvedReference), path);
}

// The input items in order. A reference the gateway cannot resolve is left out when it is a
// reasoning item's (a provider of another API cannot use another's reasoning anyway) or when
// the assistant turn it belongs to goes on with a function call (what the AI SDK sends for the
// text before a tool call: the call and its output come in full, only that text is lost);
// any other is refused with 400.
Result<void> readInputItems(const Scope& sc, od::array& array, const Path& path,
                            InternalRequest& ir) {
  constexpr size_t kNone = SIZE_MAX;
  size_t pending = kNone;  // the index of an unresolved reference in the current turn
  auto r = forEachElement(array, [&](size_t i, od::value& item) -> Result<void> {
    ItemSide side = ItemSide::Assistant;
    Unresolved unresolved = Unresolved::No;
    const Path ip = path.index(i);
    if (auto read = readItem(sc, item, ip, ir, side, unresolved); !read) return read;
    if (unresolved == Unresolved::Reasoning) return {};
    if (unresolved == Unresolved::Other) {
      if (pending == kNone) pending = i;
      return {};
    }
    if (side == ItemSide::Call) pending = kNone;
    if (side == ItemSide::Other && pending != kNone)
      return unresolvedReference(path.index(pending));
    return {};
  });
  if (!r) return r;
  if (pending != kNone) return unresolvedReference(path.index(pending));
  return {};
}

Result<void> readInput(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto type = typeOf(v);
  if (!type) return std::unexpected(type.error());
  if (*type == od::json_type::string) {
    Part part;
    if (auto r = store(part.text, readText(sc, v, path)); !r) return r;
    ir.messages.push_back(Message{Role::User, {partsEnd(ir), 1}});
    ir.parts.push_back(part);
    return {};
  }
  auto array = readArray(v, path);
  if (!array) return wrongType(path, "a string or an array");
  return readInputItems(sc, *array, path, ir);
}

Result<void> readTool(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  auto type = peekName(*object, "type", path);
  if (!type) return std::unexpected(type.error());
  if (*type != "function") return untranslatable(path, "tool type '" + std::string(*type) + "'");
  Tool tool;
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    const Path fp = path.member(key);
    if (key == "name") return store(tool.name, readText(sc, fv, fp));
    if (key == "description") return store(tool.description, readTextOrNull(sc, fv, fp));
    if (key == "parameters") {
      auto t = typeOf(fv);
      if (!t) return std::unexpected(t.error());
      if (*t == od::json_type::null) return {};
      return store(tool.parameters, readRawObject(sc, fv, fp));
    }
    if (key == "strict") {
      auto strict = readBoolOrNull(fv, fp);
      if (!strict) return std::unexpected(strict.error());
      if (*strict) tool.strict = **strict ? "true" : "false";
    }
    return {};
  });
  if (!r) return r;
  if (!tool.name.present()) return missing(path.member("name"));
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
  auto r = forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "name") return {};
    return store(ir.tool_choice_name, readText(sc, field.value(), path.member(key)));
  });
  if (!r) return r;
  if (!ir.tool_choice_name.present()) return missing(path.member("name"));
  ir.tool_choice = ToolChoice::Named;
  return {};
}

Result<void> readReasoning(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  return forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    if (key != "effort") return {};  // summary, generate_summary: chat has no place for them
    return store(ir.reasoning_effort, readTextOrNull(sc, field.value(), path.member(key)));
  });
}

Result<void> readFormat(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
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
  return forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    const Path fp = path.member(key);
    if (key == "name") return store(format.name, readText(sc, fv, fp));
    if (key == "description") return store(format.description, readTextOrNull(sc, fv, fp));
    if (key == "schema") return store(format.schema, readRawObject(sc, fv, fp));
    if (key == "strict") {
      auto strict = readBoolOrNull(fv, fp);
      if (!strict) return std::unexpected(strict.error());
      if (*strict) format.strict = **strict ? "true" : "false";
    }
    return {};
  });
}

Result<void> readTextOptions(const Scope& sc, od::value& v, const Path& path, InternalRequest& ir) {
  auto object = readObject(v, path);
  if (!object) return std::unexpected(object.error());
  return forEachField(*object, [&](std::string_view key, od::field& field) -> Result<void> {
    od::value& fv = field.value();
    const Path fp = path.member(key);
    auto type = typeOf(fv);
    if (!type) return std::unexpected(type.error());
    if (*type == od::json_type::null) return {};
    if (key == "format") return readFormat(sc, fv, fp, ir);
    if (key == "verbosity") return store(ir.verbosity, readText(sc, fv, fp));
    return {};
  });
}

}  // namespace

common::Result<void> readResponsesRequest(Scope& sc, od::object& root) {
  InternalRequest& ir = sc.ir;
  uint64_t seen = 0;
  JsonText instructions;
  auto r = forEachTopField(
      root, [&](std::string_view key, const char* raw_key, od::field& field) -> Result<void> {
        auto index = knownKey(kKeys, key, seen);
        if (!index) return std::unexpected(index.error());
        od::value& v = field.value();
        const Path path = kRoot.member(*index < 0 ? std::string_view() : kKeys[*index]);
        if (*index >= 0 && *index != kModel && *index != kInput) {
          auto type = typeOf(v);
          if (!type) return std::unexpected(type.error());
          if (*type == od::json_type::null) return {};  // null: as if absent
        }
        switch (*index) {
          case kModel:
            return store(ir.model, readText(sc, v, path));
          case kInput:
            return readInput(sc, v, path, ir);
          case kInstructions:
            return store(instructions, readText(sc, v, path));
          case kMaxOutputTokens:
            return store(ir.max_output_tokens, readCountOrNull(v, path));
          case kTemperature:
            return store(ir.temperature, readNumberOrNull(sc, v, path));
          case kTopP:
            return store(ir.top_p, readNumberOrNull(sc, v, path));
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
          case kParallelToolCalls:
            return store(ir.parallel_tool_calls, readBoolOrNull(v, path));
          case kUser:
            return store(ir.user, readText(sc, v, path));
          case kReasoning:
            return readReasoning(sc, v, path, ir);
          case kText:
            return readTextOptions(sc, v, path, ir);
          case kPreviousResponseId:
          case kConversation:
            return badRequest("'" + std::string(kKeys[*index]) +
                                  "' needs a provider that speaks the Responses API and keeps its "
                                  "state; this model is served through another API",
                              path);
          default: {
            auto raw = readRawValue(sc, v);
            if (!raw) return std::unexpected(raw.error());
            ir.unknown.push_back(RawField{rawKey(sc, raw_key), *raw, !responsesOnly(key)});
            return {};
          }
        }
      });
  if (!r) return r;
  if (!ir.model.present()) return missing(kRoot.member("model"));
  if (!(seen & (uint64_t{1} << kInput))) return missing(kRoot.member("input"));
  if (instructions.present()) {
    // Instructions come first. Rotated into place rather than inserted at begin(): g++ 12 at
    // -O3 reports a potential null dereference inside vector::insert's reallocation here.
    ir.system.emplace_back().text = instructions;
    std::rotate(ir.system.begin(), ir.system.end() - 1, ir.system.end());
  }
  return {};
}

}  // namespace llmproxy::worker::protocol
