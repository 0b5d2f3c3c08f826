// Anthropic message bodies: read and write.
#include "worker/protocol/anthropic_response.h"

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

void readBlock(od::value value, InternalResponse& response) {
  od::object object;
  if (value.get_object().get(object)) return;
  std::string_view type;
  ResponsePart part;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return;
    if (key == "type") {
      type = stringOr(field.value());
    } else if (key == "text" || key == "thinking") {
      part.text = stringOr(field.value());
    } else if (key == "signature") {
      part.signature = stringOr(field.value());
    } else if (key == "id") {
      part.id = stringOr(field.value());
    } else if (key == "name") {
      part.name = stringOr(field.value());
    } else if (key == "input") {
      part.input = rawObject(field.value());
    }
  }
  if (type == "text") {
    part.kind = ResponsePartKind::Text;
  } else if (type == "thinking") {
    part.kind = ResponsePartKind::Thinking;
  } else if (type == "tool_use") {
    part.kind = ResponsePartKind::ToolUse;
    // On-demand skipped the input unchecked: the internal form promises a valid object.
    if (!isJsonObject(part.input)) {
      if (!part.input.empty()) ++response.repaired_tool_inputs;
      part.input = "{}";
    }
  } else {
    return;
  }
  response.content.push_back(std::move(part));
}

}  // namespace

common::Result<InternalResponse> parseAnthropicMessage(std::string_view body) {
  InternalResponse response;
  std::string stop_reason;
  JsonDoc doc(body);
  od::object root;
  if (auto e = doc.root().get(root)) {
    return badBody(std::string("message is not a JSON object: ") + simdjson::error_message(e));
  }
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (auto e = std::move(field_result).get(field)) {
      return badBody(std::string("message: ") + simdjson::error_message(e));
    }
    if (field.unescaped_key().get(key)) return badBody("message: bad key");
    if (key == "id") {
      response.id = stringOr(field.value());
    } else if (key == "type") {
      if (stringOr(field.value()) == "error") return badBody("message is an error body");
    } else if (key == "model") {
      response.model = stringOr(field.value());
    } else if (key == "content") {
      od::array blocks;
      if (field.value().get_array().get(blocks)) return badBody("message content is not an array");
      for (auto block : blocks) {
        od::value v;
        if (!block.get(v)) readBlock(v, response);
      }
    } else if (key == "stop_reason") {
      stop_reason = stringOr(field.value());
    } else if (key == "stop_sequence") {
      response.stop_sequence = stringOr(field.value());
    } else if (key == "usage") {
      response.has_usage = readAnthropicUsage(field.value(), response.usage);
    }
  }
  response.stop = stopFromAnthropic(stop_reason);
  if (response.stop != StopReason::StopSequence) response.stop_sequence.clear();
  return response;
}

void writeAnthropicMessage(const InternalResponse& response, const ClientOptions& client,
                           std::string& out) {
  const std::string id = anthropicMessageId(response.id, client.fallback_id);
  out += R"({"id":)";
  appendJsonString(out, id);
  out += R"(,"type":"message","role":"assistant","model":)";
  appendJsonString(out, client.model);
  out += R"(,"content":[)";
  size_t tool_index = 0;
  bool first = true;
  for (const ResponsePart& part : response.content) {
    if (!first) out += ',';
    first = false;
    switch (part.kind) {
      case ResponsePartKind::Text:
        out += R"({"type":"text","text":)";
        appendJsonString(out, part.text);
        break;
      case ResponsePartKind::Thinking:
        out += R"({"type":"thinking","thinking":)";
        appendJsonString(out, part.text);
        out += R"(,"signature":)";
        appendJsonString(out, part.signature);
        break;
      case ResponsePartKind::ToolUse:
        out += R"({"type":"tool_use","id":)";
        if (part.id.empty()) {
          appendJsonString(out, "toolu_" + id.substr(4) + "_" + std::to_string(tool_index));
        } else {
          appendJsonString(out, part.id);
        }
        out += R"(,"name":)";
        appendJsonString(out, part.name);
        out += R"(,"input":)";
        out += part.input.empty() ? std::string_view("{}") : std::string_view(part.input);
        ++tool_index;
        break;
    }
    out += '}';
  }
  out += R"(],"stop_reason":)";
  appendJsonString(out, anthropicStopReason(response.stop));
  out += R"(,"stop_sequence":)";
  if (response.stop == StopReason::StopSequence && !response.stop_sequence.empty()) {
    appendJsonString(out, response.stop_sequence);
  } else {
    out += "null";
  }
  out += R"(,"usage":)";
  appendAnthropicUsage(out, response.usage);
  out += '}';
}

}  // namespace llmproxy::worker::protocol
