// The Responses `response` object of a whole answer.
#include "worker/protocol/responses_response.h"

#include "worker/protocol/item_ids.h"
#include "worker/protocol/json_input.h"
#include "worker/protocol/response_ids.h"
#include "worker/protocol/responses_json.h"
#include "worker/protocol/stop_reason.h"

namespace llmproxy::worker::protocol {

void writeResponsesResponse(const InternalResponse& response, const ClientOptions& client,
                            std::string& out) {
  const std::string id = responsesId(response.id, client.fallback_id);
  const ResponsesStatus status = responsesStatus(response.stop);
  std::string output;
  size_t index = 0;

  // Each item is written with an empty id first: that JSON is what its id carries
  // (item_ids.h), then again with the id.
  std::string item;
  std::string reasoning;
  bool has_text = false;
  for (const ResponsePart& part : response.content) {
    if (part.kind == ResponsePartKind::Thinking) reasoning += part.text;
    if (part.kind == ResponsePartKind::Text) has_text = true;
  }
  if (!reasoning.empty()) {
    item.clear();
    appendReasoningItem(item, "", reasoning);
    appendReasoningItem(output, carryingItemId("rs", item, responsesItemId("rs", id, index++)),
                        reasoning);
  }
  if (has_text) {
    if (!output.empty()) output += ',';
    const std::string_view item_status = status.status == "completed" ? "completed" : "incomplete";
    std::string parts;
    bool first = true;
    for (const ResponsePart& part : response.content) {
      if (part.kind != ResponsePartKind::Text) continue;
      if (!first) parts += ',';
      first = false;
      appendOutputTextPart(parts, part.text);
    }
    item.clear();
    appendMessageItemHead(item, "", item_status);
    item += parts;
    item += "]}";
    appendMessageItemHead(output, carryingItemId("msg", item, responsesItemId("msg", id, index++)),
                          item_status);
    output += parts;
    output += "]}";
  }
  std::string arguments;
  for (const ResponsePart& part : response.content) {
    if (part.kind != ResponsePartKind::ToolUse) continue;
    if (!output.empty()) output += ',';
    arguments.clear();
    appendMinified(arguments, part.input.empty() ? std::string_view("{}") : part.input);
    item.clear();
    appendFunctionCallItem(item, "", "completed", part.id, part.name, arguments);
    appendFunctionCallItem(output, carryingItemId("fc", item, responsesItemId("fc", id, index++)),
                           "completed", part.id, part.name, arguments);
  }

  ResponseObject object;
  object.id = id;
  object.created_at = client.created;
  object.model = client.model;
  object.status = status.status;
  object.incomplete_reason = status.incomplete_reason;
  object.output = output;
  object.usage = &response.usage;
  appendResponseObject(out, object);
}

}  // namespace llmproxy::worker::protocol
