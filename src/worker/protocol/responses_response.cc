// The Responses `response` object of a whole answer.
#include "worker/protocol/responses_response.h"

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

  std::string reasoning;
  bool has_text = false;
  for (const ResponsePart& part : response.content) {
    if (part.kind == ResponsePartKind::Thinking) reasoning += part.text;
    if (part.kind == ResponsePartKind::Text) has_text = true;
  }
  if (!reasoning.empty()) {
    appendReasoningItem(output, responsesItemId("rs", id, index++), reasoning);
  }
  if (has_text) {
    if (!output.empty()) output += ',';
    appendMessageItemHead(output, responsesItemId("msg", id, index++),
                          status.status == "completed" ? "completed" : "incomplete");
    bool first = true;
    for (const ResponsePart& part : response.content) {
      if (part.kind != ResponsePartKind::Text) continue;
      if (!first) output += ',';
      first = false;
      appendOutputTextPart(output, part.text);
    }
    output += "]}";
  }
  std::string arguments;
  for (const ResponsePart& part : response.content) {
    if (part.kind != ResponsePartKind::ToolUse) continue;
    if (!output.empty()) output += ',';
    arguments.clear();
    appendMinified(arguments, part.input.empty() ? std::string_view("{}") : part.input);
    appendFunctionCallItem(output, responsesItemId("fc", id, index++), "completed", part.id,
                           part.name, arguments);
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
