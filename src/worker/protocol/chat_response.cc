// Chat completion bodies: read and write.
#include "worker/protocol/chat_response.h"

#include "common/json/json_writer.h"
#include "worker/protocol/json_input.h"
#include "worker/protocol/response_ids.h"
#include "worker/protocol/stop_reason.h"
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {
namespace {

using common::appendJsonString;

std::unexpected<common::Error> badBody(std::string detail) {
  return common::fail(common::ErrorKind::UpstreamProtocol, std::move(detail));
}

// Content is a string, or (some providers) an array of {"type":"text","text":…} parts.
void readContent(od::value value, std::string& text) {
  if (std::string_view s; !value.get_string().get(s)) {
    text += s;
    return;
  }
  od::array parts;
  if (value.get_array().get(parts)) return;
  for (auto part_result : parts) {
    od::object part;
    if (part_result.get_object().get(part)) continue;
    for (auto field_result : part) {
      od::field field;
      std::string_view key;
      if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
      if (key == "text") text += stringOr(field.value());
    }
  }
}

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

void readToolCall(od::value value, std::vector<ToolCall>& calls) {
  od::object object;
  if (value.get_object().get(object)) return;
  ToolCall call;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
    if (key == "id") {
      call.id = stringOr(field.value());
    } else if (key == "function") {
      od::object function;
      if (field.value().get_object().get(function)) continue;
      for (auto f_result : function) {
        od::field f;
        std::string_view name;
        if (std::move(f_result).get(f) || f.unescaped_key().get(name)) break;
        if (name == "name") {
          call.name = stringOr(f.value());
        } else if (name == "arguments") {
          call.arguments = stringOr(f.value());
        }
      }
    }
  }
  calls.push_back(std::move(call));
}

struct Message {
  std::string text;
  std::string reasoning;
  std::vector<ToolCall> calls;
};

void readMessage(od::value value, Message& message) {
  od::object object;
  if (value.get_object().get(object)) return;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
    if (key == "content") {
      readContent(field.value(), message.text);
    } else if (key == "reasoning_content" || key == "reasoning") {
      message.reasoning += stringOr(field.value());
    } else if (key == "refusal") {
      message.text += stringOr(field.value());
    } else if (key == "tool_calls") {
      od::array calls;
      if (field.value().get_array().get(calls)) continue;
      for (auto call : calls) {
        od::value v;
        if (!call.get(v)) readToolCall(v, message.calls);
      }
    }
  }
}

// The first choice: its message and finish_reason.
bool readChoices(od::value value, Message& message, std::string& finish_reason) {
  od::array choices;
  if (value.get_array().get(choices)) return false;
  for (auto choice_result : choices) {
    od::object choice;
    if (choice_result.get_object().get(choice)) return false;
    for (auto field_result : choice) {
      od::field field;
      std::string_view key;
      if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
      if (key == "message") {
        readMessage(field.value(), message);
      } else if (key == "finish_reason") {
        finish_reason = stringOr(field.value());
      }
    }
    return true;  // n > 1 is not translated: the first choice is the answer
  }
  return false;
}

}  // namespace

common::Result<InternalResponse> parseChatCompletion(std::string_view body) {
  InternalResponse response;
  Message message;
  std::string finish_reason;
  bool has_choice = false;
  {
    JsonDoc doc(body);
    od::object root;
    if (auto e = doc.root().get(root)) {
      return badBody(std::string("chat completion is not a JSON object: ") +
                     simdjson::error_message(e));
    }
    for (auto field_result : root) {
      od::field field;
      std::string_view key;
      if (auto e = std::move(field_result).get(field)) {
        return badBody(std::string("chat completion: ") + simdjson::error_message(e));
      }
      if (field.unescaped_key().get(key)) return badBody("chat completion: bad key");
      if (key == "id") {
        response.id = stringOr(field.value());
      } else if (key == "model") {
        response.model = stringOr(field.value());
      } else if (key == "choices") {
        has_choice = readChoices(field.value(), message, finish_reason);
      } else if (key == "usage") {
        response.has_usage = readChatUsage(field.value(), response.usage);
      } else if (key == "error" && !isNull(field.value())) {
        return badBody("chat completion carries an error instead of choices");
      }
    }
  }
  if (!has_choice) return badBody("chat completion without choices");

  // Reasoning first (PROTOCOLS.md §3), then the text, then the tool calls.
  if (!message.reasoning.empty()) {
    ResponsePart& part = response.content.emplace_back();
    part.kind = ResponsePartKind::Thinking;
    part.text = std::move(message.reasoning);
  }
  if (!message.text.empty()) {
    ResponsePart& part = response.content.emplace_back();
    part.kind = ResponsePartKind::Text;
    part.text = std::move(message.text);
  }
  for (ToolCall& call : message.calls) {
    ResponsePart part;
    part.kind = ResponsePartKind::ToolUse;
    part.id = std::move(call.id);
    part.name = std::move(call.name);
    if (isJsonObject(call.arguments)) {
      appendMinified(part.input, call.arguments);
    } else {
      part.input = "{}";
      ++response.repaired_tool_inputs;
    }
    response.content.push_back(std::move(part));
  }
  response.stop = stopFromOpenAI(finish_reason);
  return response;
}

void writeChatCompletion(const InternalResponse& response, const ClientOptions& client,
                         std::string& out) {
  std::string text;
  std::string reasoning;
  size_t tool_calls = 0;
  for (const ResponsePart& part : response.content) {
    if (part.kind == ResponsePartKind::Text) text += part.text;
    if (part.kind == ResponsePartKind::Thinking) reasoning += part.text;
    if (part.kind == ResponsePartKind::ToolUse) ++tool_calls;
  }

  out += R"({"id":)";
  appendJsonString(out, chatCompletionId(response.id, client.fallback_id));
  out += R"(,"object":"chat.completion","created":)";
  out += std::to_string(client.created);
  out += R"(,"model":)";
  appendJsonString(out, client.model);
  out += R"(,"choices":[{"index":0,"message":{"role":"assistant","content":)";
  if (text.empty() && tool_calls > 0) {
    out += "null";
  } else {
    appendJsonString(out, text);
  }
  if (!reasoning.empty()) {
    out += R"(,"reasoning_content":)";
    appendJsonString(out, reasoning);
  }
  if (tool_calls > 0) {
    out += R"(,"tool_calls":[)";
    bool first = true;
    std::string arguments;
    for (const ResponsePart& part : response.content) {
      if (part.kind != ResponsePartKind::ToolUse) continue;
      if (!first) out += ',';
      first = false;
      out += R"({"id":)";
      appendJsonString(out, part.id);
      out += R"(,"type":"function","function":{"name":)";
      appendJsonString(out, part.name);
      out += R"(,"arguments":)";
      arguments.clear();
      appendMinified(arguments, part.input.empty() ? std::string_view("{}") : part.input);
      appendJsonString(out, arguments);
      out += "}}";
    }
    out += ']';
  }
  out += R"(},"logprobs":null,"finish_reason":)";
  appendJsonString(out, openAIFinishReason(response.stop));
  out += R"(}],"usage":)";
  appendChatUsage(out, response.usage);
  out += '}';
}

}  // namespace llmproxy::worker::protocol
