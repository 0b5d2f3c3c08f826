// Stream grammar checkers, with simdjson's DOM for the event payloads.
#include "support/stream_grammar.h"

#include <simdjson.h>

#include <optional>

namespace llmproxy::testing {
namespace {

namespace dom = simdjson::dom;

// Field readers that tolerate absence: "" / 0 / nullopt.
std::optional<dom::element> member(dom::element e, std::string_view key) {
  dom::element out;
  if (e[key].get(out)) return std::nullopt;
  return out;
}

std::string str(dom::element e, std::string_view key) {
  std::string_view s;
  if (e[key].get_string().get(s)) return {};
  return std::string(s);
}

bool isString(dom::element e, std::string_view key) {
  auto m = member(e, key);
  return m && m->is_string();
}

bool isNull(dom::element e, std::string_view key) {
  auto m = member(e, key);
  return m && m->is_null();
}

uint64_t num(dom::element e, std::string_view key) {
  uint64_t n = 0;
  if (e[key].get_uint64().get(n)) return 0;
  return n;
}

std::optional<int64_t> intOf(dom::element e, std::string_view key) {
  int64_t n = 0;
  if (e[key].get_int64().get(n)) return std::nullopt;
  return n;
}

bool isJsonObject(std::string_view json) {
  dom::parser parser;
  dom::element e;
  if (parser.parse(json.data(), json.size()).get(e)) return false;
  return e.is_object();
}

// Collects the first violation, prefixed with the event number.
struct Checker {
  StreamTranscript t;
  size_t event = 0;
  void fail(const std::string& what) {
    if (t.violation.empty()) t.violation = "event " + std::to_string(event) + ": " + what;
  }
};

// Only a stream that stopped for its tool calls promises complete arguments (a cut one may
// end mid-JSON).
void checkToolArguments(Checker& c) {
  if (c.t.failed || (c.t.stop != "tool_use" && c.t.stop != "tool_calls")) return;
  for (const StreamToolCall& call : c.t.tool_calls) {
    if (!call.arguments.empty() && !isJsonObject(call.arguments)) {
      c.fail("tool call " + call.id + " arguments are not a JSON object: " + call.arguments);
    }
  }
}

}  // namespace

std::vector<WireEvent> splitSse(std::string_view wire, std::string* rest) {
  std::vector<WireEvent> events;
  WireEvent current;
  bool has_data = false;
  size_t at = 0;
  size_t event_start = 0;
  while (at < wire.size()) {
    size_t eol = wire.find('\n', at);
    if (eol == std::string_view::npos) break;
    std::string_view line = wire.substr(at, eol - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = eol + 1;
    if (line.empty()) {
      if (has_data) events.push_back(std::move(current));
      current = WireEvent{};
      has_data = false;
      event_start = at;
      continue;
    }
    const size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") {
      current.type = value;
    } else if (field == "data") {
      if (has_data) current.data += '\n';
      current.data += value;
      has_data = true;
    }
  }
  if (rest != nullptr) *rest = std::string(wire.substr(event_start));
  return events;
}

// --- Anthropic ------------------------------------------------------------------------------

StreamTranscript checkAnthropicStream(std::string_view wire, std::string_view model) {
  Checker c;
  std::string rest;
  const std::vector<WireEvent> events = splitSse(wire, &rest);
  c.t.events = events.size();
  if (!rest.empty()) c.fail("bytes after the last event: " + rest);
  dom::parser parser;
  bool started = false;
  bool open = false;
  std::string open_type;
  int64_t next_index = 0;
  bool delta_seen = false;
  bool terminal = false;
  for (const WireEvent& e : events) {
    ++c.event;
    if (terminal) c.fail("event after the end of the stream");
    dom::element data;
    if (parser.parse(e.data).get(data) || !data.is_object()) {
      c.fail("data is not a JSON object: " + e.data);
      continue;
    }
    const std::string type = str(data, "type");
    if (e.type != type) c.fail("event: " + e.type + " but data.type " + type);
    if (!started && type != "message_start") c.fail("first event is " + type);
    if (type == "message_start") {
      if (started) c.fail("second message_start");
      started = true;
      auto message = member(data, "message");
      if (!message) {
        c.fail("message_start without message");
        continue;
      }
      c.t.id = str(*message, "id");
      if (!c.t.id.starts_with("msg_")) c.fail("message id " + c.t.id);
      if (str(*message, "model") != model) c.fail("model " + str(*message, "model"));
      if (str(*message, "role") != "assistant") c.fail("role is not assistant");
      auto usage = member(*message, "usage");
      if (!usage) {
        c.fail("message_start without usage");
      } else {
        c.t.input_tokens = num(*usage, "input_tokens");
        c.t.output_tokens = num(*usage, "output_tokens");
        c.t.cached_tokens = num(*usage, "cache_read_input_tokens");
        c.t.cache_write_tokens = num(*usage, "cache_creation_input_tokens");
      }
    } else if (type == "content_block_start") {
      if (open) c.fail("block started while block " + open_type + " is open");
      if (delta_seen) c.fail("block after message_delta");
      auto index = intOf(data, "index");
      if (!index || *index != next_index) c.fail("block index is not " + std::to_string(next_index));
      auto block = member(data, "content_block");
      open_type = block ? str(*block, "type") : "";
      open = true;
      if (open_type == "tool_use") {
        StreamToolCall call{str(*block, "id"), str(*block, "name"), ""};
        if (call.id.empty() || call.name.empty()) c.fail("tool_use block without id or name");
        c.t.tool_calls.push_back(call);
      } else if (open_type == "text") {
        c.t.text += str(*block, "text");
      } else if (open_type == "thinking") {
        c.t.reasoning += str(*block, "thinking");
      } else {
        c.fail("block type " + open_type);
      }
      c.t.blocks.push_back(open_type);
    } else if (type == "content_block_delta") {
      auto index = intOf(data, "index");
      if (!open || !index || *index != next_index) c.fail("delta for a block that is not open");
      auto delta = member(data, "delta");
      const std::string delta_type = delta ? str(*delta, "type") : "";
      if (delta_type == "text_delta" && open_type == "text") {
        c.t.text += str(*delta, "text");
      } else if (delta_type == "thinking_delta" && open_type == "thinking") {
        c.t.reasoning += str(*delta, "thinking");
      } else if (delta_type == "signature_delta" && open_type == "thinking") {
        c.t.signature += str(*delta, "signature");
      } else if (delta_type == "input_json_delta" && open_type == "tool_use") {
        c.t.tool_calls.back().arguments += str(*delta, "partial_json");
      } else {
        c.fail(delta_type + " in a " + open_type + " block");
      }
    } else if (type == "content_block_stop") {
      auto index = intOf(data, "index");
      if (!open || !index || *index != next_index) c.fail("stop for a block that is not open");
      open = false;
      ++next_index;
    } else if (type == "message_delta") {
      if (open) c.fail("message_delta with block " + open_type + " open");
      if (delta_seen) c.fail("second message_delta");
      delta_seen = true;
      auto delta = member(data, "delta");
      if (!delta || !isString(*delta, "stop_reason")) c.fail("message_delta without stop_reason");
      if (delta) {
        c.t.stop = str(*delta, "stop_reason");
        c.t.stop_sequence = str(*delta, "stop_sequence");
      }
      auto usage = member(data, "usage");
      if (!usage || !member(*usage, "output_tokens")) {
        c.fail("message_delta without usage.output_tokens");
      } else {
        c.t.has_usage = true;
        auto update = [&](std::string_view key, uint64_t& counter) {
          if (auto m = member(*usage, key); m && !m->is_null()) counter = num(*usage, key);
        };
        update("input_tokens", c.t.input_tokens);
        update("output_tokens", c.t.output_tokens);
        update("cache_read_input_tokens", c.t.cached_tokens);
        update("cache_creation_input_tokens", c.t.cache_write_tokens);
      }
    } else if (type == "message_stop") {
      if (!delta_seen) c.fail("message_stop without message_delta");
      terminal = true;
    } else if (type == "error") {
      c.t.open_at_error = open;
      auto error = member(data, "error");
      if (!error || str(*error, "type").empty()) c.fail("error without error.type");
      if (error) {
        c.t.error_type = str(*error, "type");
        c.t.error_message = str(*error, "message");
      }
      c.t.failed = true;
      terminal = true;
    } else if (type != "ping") {
      c.fail("unknown event " + type);
    }
  }
  ++c.event;
  if (!terminal) c.fail("the stream does not end with message_stop or error");
  checkToolArguments(c);
  return c.t;
}

// --- OpenAI chat ----------------------------------------------------------------------------

StreamTranscript checkChatStream(std::string_view wire, std::string_view model,
                                 bool include_usage) {
  Checker c;
  std::string rest;
  const std::vector<WireEvent> events = splitSse(wire, &rest);
  c.t.events = events.size();
  if (!rest.empty()) c.fail("bytes after the last event: " + rest);
  dom::parser parser;
  bool first = true;
  int64_t created = -1;
  bool finished = false;
  bool usage_seen = false;
  bool terminal = false;
  int64_t open_tool = -1;  // the last tool index seen
  for (const WireEvent& e : events) {
    ++c.event;
    if (terminal) c.fail("event after the end of the stream");
    if (e.data == "[DONE]") {
      if (!e.type.empty()) c.fail("[DONE] with event: " + e.type);
      if (!finished) c.fail("[DONE] without finish_reason");
      if (include_usage && !usage_seen) c.fail("[DONE] without the usage chunk");
      terminal = true;
      continue;
    }
    dom::element data;
    if (parser.parse(e.data).get(data) || !data.is_object()) {
      c.fail("data is not a JSON object: " + e.data);
      continue;
    }
    if (auto error = member(data, "error")) {
      if (!e.type.empty() && e.type != "error") c.fail("error payload with event: " + e.type);
      c.t.failed = true;
      c.t.error_type = str(*error, "type");
      c.t.error_message = str(*error, "message");
      if (c.t.error_type.empty() || c.t.error_message.empty()) c.fail("error without type/message");
      terminal = true;
      continue;
    }
    if (!e.type.empty()) c.fail("chunk with event: " + e.type);
    const std::string id = str(data, "id");
    if (first) {
      c.t.id = id;
      if (!id.starts_with("chatcmpl-")) c.fail("id " + id);
    } else if (id != c.t.id) {
      c.fail("id changed to " + id);
    }
    if (str(data, "object") != "chat.completion.chunk") c.fail("object is not a chunk");
    if (str(data, "model") != model) c.fail("model " + str(data, "model"));
    const int64_t this_created = intOf(data, "created").value_or(-2);
    if (created == -1) created = this_created;
    if (this_created != created || created < 0) c.fail("created missing or changed");
    dom::array choices;
    if (data["choices"].get_array().get(choices)) {
      c.fail("chunk without choices");
      continue;
    }
    if (choices.size() == 0) {
      auto usage = member(data, "usage");
      if (!usage || !usage->is_object()) {
        c.fail("empty choices without usage");
        continue;
      }
      if (!include_usage) c.fail("usage chunk the client did not ask for");
      if (!finished) c.fail("usage chunk before finish_reason");
      if (usage_seen) c.fail("second usage chunk");
      usage_seen = true;
      c.t.has_usage = true;
      c.t.input_tokens = num(*usage, "prompt_tokens");
      c.t.output_tokens = num(*usage, "completion_tokens");
      c.t.total_tokens = num(*usage, "total_tokens");
      if (auto details = member(*usage, "prompt_tokens_details")) {
        c.t.cached_tokens = num(*details, "cached_tokens");
      }
      if (auto details = member(*usage, "completion_tokens_details")) {
        c.t.reasoning_tokens = num(*details, "reasoning_tokens");
      }
      if (c.t.total_tokens != c.t.input_tokens + c.t.output_tokens) c.fail("total_tokens");
      first = false;
      continue;
    }
    if (member(data, "usage") && !isNull(data, "usage")) c.fail("usage on a content chunk");
    if (choices.size() != 1) c.fail("more than one choice");
    dom::element choice = choices.at(0);
    if (intOf(choice, "index").value_or(-1) != 0) c.fail("choice index is not 0");
    if (finished) c.fail("content chunk after finish_reason");
    auto delta = member(choice, "delta");
    if (!delta || !delta->is_object()) {
      c.fail("choice without delta");
      continue;
    }
    if (first && str(*delta, "role") != "assistant") c.fail("first chunk without role");
    if (!first && member(*delta, "role")) c.fail("role after the first chunk");
    first = false;
    c.t.text += str(*delta, "content");
    c.t.reasoning += str(*delta, "reasoning_content");
    dom::array calls;
    if (!(*delta)["tool_calls"].get_array().get(calls)) {
      for (dom::element call : calls) {
        auto index = intOf(call, "index");
        if (!index) {
          c.fail("tool call without index");
          continue;
        }
        auto function = member(call, "function");
        if (*index == static_cast<int64_t>(c.t.tool_calls.size())) {
          if (*index != open_tool + 1) c.fail("tool index out of order");
          open_tool = *index;
          StreamToolCall t{str(call, "id"), function ? str(*function, "name") : "", ""};
          if (t.id.empty() || t.name.empty() || str(call, "type") != "function") {
            c.fail("first piece of a tool call without id, name or type");
          }
          c.t.tool_calls.push_back(t);
          c.t.blocks.push_back("tool_use");
        } else if (*index != open_tool) {
          c.fail("tool index " + std::to_string(*index) + " is neither the open nor the next");
          continue;
        } else if (member(call, "id") || (function && member(*function, "name"))) {
          c.fail("id or name repeated on a later piece");
        }
        if (function) c.t.tool_calls[*index].arguments += str(*function, "arguments");
      }
    }
    if (auto reason = member(choice, "finish_reason"); reason && reason->is_string()) {
      finished = true;
      c.t.stop = str(choice, "finish_reason");
    }
  }
  ++c.event;
  if (!terminal) c.fail("the stream does not end with [DONE] or an error");
  checkToolArguments(c);
  return c.t;
}

// --- OpenAI Responses -----------------------------------------------------------------------

StreamTranscript checkResponsesStream(std::string_view wire, std::string_view model) {
  Checker c;
  std::string rest;
  const std::vector<WireEvent> events = splitSse(wire, &rest);
  c.t.events = events.size();
  if (!rest.empty()) c.fail("bytes after the last event: " + rest);
  dom::parser parser;
  int64_t expected_sequence = 0;
  bool open = false;
  std::string open_type;
  std::string open_id;
  int64_t next_index = 0;
  std::string accumulated;  // the open item's text / arguments
  bool terminal = false;
  for (const WireEvent& e : events) {
    ++c.event;
    if (terminal) c.fail("event after the end of the stream");
    dom::element data;
    if (parser.parse(e.data).get(data) || !data.is_object()) {
      c.fail("data is not a JSON object: " + e.data);
      continue;
    }
    const std::string type = str(data, "type");
    if (e.type != type) c.fail("event: " + e.type + " but data.type " + type);
    if (intOf(data, "sequence_number").value_or(-1) != expected_sequence) {
      c.fail("sequence_number is not " + std::to_string(expected_sequence));
    }
    ++expected_sequence;
    if (c.event == 1 && type != "response.created") c.fail("first event is " + type);
    if (c.event == 2 && type != "response.in_progress") c.fail("second event is " + type);
    auto itemEvent = [&](std::string_view want_type) {
      if (!open || open_type != want_type) c.fail(type + " without an open " + std::string(want_type));
      if (str(data, "item_id") != open_id) c.fail(type + " for item " + str(data, "item_id"));
      if (intOf(data, "output_index").value_or(-1) != next_index) c.fail(type + " output_index");
    };
    if (type == "response.created" || type == "response.in_progress" ||
        type == "response.completed" || type == "response.incomplete" ||
        type == "response.failed") {
      auto response = member(data, "response");
      if (!response) {
        c.fail(type + " without response");
        continue;
      }
      const std::string id = str(*response, "id");
      if (c.t.id.empty()) c.t.id = id;
      if (!id.starts_with("resp_") || id != c.t.id) c.fail("response id " + id);
      if (str(*response, "object") != "response") c.fail("object is not response");
      if (str(*response, "model") != model) c.fail("model " + str(*response, "model"));
      const std::string status = str(*response, "status");
      if (type == "response.created" || type == "response.in_progress") {
        if (c.event > 2) c.fail(type + " late");
        if (status != "in_progress") c.fail(type + " status " + status);
        continue;
      }
      terminal = true;
      if (open && type == "response.failed") {
        c.t.open_at_error = true;
      } else if (open) {
        c.fail(type + " with an item open");
      }
      const std::string want = type.substr(std::string_view("response.").size());
      if (status != want) c.fail(type + " status " + status);
      c.t.stop = status;
      if (auto details = member(*response, "incomplete_details"); details && details->is_object()) {
        c.t.stop += ":" + str(*details, "reason");
      } else if (status == "incomplete") {
        c.fail("incomplete without incomplete_details");
      }
      dom::array output;
      // A failed response may also list the item that was open.
      const int64_t listed =
          (*response)["output"].get_array().get(output) ? -1 : static_cast<int64_t>(output.size());
      if (listed < next_index || (status != "failed" && listed != next_index)) {
        c.fail("output does not list every item");
      }
      if (status == "failed") {
        c.t.failed = true;
        auto error = member(*response, "error");
        if (!error || !error->is_object()) {
          c.fail("failed without error");
        } else {
          c.t.error_type = str(*error, "code");
          c.t.error_message = str(*error, "message");
        }
        continue;
      }
      auto usage = member(*response, "usage");
      if (!usage || !usage->is_object()) {
        c.fail(type + " without usage");
        continue;
      }
      c.t.has_usage = true;
      c.t.input_tokens = num(*usage, "input_tokens");
      c.t.output_tokens = num(*usage, "output_tokens");
      c.t.total_tokens = num(*usage, "total_tokens");
      if (auto details = member(*usage, "input_tokens_details")) {
        c.t.cached_tokens = num(*details, "cached_tokens");
      }
      if (auto details = member(*usage, "output_tokens_details")) {
        c.t.reasoning_tokens = num(*details, "reasoning_tokens");
      }
      if (c.t.total_tokens != c.t.input_tokens + c.t.output_tokens) c.fail("total_tokens");
    } else if (type == "response.output_item.added") {
      if (open) c.fail("item added while another is open");
      if (intOf(data, "output_index").value_or(-1) != next_index) c.fail("output_index");
      auto item = member(data, "item");
      open_type = item ? str(*item, "type") : "";
      open_id = item ? str(*item, "id") : "";
      if (open_id.empty()) c.fail("item without id");
      open = true;
      accumulated.clear();
      if (open_type == "function_call") {
        StreamToolCall call{str(*item, "call_id"), str(*item, "name"), ""};
        if (call.id.empty() || call.name.empty()) c.fail("function_call without call_id/name");
        c.t.tool_calls.push_back(call);
        c.t.blocks.push_back("tool_use");
      } else if (open_type == "message") {
        c.t.blocks.push_back("text");
      } else if (open_type == "reasoning") {
        c.t.blocks.push_back("thinking");
      } else {
        c.fail("item type " + open_type);
      }
    } else if (type == "response.content_part.added" || type == "response.content_part.done") {
      itemEvent("message");
      if (type == "response.content_part.done") {
        auto part = member(data, "part");
        if (!part || str(*part, "text") != accumulated) c.fail("content_part.done text");
      }
    } else if (type == "response.output_text.delta") {
      itemEvent("message");
      accumulated += str(data, "delta");
      c.t.text += str(data, "delta");
    } else if (type == "response.output_text.done") {
      itemEvent("message");
      if (str(data, "text") != accumulated) c.fail("output_text.done text differs from deltas");
    } else if (type == "response.reasoning_summary_part.added" ||
               type == "response.reasoning_summary_part.done") {
      itemEvent("reasoning");
    } else if (type == "response.reasoning_summary_text.delta") {
      itemEvent("reasoning");
      accumulated += str(data, "delta");
      c.t.reasoning += str(data, "delta");
    } else if (type == "response.reasoning_summary_text.done") {
      itemEvent("reasoning");
      if (str(data, "text") != accumulated) c.fail("reasoning text.done differs from deltas");
    } else if (type == "response.function_call_arguments.delta") {
      itemEvent("function_call");
      accumulated += str(data, "delta");
      if (!c.t.tool_calls.empty()) c.t.tool_calls.back().arguments += str(data, "delta");
    } else if (type == "response.function_call_arguments.done") {
      itemEvent("function_call");
      // "{}" stands in for a call streamed without arguments.
      const std::string arguments = str(data, "arguments");
      if (arguments != accumulated && !(accumulated.empty() && arguments == "{}")) {
        c.fail("arguments.done differs from deltas");
      }
      if (!c.t.tool_calls.empty()) c.t.tool_calls.back().arguments = arguments;
    } else if (type == "response.output_item.done") {
      if (!open) c.fail("item done with none open");
      if (intOf(data, "output_index").value_or(-1) != next_index) c.fail("output_index");
      auto item = member(data, "item");
      if (!item || str(*item, "id") != open_id || str(*item, "type") != open_type) {
        c.fail("item done is not the open item");
      }
      open = false;
      ++next_index;
    } else {
      c.fail("unknown event " + type);
    }
  }
  ++c.event;
  if (!terminal) c.fail("the stream does not end with completed, incomplete or failed");
  checkToolArguments(c);
  return c.t;
}

}  // namespace llmproxy::testing
