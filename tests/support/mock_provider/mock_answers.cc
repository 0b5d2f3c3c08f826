// The mock provider's answers: a request's Plan, and its JSON bodies and SSE events in the chat,
// completions, Anthropic Messages and Responses protocols.
#include "support/mock_provider/mock_answers.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "common/json/json_writer.h"

namespace llmproxy::testing::mock {

namespace {

constexpr std::array<std::string_view, 5> kWords = {"Hello", " from", " the", " mock", " provider"};
constexpr std::array<std::string_view, 2> kThinking = {"Let me think", " about the request."};
constexpr int kToolInputPieces = 3;
constexpr int kMaxToolCalls = 16;

using common::appendJsonString;  // the project's one JSON escaper

std::string jsonString(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

std::string num(int64_t n) { return std::to_string(n); }

int parseInt(std::string_view value, int fallback) {
  int out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  return ec == std::errc() ? out : fallback;
}

const char* openAiErrorType(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

const char* anthropicErrorType(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

// Cut points splitting `text` into `pieces` parts, never inside a UTF-8 sequence.
std::vector<size_t> cutPoints(std::string_view text, int pieces) {
  std::vector<size_t> out;
  for (int i = 0; i <= pieces; ++i) {
    size_t at = text.size() * static_cast<size_t>(i) / static_cast<size_t>(pieces);
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
    out.push_back(at);
  }
  return out;
}

// Length of the text a request asks about, for the prompt token estimate.
size_t textLength(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return text.size();
  simdjson::dom::array array;
  if (value.get_array().get(array) == simdjson::SUCCESS) {
    size_t total = 0;
    for (simdjson::dom::element item : array) total += textLength(item);
    return total;
  }
  simdjson::dom::object object;
  if (value.get_object().get(object) == simdjson::SUCCESS) {
    size_t total = 0;
    for (const char* field : {"content", "text"}) {
      simdjson::dom::element inner;
      if (object[field].get(inner) == simdjson::SUCCESS) total += textLength(inner);
    }
    return total;
  }
  return 0;
}

// What the body says about tools, reasoning and stop sequences, copied out of the DOM.
struct Facts {
  std::vector<std::string> tools;  // names, in request order
  bool tool_forced = false;        // tool_choice any / required / a named tool
  bool tool_none = false;          // tool_choice none
  std::string forced_name;
  bool wants_thinking = false;
  std::string first_stop;
};

std::string_view stringAt(simdjson::dom::element value, const char* pointer) {
  std::string_view out;
  if (value.at_pointer(pointer).get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

// Reads every protocol's spelling: Anthropic {name} and tool_choice {type: any|tool|none},
// chat {function: {name}} and "required"/"none", Responses {name} and {type: function, name}.
Facts readFacts(simdjson::dom::element doc) {
  Facts facts;
  simdjson::dom::array tools;
  if (doc["tools"].get_array().get(tools) == simdjson::SUCCESS) {
    for (simdjson::dom::element tool : tools) {
      std::string_view name = stringAt(tool, "/name");
      if (name.empty()) name = stringAt(tool, "/function/name");
      if (!name.empty()) facts.tools.emplace_back(name);
    }
  }
  simdjson::dom::element choice;
  if (doc["tool_choice"].get(choice) == simdjson::SUCCESS) {
    std::string_view type;
    if (choice.get_string().get(type) != simdjson::SUCCESS) type = stringAt(choice, "/type");
    if (type == "any" || type == "required") facts.tool_forced = true;
    if (type == "none") facts.tool_none = true;
    if (type == "tool" || type == "function") {
      std::string_view name = stringAt(choice, "/name");
      if (name.empty()) name = stringAt(choice, "/function/name");
      facts.tool_forced = !name.empty();
      facts.forced_name = name;
    }
  }
  const std::string_view thinking = stringAt(doc, "/thinking/type");
  const std::string_view chat_effort = stringAt(doc, "/reasoning_effort");
  simdjson::dom::element reasoning;
  facts.wants_thinking = thinking == "enabled" || thinking == "adaptive" ||
                         (!chat_effort.empty() && chat_effort != "none") ||
                         (doc["reasoning"].get(reasoning) == simdjson::SUCCESS &&
                          reasoning.is_object() && stringAt(reasoning, "/effort") != "none");
  facts.first_stop = stringAt(doc, "/stop_sequences/0");
  if (facts.first_stop.empty()) facts.first_stop = stringAt(doc, "/stop");
  if (facts.first_stop.empty()) facts.first_stop = stringAt(doc, "/stop/0");
  return facts;
}

// Anthropic's stop reason for a knob given in either protocol's words.
std::string normalStopReason(std::string_view knob) {
  if (knob == "stop") return "end_turn";
  if (knob == "length") return "max_tokens";
  if (knob == "tool_calls") return "tool_use";
  if (knob == "content_filter") return "refusal";
  return std::string(knob);
}

std::string chatFinish(std::string_view stop_reason) {
  if (stop_reason == "end_turn" || stop_reason == "stop_sequence" || stop_reason == "pause_turn") {
    return "stop";
  }
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return std::string(stop_reason);
}

// The Responses reason an answer is incomplete for; empty = completed.
std::string_view incompleteReason(std::string_view stop_reason) {
  if (stop_reason == "max_tokens") return "max_output_tokens";
  if (stop_reason == "refusal") return "content_filter";
  return {};
}

void checkKey(Plan& plan, const RecordedRequest& request) {
  const std::string& key = plan.b.api_key;
  if (isAnthropic(plan.endpoint)) {
    const std::string sent = request.header("x-api-key");
    if (sent.empty()) {
      plan.unauthorized = "x-api-key header is required";
    } else if (!key.empty() && sent != key) {
      plan.unauthorized = "invalid x-api-key";
    }
    return;
  }
  if (key.empty()) return;
  if (plan.endpoint == Endpoint::kModels && plan.anthropic_models) {
    if (request.header("x-api-key") != key) plan.unauthorized = "invalid x-api-key";
    return;
  }
  if (request.header("authorization") != "Bearer " + key && request.header("api-key") != key) {
    plan.unauthorized = "Incorrect API key provided";
  }
}

// Anthropic's and Responses' checks of the fields they require, with their messages.
void validate(Plan& plan, simdjson::dom::object doc) {
  if (!plan.invalid.empty()) return;
  std::string_view model;
  const bool has_model = doc["model"].get_string().get(model) == simdjson::SUCCESS;
  if (plan.endpoint == Endpoint::kResponses) {
    if (!has_model) plan.invalid = "Missing required parameter: 'model'.";
    return;
  }
  if (!isAnthropic(plan.endpoint)) return;
  if (!has_model) {
    plan.invalid = "model: Field required";
    return;
  }
  if (plan.endpoint == Endpoint::kMessages) {
    int64_t max_tokens = 0;
    simdjson::dom::element value;
    if (doc["max_tokens"].get(value) != simdjson::SUCCESS) {
      plan.invalid = "max_tokens: Field required";
      return;
    }
    if (value.get_int64().get(max_tokens) != simdjson::SUCCESS || max_tokens < 1) {
      plan.invalid = "max_tokens: Input should be a valid integer, at least 1";
      return;
    }
  }
  simdjson::dom::array messages;
  if (doc["messages"].get_array().get(messages) != simdjson::SUCCESS) {
    plan.invalid = "messages: Field required";
  } else if (messages.size() == 0) {
    plan.invalid = "messages: at least one message is required";
  }
}

void splitContent(Plan& plan) {
  const MockBehaviour& b = plan.b;
  if (b.chunk_bytes > 0 || b.content.empty()) {
    plan.pieces = b.chunks;
    return;
  }
  plan.pieces = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(std::max(b.chunks, 1)), b.content.size()));
  plan.offsets = cutPoints(b.content, plan.pieces);
}

// The blocks in answer order: thinking, text, tool calls; then the counts derived from them.
void buildBlocks(Plan& plan, const Facts& facts, simdjson::dom::parser& json) {
  const MockBehaviour& b = plan.b;
  const Endpoint e = plan.endpoint;
  const std::string id = num(static_cast<int64_t>(plan.id));
  const bool rich = e == Endpoint::kChat || e == Endpoint::kMessages || e == Endpoint::kResponses;
  int calls = 0;
  if (rich && !facts.tools.empty() && !facts.tool_none) {
    calls = std::clamp(std::max(b.tool_calls, facts.tool_forced ? 1 : 0), 0, kMaxToolCalls);
  }
  if (calls > 0 && !b.tool_input.empty() && plan.invalid.empty()) {
    simdjson::padded_string padded(b.tool_input);
    simdjson::dom::object object;
    if (json.parse(padded).get_object().get(object) != simdjson::SUCCESS) {
      plan.invalid = "mock provider: x-mock-tool-input is not a JSON object";
    }
  }
  if (rich && (b.thinking == 1 || (b.thinking < 0 && facts.wants_thinking))) {
    Block block;
    block.kind = Block::Kind::kThinking;
    for (std::string_view piece : kThinking) {
      block.deltas.emplace_back(piece);
      block.whole += piece;
    }
    block.id = "sig_mock_" + id;
    block.item_id = "rs_mock_" + id;
    plan.blocks.push_back(std::move(block));
  }
  if (plan.pieces > 0 || calls == 0) {
    Block block;
    block.item_id = "msg_mock_" + id;
    plan.blocks.push_back(std::move(block));
  }
  for (int i = 0; i < calls; ++i) {
    Block block;
    block.kind = Block::Kind::kToolUse;
    block.call = i;
    block.name = facts.forced_name.empty()
                     ? facts.tools[static_cast<size_t>(i) % facts.tools.size()]
                     : facts.forced_name;
    block.whole =
        b.tool_input.empty() ? "{\"call\":" + num(i + 1) + ",\"query\":\"mock\"}" : b.tool_input;
    const int pieces = std::min(kToolInputPieces, static_cast<int>(block.whole.size()));
    const std::vector<size_t> cuts = cutPoints(block.whole, pieces);
    for (int p = 0; p < pieces; ++p)
      block.deltas.push_back(block.whole.substr(cuts[p], cuts[p + 1] - cuts[p]));
    block.id = (isAnthropic(e) ? "toolu_mock_" : "call_mock_") + id + "_" + num(i);
    block.item_id = "fc_mock_" + id + "_" + num(i);
    plan.blocks.push_back(std::move(block));
  }

  plan.steps = 0;
  for (const Block& block : plan.blocks) {
    const int steps = plan.blockSteps(block);
    plan.steps += steps;
    if (steps > 0) plan.last_step_is_text = block.kind == Block::Kind::kText;
    if (block.kind == Block::Kind::kThinking) {
      plan.reasoning_tokens = static_cast<int>(block.deltas.size());
    }
  }
  plan.content_tokens = plan.steps - (isAnthropic(e) && plan.reasoning_tokens > 0 ? 1 : 0);
  plan.stop_reason = b.stop_reason.empty() ? (calls > 0 ? "tool_use" : "end_turn")
                                           : normalStopReason(b.stop_reason);
  plan.stop_sequence = !b.stop_sequence.empty()    ? b.stop_sequence
                       : !facts.first_stop.empty() ? facts.first_stop
                                                   : "STOP";
}

// Pads a body (given without its closing brace) to about `target` bytes, then closes it.
std::string closePadded(std::string out, int target_bytes) {
  const size_t target = static_cast<size_t>(std::max(target_bytes, 0));
  const size_t padding_overhead = 19;  // ,"mock_padding":"" and the closing brace
  if (target > out.size() + padding_overhead) {
    out += ",\"mock_padding\":\"" + std::string(target - out.size() - padding_overhead, 'x') + "\"";
  }
  return out + "}";
}

// --- chat completions ---------------------------------------------------------------------

std::string chatUsage(const Plan& plan) {
  const int completion = plan.completionTokens();
  std::string out = "{\"prompt_tokens\":" + num(plan.prompt_tokens) +
                    ",\"completion_tokens\":" + num(completion) +
                    ",\"total_tokens\":" + num(plan.prompt_tokens + completion);
  if (plan.b.cache_read_tokens > 0) {
    out += ",\"prompt_tokens_details\":{\"cached_tokens\":" + num(plan.b.cache_read_tokens) + "}";
  }
  if (plan.reasoning_tokens > 0) {
    out +=
        ",\"completion_tokens_details\":{\"reasoning_tokens\":" + num(plan.reasoning_tokens) + "}";
  }
  return out + "}";
}

std::string chatBody(const Plan& plan) {
  std::string text;
  std::string reasoning;
  std::string calls;
  for (const Block& block : plan.blocks) {
    if (block.kind == Block::Kind::kText) text = plan.text();
    if (block.kind == Block::Kind::kThinking) reasoning = block.whole;
    if (block.kind != Block::Kind::kToolUse) continue;
    calls += calls.empty() ? "[" : ",";
    calls += "{\"id\":\"" + block.id +
             "\",\"type\":\"function\",\"function\":{\"name\":" + jsonString(block.name) +
             ",\"arguments\":" + jsonString(block.whole) + "}}";
  }
  std::string message = "{\"role\":\"assistant\",\"content\":";
  message += text.empty() && !calls.empty() ? "null" : jsonString(text);
  if (!reasoning.empty()) message += ",\"reasoning_content\":" + jsonString(reasoning);
  if (!calls.empty()) message += ",\"tool_calls\":" + calls + "]";
  std::string out = "{\"id\":\"chatcmpl-mock-" + num(static_cast<int64_t>(plan.id)) +
                    "\",\"object\":\"chat.completion\",\"created\":" + num(plan.created) +
                    ",\"model\":" + jsonString(plan.model) +
                    ",\"choices\":[{\"index\":0,\"message\":" + message +
                    "},\"logprobs\":null,\"finish_reason\":\"" + chatFinish(plan.stop_reason) +
                    "\"}],\"usage\":" + chatUsage(plan);
  return closePadded(std::move(out), plan.b.body_bytes);
}

std::string completionBody(const Plan& plan) {
  return "{\"id\":\"cmpl-mock-" + num(static_cast<int64_t>(plan.id)) +
         "\",\"object\":\"text_completion\",\"created\":" + num(plan.created) +
         ",\"model\":" + jsonString(plan.model) +
         ",\"choices\":[{\"text\":" + jsonString(plan.text()) +
         ",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
         "\"usage\":" + chatUsage(plan) + "}";
}

// --- Anthropic messages -------------------------------------------------------------------

std::string anthropicUsage(const Plan& plan, int output_tokens) {
  return "{\"input_tokens\":" + num(plan.prompt_tokens) +
         ",\"cache_creation_input_tokens\":" + num(plan.b.cache_creation_tokens) +
         ",\"cache_read_input_tokens\":" + num(plan.b.cache_read_tokens) +
         ",\"output_tokens\":" + num(output_tokens) + "}";
}

std::string stopSequenceJson(const Plan& plan) {
  return plan.stop_reason == "stop_sequence" ? jsonString(plan.stop_sequence) : "null";
}

std::string messagesBody(const Plan& plan) {
  std::string content;
  for (const Block& block : plan.blocks) {
    if (!content.empty()) content += ',';
    switch (block.kind) {
      case Block::Kind::kThinking:
        content += "{\"type\":\"thinking\",\"thinking\":" + jsonString(block.whole) +
                   ",\"signature\":" + jsonString(block.id) + "}";
        break;
      case Block::Kind::kText:
        content += "{\"type\":\"text\",\"text\":" + jsonString(plan.text()) + "}";
        break;
      case Block::Kind::kToolUse:
        content += "{\"type\":\"tool_use\",\"id\":\"" + block.id +
                   "\",\"name\":" + jsonString(block.name) + ",\"input\":" + block.whole + "}";
        break;
    }
  }
  std::string out =
      "{\"id\":\"msg_mock_" + num(static_cast<int64_t>(plan.id)) +
      "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + jsonString(plan.model) +
      ",\"content\":[" + content + "],\"stop_reason\":" + jsonString(plan.stop_reason) +
      ",\"stop_sequence\":" + stopSequenceJson(plan) +
      ",\"usage\":" + anthropicUsage(plan, plan.completionTokens());
  return closePadded(std::move(out), plan.b.body_bytes);
}

std::string anthropicModels(const std::vector<std::string>& models) {
  std::string out = "{\"data\":[";
  for (size_t i = 0; i < models.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"type\":\"model\",\"id\":" + jsonString(models[i]) +
           ",\"display_name\":" + jsonString(models[i]) +
           ",\"created_at\":\"2025-01-01T00:00:00Z\"}";
  }
  out += "],\"has_more\":false,\"first_id\":";
  out += models.empty() ? "null" : jsonString(models.front());
  out += ",\"last_id\":";
  out += models.empty() ? "null" : jsonString(models.back());
  return out + "}";
}

// --- OpenAI Responses ---------------------------------------------------------------------

std::string responsesUsage(const Plan& plan) {
  const int output = plan.completionTokens();
  return "{\"input_tokens\":" + num(plan.prompt_tokens) +
         ",\"input_tokens_details\":{\"cached_tokens\":" + num(plan.b.cache_read_tokens) +
         "},\"output_tokens\":" + num(output) +
         ",\"output_tokens_details\":{\"reasoning_tokens\":" + num(plan.reasoning_tokens) +
         "},\"total_tokens\":" + num(plan.prompt_tokens + output) + "}";
}

std::string outputTextPart(std::string_view text) {
  return "{\"type\":\"output_text\",\"text\":" + jsonString(text) + ",\"annotations\":[]}";
}

std::string summaryPart(std::string_view text) {
  return "{\"type\":\"summary_text\",\"text\":" + jsonString(text) + "}";
}

// One output item, finished (`done`) or as first announced.
std::string itemJson(const Plan& plan, const Block& block, bool done) {
  switch (block.kind) {
    case Block::Kind::kThinking:
      return "{\"id\":\"" + block.item_id + "\",\"type\":\"reasoning\",\"summary\":[" +
             (done ? summaryPart(block.whole) : "") + "]}";
    case Block::Kind::kText: {
      const char* status = !done                                        ? "in_progress"
                           : incompleteReason(plan.stop_reason).empty() ? "completed"
                                                                        : "incomplete";
      return "{\"id\":\"" + block.item_id + "\",\"type\":\"message\",\"status\":\"" + status +
             "\",\"role\":\"assistant\",\"content\":[" + (done ? outputTextPart(plan.text()) : "") +
             "]}";
    }
    case Block::Kind::kToolUse:
      return "{\"id\":\"" + block.item_id + "\",\"type\":\"function_call\",\"status\":\"" +
             (done ? "completed" : "in_progress") + "\",\"call_id\":\"" + block.id +
             "\",\"name\":" + jsonString(block.name) +
             ",\"arguments\":" + jsonString(done ? std::string_view(block.whole) : "") + "}";
  }
  return "{}";
}

enum class ResponseState { kInProgress, kDone, kFailed };

std::string responseJson(const Plan& plan, ResponseState state, std::string_view error = {}) {
  std::string status = "in_progress";
  std::string error_json = "null";
  std::string incomplete = "null";
  std::string output;
  std::string usage = "null";
  const std::string_view reason = incompleteReason(plan.stop_reason);
  if (state == ResponseState::kFailed) {
    status = "failed";
    error_json = std::string(error);
  } else if (state == ResponseState::kDone) {
    status = reason.empty() ? "completed" : "incomplete";
    if (!reason.empty()) incomplete = "{\"reason\":\"" + std::string(reason) + "\"}";
    for (const Block& block : plan.blocks) {
      if (!output.empty()) output += ',';
      output += itemJson(plan, block, true);
    }
    usage = responsesUsage(plan);
  }
  return "{\"id\":\"resp_mock_" + num(static_cast<int64_t>(plan.id)) +
         "\",\"object\":\"response\",\"created_at\":" + num(plan.created) + ",\"status\":\"" +
         status + "\",\"error\":" + error_json + ",\"incomplete_details\":" + incomplete +
         ",\"model\":" + jsonString(plan.model) + ",\"output\":[" + output +
         "],\"parallel_tool_calls\":true,\"usage\":" + usage + ",\"metadata\":{}";
}

std::string embeddingsBody(const Plan& plan) {
  std::string out = "{\"object\":\"list\",\"data\":[";
  for (int i = 0; i < plan.inputs; ++i) {
    if (i > 0) out += ',';
    out += "{\"object\":\"embedding\",\"index\":" + num(i) + ",\"embedding\":[";
    for (int j = 0; j < plan.dimensions; ++j) {
      if (j > 0) out += ',';
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>((i + 1) * (j + 1) % 100) / 100);
      out += buf;
    }
    out += "]}";
  }
  return out + "],\"model\":" + jsonString(plan.model) +
         ",\"usage\":{\"prompt_tokens\":" + num(plan.prompt_tokens) +
         ",\"total_tokens\":" + num(plan.prompt_tokens) + "}}";
}

std::string openAiModels(const Plan& plan, const std::vector<std::string>& models) {
  std::string out = "{\"object\":\"list\",\"data\":[";
  bool first = true;
  for (const std::string& model : models) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":" + jsonString(model) +
           ",\"object\":\"model\",\"created\":" + num(plan.created) +
           ",\"owned_by\":\"llmproxy-mock\"}";
  }
  return out + "]}";
}

void appendSseChunk(std::string& out, std::string_view event) {
  char size[20];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", event.size());
  out.append(size, static_cast<size_t>(n)).append(event).append("\r\n");
}

constexpr std::string_view kLastChunk = "0\r\n\r\n";

int errorStatus(const Plan& plan) {
  if (plan.b.error_status > 0) return plan.b.error_status;
  return isAnthropic(plan.endpoint) ? 529 : 500;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Endpoint route(std::string_view method, std::string_view path) {
  if (path.starts_with("/__mock/")) {
    if (path == "/__mock/requests" && method == "GET") return Endpoint::kMockRequests;
    if (path == "/__mock/stats" && method == "GET") return Endpoint::kMockStats;
    if (path == "/__mock/reset" && method == "POST") return Endpoint::kMockReset;
    if (path == "/__mock/behaviour" && method == "POST") return Endpoint::kMockBehaviour;
    return Endpoint::kNotFound;
  }
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  Endpoint endpoint = Endpoint::kNotFound;
  bool wants_get = false;
  if (path.ends_with("/chat/completions")) {
    endpoint = Endpoint::kChat;
  } else if (path.ends_with("/completions")) {
    endpoint = Endpoint::kCompletions;
  } else if (path.ends_with("/embeddings")) {
    endpoint = Endpoint::kEmbeddings;
  } else if (path.ends_with("/messages/count_tokens")) {
    endpoint = Endpoint::kCountTokens;
  } else if (path.ends_with("/messages")) {
    endpoint = Endpoint::kMessages;
  } else if (path.ends_with("/responses")) {
    endpoint = Endpoint::kResponses;
  } else if (path.ends_with("/models")) {
    endpoint = Endpoint::kModels;
    wants_get = true;
  } else if (path.ends_with("/v1/traces")) {
    endpoint = Endpoint::kOtlpTraces;
  } else if (path.ends_with("/api/public/ingestion")) {
    endpoint = Endpoint::kLangfuseIngestion;
  }
  if (endpoint == Endpoint::kNotFound) return endpoint;
  return (method == (wants_get ? "GET" : "POST")) ? endpoint : Endpoint::kBadMethod;
}

void applyBehaviourField(MockBehaviour& b, std::string_view name, std::string_view value) {
  std::string key(name);
  std::replace(key.begin(), key.end(), '-', '_');
  if (key == "status") b.status = parseInt(value, b.status);
  if (key == "delay_ms") b.delay_ms = parseInt(value, b.delay_ms);
  if (key == "ttft_ms") b.ttft_ms = parseInt(value, b.ttft_ms);
  if (key == "chunks") b.chunks = std::max(0, parseInt(value, b.chunks));
  if (key == "chunk_delay_ms") b.chunk_delay_ms = parseInt(value, b.chunk_delay_ms);
  if (key == "reset_after") b.reset_after = parseInt(value, -1);
  if (key == "content") b.content = std::string(value);
  if (key == "chunk_bytes") b.chunk_bytes = parseInt(value, 0);
  if (key == "body_bytes") b.body_bytes = parseInt(value, 0);
  if (key == "prompt_tokens") b.prompt_tokens = parseInt(value, -1);
  if (key == "completion_tokens") b.completion_tokens = parseInt(value, -1);
  if (key == "retry_after") b.retry_after = parseInt(value, -1);
  if (key == "tool_calls") b.tool_calls = std::max(0, parseInt(value, 0));
  if (key == "tool_input") b.tool_input = std::string(value);
  if (key == "thinking") b.thinking = parseInt(value, -1);
  if (key == "stop_reason") b.stop_reason = std::string(value);
  if (key == "stop_sequence") b.stop_sequence = std::string(value);
  if (key == "cache_read_tokens") b.cache_read_tokens = std::max(0, parseInt(value, 0));
  if (key == "cache_creation_tokens") b.cache_creation_tokens = std::max(0, parseInt(value, 0));
  if (key == "error_after") b.error_after = parseInt(value, -1);
  if (key == "error_status") b.error_status = parseInt(value, 0);
  if (key == "stall_after") b.stall_after = parseInt(value, -1);
  if (key == "api_key") b.api_key = std::string(value);
  if (key == "misbehave") b.misbehave = std::string(value);
}

std::string Plan::piece(int i) const {
  if (b.chunk_bytes > 0) return std::string(static_cast<size_t>(b.chunk_bytes), 'x');
  if (!b.content.empty()) return b.content.substr(offsets[i], offsets[i + 1] - offsets[i]);
  return std::string(static_cast<size_t>(i) < kWords.size() ? kWords[i] : " more");
}

std::string Plan::text() const {
  std::string out;
  for (int i = 0; i < pieces; ++i) out += piece(i);
  return out;
}

int Plan::blockSteps(const Block& block) const {
  switch (block.kind) {
    case Block::Kind::kText:
      return pieces;
    case Block::Kind::kThinking:  // Anthropic adds the signature_delta
      return static_cast<int>(block.deltas.size()) + (isAnthropic(endpoint) ? 1 : 0);
    case Block::Kind::kToolUse:
      return static_cast<int>(block.deltas.size());
  }
  return 0;
}

void readRequest(Plan& plan, const RecordedRequest& request, simdjson::dom::parser& json) {
  const Endpoint e = plan.endpoint;
  plan.path = request.path;
  plan.anthropic_models = e == Endpoint::kModels && !request.header("anthropic-version").empty();
  checkKey(plan, request);
  if (isAnthropic(e) && request.header("anthropic-version").empty()) {
    plan.invalid = "anthropic-version: header is required";
  }

  size_t text = 0;
  Facts facts;
  const bool wants_body = e == Endpoint::kChat || e == Endpoint::kCompletions ||
                          e == Endpoint::kEmbeddings || e == Endpoint::kMessages ||
                          e == Endpoint::kCountTokens || e == Endpoint::kResponses;
  if (wants_body) {
    simdjson::padded_string padded(request.body);
    simdjson::dom::element root;
    simdjson::dom::object doc;
    if (json.parse(padded).get(root) != simdjson::SUCCESS ||
        root.get_object().get(doc) != simdjson::SUCCESS) {
      if (plan.invalid.empty())
        plan.invalid = "mock provider: the request body is not a JSON object";
    } else {
      validate(plan, doc);
      std::string_view model;
      if (doc["model"].get_string().get(model) == simdjson::SUCCESS) plan.model = model;
      bool flag = false;
      if (doc["stream"].get_bool().get(flag) == simdjson::SUCCESS) plan.stream = flag;
      if (doc.at_pointer("/stream_options/include_usage").get_bool().get(flag) ==
          simdjson::SUCCESS) {
        plan.include_usage = flag;
      }
      simdjson::dom::element value;
      for (const char* field : {"messages", "prompt", "input", "system", "instructions"}) {
        if (doc[field].get(value) == simdjson::SUCCESS) text += textLength(value);
      }
      if (e == Endpoint::kEmbeddings && doc["input"].get(value) == simdjson::SUCCESS) {
        simdjson::dom::array inputs;
        if (value.get_array().get(inputs) == simdjson::SUCCESS && inputs.size() > 0 &&
            !inputs.at(0).is_number()) {
          plan.inputs = static_cast<int>(inputs.size());
        }
        int64_t dimensions = 0;
        if (doc["dimensions"].get_int64().get(dimensions) == simdjson::SUCCESS) {
          plan.dimensions = static_cast<int>(std::clamp<int64_t>(dimensions, 1, 4096));
        }
      }
      facts = readFacts(root);
    }
  }
  if (e == Endpoint::kCountTokens || e == Endpoint::kEmbeddings) plan.stream = false;
  if (plan.model.empty()) {
    // Azure names the deployment in the path: /openai/deployments/{name}/chat/completions.
    std::string_view path = request.path;
    size_t at = path.find("/deployments/");
    if (at != std::string_view::npos) {
      std::string_view rest = path.substr(at + 13);
      plan.model = rest.substr(0, rest.find('/'));
    } else {
      plan.model = "mock-model";
    }
  }
  // A model named "mock-status-NNN" answers with that status (per-model failures for probes).
  if (constexpr std::string_view kStatusModel = "mock-status-";
      plan.model.starts_with(kStatusModel)) {
    const std::string_view code = std::string_view(plan.model).substr(kStatusModel.size());
    int status = 0;
    if (std::from_chars(code.data(), code.data() + code.size(), status).ec == std::errc{} &&
        status >= 100 && status <= 599) {
      plan.b.status = status;
    }
  }
  plan.prompt_tokens = plan.b.prompt_tokens >= 0
                           ? plan.b.prompt_tokens
                           : static_cast<int>(std::max<size_t>(1, (text + 3) / 4));
  splitContent(plan);
  buildBlocks(plan, facts, json);
}

std::string answerBody(const Plan& plan, const std::vector<std::string>& models) {
  switch (plan.endpoint) {
    case Endpoint::kModels:
      return plan.anthropic_models ? anthropicModels(models) : openAiModels(plan, models);
    case Endpoint::kEmbeddings:
      return embeddingsBody(plan);
    case Endpoint::kChat:
      return chatBody(plan);
    case Endpoint::kCompletions:
      return completionBody(plan);
    case Endpoint::kMessages:
      return messagesBody(plan);
    case Endpoint::kCountTokens:
      return "{\"input_tokens\":" + num(plan.prompt_tokens) + "}";
    case Endpoint::kResponses:
      return closePadded(responseJson(plan, ResponseState::kDone), plan.b.body_bytes);
    default:
      return "{}";
  }
}

std::string errorBody(const Plan& plan, int status, std::string_view message,
                      std::string_view code) {
  if (isAnthropic(plan.endpoint)) {
    return std::string("{\"type\":\"error\",\"error\":{\"type\":\"") + anthropicErrorType(status) +
           "\",\"message\":" + jsonString(message) + "}}";
  }
  std::string code_json = "null";
  if (!code.empty()) {
    code_json = jsonString(code);
  } else if (status == 429) {
    code_json = "\"rate_limit_exceeded\"";
  }
  return std::string("{\"error\":{\"message\":") + jsonString(message) + ",\"type\":\"" +
         openAiErrorType(status) + "\",\"param\":null,\"code\":" + code_json + "}}";
}

// --- streams ------------------------------------------------------------------------------

void StreamWriter::start(const Plan& plan) {
  plan_ = &plan;
  step_ = 0;
  block_ = 0;
  in_block_ = 0;
  block_open_ = false;
  prelude_sent_ = false;
  sequence_ = 0;
}

void StreamWriter::chatChunk(std::string& out, std::string_view delta, std::string_view finish) {
  const Plan& p = *plan_;
  appendSseChunk(out, "data: {\"id\":\"chatcmpl-mock-" + num(static_cast<int64_t>(p.id)) +
                          "\",\"object\":\"chat.completion.chunk\",\"created\":" + num(p.created) +
                          ",\"model\":" + jsonString(p.model) +
                          ",\"choices\":[{\"index\":0,\"delta\":{" + std::string(delta) +
                          "},\"logprobs\":null,\"finish_reason\":" + std::string(finish) +
                          "}]}\n\n");
}

void StreamWriter::event(std::string& out, std::string_view type, std::string_view fields) {
  std::string data = "event: ";
  data.append(type).append("\ndata: {\"type\":\"").append(type).append("\"");
  if (plan_->endpoint == Endpoint::kResponses) data += ",\"sequence_number\":" + num(sequence_++);
  if (!fields.empty()) data.append(",").append(fields);
  data.append("}\n\n");
  appendSseChunk(out, data);
}

void StreamWriter::prelude(std::string& out) {
  if (prelude_sent_) return;
  prelude_sent_ = true;
  const Plan& p = *plan_;
  if (p.endpoint == Endpoint::kMessages) {
    event(out, "message_start",
          "\"message\":{\"id\":\"msg_mock_" + num(static_cast<int64_t>(p.id)) +
              "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + jsonString(p.model) +
              ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" +
              anthropicUsage(p, 1) + "}");
    event(out, "ping", "");
  } else if (p.endpoint == Endpoint::kResponses) {
    const std::string response = responseJson(p, ResponseState::kInProgress) + "}";
    event(out, "response.created", "\"response\":" + response);
    event(out, "response.in_progress", "\"response\":" + response);
  }
}

void StreamWriter::blockStart(std::string& out, size_t index) {
  const Plan& p = *plan_;
  const Block& block = p.blocks[index];
  const std::string at = num(static_cast<int64_t>(index));
  if (p.endpoint == Endpoint::kMessages) {
    std::string content;
    switch (block.kind) {
      case Block::Kind::kThinking:
        content = "{\"type\":\"thinking\",\"thinking\":\"\"}";
        break;
      case Block::Kind::kText:
        content = "{\"type\":\"text\",\"text\":\"\"}";
        break;
      case Block::Kind::kToolUse:
        content = "{\"type\":\"tool_use\",\"id\":\"" + block.id +
                  "\",\"name\":" + jsonString(block.name) + ",\"input\":{}}";
        break;
    }
    event(out, "content_block_start", "\"index\":" + at + ",\"content_block\":" + content);
  } else if (p.endpoint == Endpoint::kResponses) {
    event(out, "response.output_item.added",
          "\"output_index\":" + at + ",\"item\":" + itemJson(p, block, false));
    const std::string item = "\"item_id\":\"" + block.item_id + "\",\"output_index\":" + at;
    if (block.kind == Block::Kind::kThinking) {
      event(out, "response.reasoning_summary_part.added",
            item + ",\"summary_index\":0,\"part\":" + summaryPart(""));
    } else if (block.kind == Block::Kind::kText) {
      event(out, "response.content_part.added",
            item + ",\"content_index\":0,\"part\":" + outputTextPart(""));
    }
  }
}

void StreamWriter::blockDelta(std::string& out, size_t index, int delta) {
  const Plan& p = *plan_;
  const Block& block = p.blocks[index];
  const bool in_deltas = static_cast<size_t>(delta) < block.deltas.size();
  const std::string piece = block.kind == Block::Kind::kText ? p.piece(delta)
                            : in_deltas                      ? block.deltas[delta]
                                                             : std::string();
  const std::string at = num(static_cast<int64_t>(index));
  switch (p.endpoint) {
    case Endpoint::kMessages: {
      std::string body;
      if (block.kind == Block::Kind::kText) {
        body = "{\"type\":\"text_delta\",\"text\":" + jsonString(piece) + "}";
      } else if (block.kind == Block::Kind::kToolUse) {
        body = "{\"type\":\"input_json_delta\",\"partial_json\":" + jsonString(piece) + "}";
      } else if (in_deltas) {
        body = "{\"type\":\"thinking_delta\",\"thinking\":" + jsonString(piece) + "}";
      } else {
        body = "{\"type\":\"signature_delta\",\"signature\":" + jsonString(block.id) + "}";
      }
      event(out, "content_block_delta", "\"index\":" + at + ",\"delta\":" + body);
      return;
    }
    case Endpoint::kResponses: {
      const std::string item = "\"item_id\":\"" + block.item_id + "\",\"output_index\":" + at;
      if (block.kind == Block::Kind::kText) {
        event(out, "response.output_text.delta",
              item + ",\"content_index\":0,\"delta\":" + jsonString(piece) + ",\"logprobs\":[]");
      } else if (block.kind == Block::Kind::kToolUse) {
        event(out, "response.function_call_arguments.delta",
              item + ",\"delta\":" + jsonString(piece));
      } else {
        event(out, "response.reasoning_summary_text.delta",
              item + ",\"summary_index\":0,\"delta\":" + jsonString(piece));
      }
      return;
    }
    default: {  // chat
      std::string body = step_ == 0 ? "\"role\":\"assistant\"," : "";
      if (block.kind == Block::Kind::kText) {
        body += "\"content\":" + jsonString(piece);
      } else if (block.kind == Block::Kind::kThinking) {
        body += "\"reasoning_content\":" + jsonString(piece);
      } else if (delta == 0) {
        body += "\"tool_calls\":[{\"index\":" + num(block.call) + ",\"id\":\"" + block.id +
                "\",\"type\":\"function\",\"function\":{\"name\":" + jsonString(block.name) +
                ",\"arguments\":" + jsonString(piece) + "}}]";
      } else {
        body += "\"tool_calls\":[{\"index\":" + num(block.call) +
                ",\"function\":{\"arguments\":" + jsonString(piece) + "}}]";
      }
      const bool finish = step_ + 1 == p.steps && p.last_step_is_text;
      chatChunk(out, body, finish ? "\"" + chatFinish(p.stop_reason) + "\"" : "null");
      return;
    }
  }
}

void StreamWriter::blockStop(std::string& out, size_t index) {
  const Plan& p = *plan_;
  const Block& block = p.blocks[index];
  const std::string at = num(static_cast<int64_t>(index));
  if (p.endpoint == Endpoint::kMessages) {
    event(out, "content_block_stop", "\"index\":" + at);
    return;
  }
  if (p.endpoint != Endpoint::kResponses) return;
  const std::string item = "\"item_id\":\"" + block.item_id + "\",\"output_index\":" + at;
  switch (block.kind) {
    case Block::Kind::kThinking:
      event(out, "response.reasoning_summary_text.done",
            item + ",\"summary_index\":0,\"text\":" + jsonString(block.whole));
      event(out, "response.reasoning_summary_part.done",
            item + ",\"summary_index\":0,\"part\":" + summaryPart(block.whole));
      break;
    case Block::Kind::kText: {
      const std::string text = p.text();
      event(out, "response.output_text.done",
            item + ",\"content_index\":0,\"text\":" + jsonString(text) + ",\"logprobs\":[]");
      event(out, "response.content_part.done",
            item + ",\"content_index\":0,\"part\":" + outputTextPart(text));
      break;
    }
    case Block::Kind::kToolUse:
      event(out, "response.function_call_arguments.done",
            item + ",\"name\":" + jsonString(block.name) +
                ",\"arguments\":" + jsonString(block.whole));
      break;
  }
  event(out, "response.output_item.done",
        "\"output_index\":" + at + ",\"item\":" + itemJson(p, block, true));
}

void StreamWriter::appendStep(std::string& out) {
  const Plan& p = *plan_;
  if (p.endpoint == Endpoint::kCompletions) {
    const bool last = step_ + 1 == p.pieces;
    appendSseChunk(out, "data: {\"id\":\"cmpl-mock-" + num(static_cast<int64_t>(p.id)) +
                            "\",\"object\":\"text_completion\",\"created\":" + num(p.created) +
                            ",\"model\":" + jsonString(p.model) +
                            ",\"choices\":[{\"text\":" + jsonString(p.piece(step_)) +
                            ",\"index\":0,\"logprobs\":null,\"finish_reason\":" +
                            (last ? "\"stop\"" : "null") + "}]}\n\n");
    ++step_;
    return;
  }
  prelude(out);
  // Close the finished blocks (opening and closing empty ones) up to the one holding this step.
  while (true) {
    const Block& block = p.blocks[block_];
    if (!block_open_) {
      blockStart(out, block_);
      block_open_ = true;
      in_block_ = 0;
    }
    if (in_block_ < p.blockSteps(block)) break;
    blockStop(out, block_);
    block_open_ = false;
    ++block_;
  }
  blockDelta(out, block_, in_block_++);
  ++step_;
}

void StreamWriter::appendTail(std::string& out) {
  const Plan& p = *plan_;
  if (p.endpoint == Endpoint::kChat || p.endpoint == Endpoint::kCompletions) {
    const bool chat = p.endpoint == Endpoint::kChat;
    if (chat && p.steps > 0 && !p.last_step_is_text) {
      chatChunk(out, "", "\"" + chatFinish(p.stop_reason) + "\"");
    }
    if (p.include_usage) {
      appendSseChunk(out, "data: {\"id\":\"" + std::string(chat ? "chatcmpl-mock-" : "cmpl-mock-") +
                              num(static_cast<int64_t>(p.id)) + "\",\"object\":\"" +
                              (chat ? "chat.completion.chunk" : "text_completion") +
                              "\",\"created\":" + num(p.created) +
                              ",\"model\":" + jsonString(p.model) +
                              ",\"choices\":[],\"usage\":" + chatUsage(p) + "}\n\n");
    }
    appendSseChunk(out, "data: [DONE]\n\n");
    out += kLastChunk;
    return;
  }
  prelude(out);  // no content events: still a well-formed stream
  for (; block_ < p.blocks.size(); ++block_) {
    if (!block_open_) blockStart(out, block_);
    blockStop(out, block_);
    block_open_ = false;
  }
  if (p.endpoint == Endpoint::kMessages) {
    event(out, "message_delta",
          "\"delta\":{\"stop_reason\":" + jsonString(p.stop_reason) +
              ",\"stop_sequence\":" + stopSequenceJson(p) +
              "},\"usage\":{\"output_tokens\":" + num(p.completionTokens()) + "}");
    event(out, "message_stop", "");
  } else {
    const bool complete = incompleteReason(p.stop_reason).empty();
    event(out, complete ? "response.completed" : "response.incomplete",
          "\"response\":" + responseJson(p, ResponseState::kDone) + "}");
  }
  out += kLastChunk;
}

void StreamWriter::appendError(std::string& out) {
  const Plan& p = *plan_;
  const int status = errorStatus(p);
  const std::string message =
      "mock provider: scripted error after " + num(step_) + " content events";
  if (p.endpoint == Endpoint::kMessages) {
    appendSseChunk(out, "event: error\ndata: " + errorBody(p, status, message) + "\n\n");
  } else if (p.endpoint == Endpoint::kResponses) {
    prelude(out);
    const std::string code = status == 429   ? "rate_limit_exceeded"
                             : status >= 500 ? "server_error"
                                             : "invalid_request_error";
    const std::string error = "{\"code\":\"" + code + "\",\"message\":" + jsonString(message) + "}";
    event(out, "response.failed",
          "\"response\":" + responseJson(p, ResponseState::kFailed, error) + "}");
  } else {
    appendSseChunk(out, "data: " + errorBody(p, status, message) + "\n\n");
  }
  out += kLastChunk;
}

}  // namespace llmproxy::testing::mock
