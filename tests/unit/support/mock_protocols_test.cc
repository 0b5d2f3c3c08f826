// Tests of the mock provider's Anthropic Messages, count_tokens and OpenAI Responses endpoints and
// of its reasoning / tool-call / stop-reason / cache / mid-stream error knobs, driven over HTTP.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "support/eventually.h"
#include "support/http_client.h"
#include "support/mock_provider/mock_provider.h"
#include "support/temp_dir.h"
#include "support/test_certs.h"

namespace llmproxy::testing {
namespace {

using namespace std::chrono_literals;

const std::string kMessages =
    R"({"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":"hello"}]})";
const std::string kMessagesStream = R"({"model":"claude-test","max_tokens":64,"stream":true,)"
                                    R"("messages":[{"role":"user","content":"hello"}]})";
const std::string kTools = R"("tools":[{"name":"get_weather","input_schema":{"type":"object"}},)"
                           R"({"name":"get_time","input_schema":{"type":"object"}}])";
const std::string kResponses = R"({"model":"gpt-test","input":"hello there"})";

Headers anthropicHeaders(Headers extra = {}) {
  extra.emplace_back("x-api-key", "sk-ant-test");
  extra.emplace_back("anthropic-version", "2023-06-01");
  return extra;
}

std::string str(simdjson::dom::element value, const char* pointer) {
  std::string_view out;
  if (value.at_pointer(pointer).get_string().get(out) != simdjson::SUCCESS) return "<absent>";
  return std::string(out);
}

int64_t integer(simdjson::dom::element value, const char* pointer) {
  int64_t out = -1;
  if (value.at_pointer(pointer).get_int64().get(out) != simdjson::SUCCESS) return -1;
  return out;
}

bool isNull(simdjson::dom::element value, const char* pointer) {
  simdjson::dom::element inner;
  return value.at_pointer(pointer).get(inner) == simdjson::SUCCESS && inner.is_null();
}

size_t arraySize(simdjson::dom::element value, const char* pointer) {
  simdjson::dom::array array;
  if (value.at_pointer(pointer).get_array().get(array) != simdjson::SUCCESS) return 0;
  return array.size();
}

// Checks Anthropic's stream grammar: message_start first, blocks opened in index order from 0 and
// closed before the next opens, deltas of the open block's kind only, message_delta then
// message_stop at the end (or an error event as the last). "" when it holds, else what broke.
std::string anthropicGrammar(const std::vector<SseEvent>& events) {
  simdjson::dom::parser parser;
  if (events.empty()) return "no events";
  int64_t open = -1;
  int64_t started = 0;
  std::string open_type;
  bool delta_seen = false;
  for (size_t i = 0; i < events.size(); ++i) {
    const SseEvent& event = events[i];
    const std::string where = "event " + std::to_string(i) + " (" + event.event + "): ";
    simdjson::dom::element data;
    if (parser.parse(event.data).get(data) != simdjson::SUCCESS) return where + "bad JSON";
    if (str(data, "/type") != event.event) return where + "data.type differs";
    const bool last = i + 1 == events.size();
    if (event.event == "error") {
      return last ? "" : where + "an error event is not the last";
    }
    if ((i == 0) != (event.event == "message_start")) return where + "message_start not first";
    if (event.event == "content_block_start") {
      if (open >= 0) return where + "a block is still open";
      if (integer(data, "/index") != started) return where + "index out of order";
      open = started++;
      open_type = str(data, "/content_block/type");
    } else if (event.event == "content_block_delta") {
      if (integer(data, "/index") != open) return where + "delta outside the open block";
      const std::string type = str(data, "/delta/type");
      const bool fits =
          (open_type == "text" && type == "text_delta") ||
          (open_type == "tool_use" && type == "input_json_delta") ||
          (open_type == "thinking" && (type == "thinking_delta" || type == "signature_delta"));
      if (!fits) return where + type + " in a " + open_type + " block";
    } else if (event.event == "content_block_stop") {
      if (integer(data, "/index") != open) return where + "stop of a block not open";
      open = -1;
    } else if (event.event == "message_delta") {
      if (open >= 0) return where + "block left open";
      if (delta_seen) return where + "second message_delta";
      delta_seen = true;
    } else if (event.event == "message_stop") {
      if (!last || !delta_seen) return where + "message_stop not last or without message_delta";
    } else if (event.event != "ping" && event.event != "message_start") {
      return where + "unknown event";
    }
  }
  return events.back().event == "message_stop" ? "" : "no message_stop at the end";
}

// Checks the Responses stream grammar: sequence_number 0, 1, 2...; created, in_progress first;
// items added in output_index order, each done before the next starts; deltas name the open
// item; completed / incomplete / failed last.
std::string responsesGrammar(const std::vector<SseEvent>& events) {
  simdjson::dom::parser parser;
  if (events.size() < 3) return "too few events";
  int64_t items = 0;
  std::string open_item;
  for (size_t i = 0; i < events.size(); ++i) {
    const SseEvent& event = events[i];
    const std::string where = "event " + std::to_string(i) + " (" + event.event + "): ";
    simdjson::dom::element data;
    if (parser.parse(event.data).get(data) != simdjson::SUCCESS) return where + "bad JSON";
    if (str(data, "/type") != event.event) return where + "data.type differs";
    if (integer(data, "/sequence_number") != static_cast<int64_t>(i)) return where + "sequence";
    const bool last = i + 1 == events.size();
    const bool final = event.event == "response.completed" ||
                       event.event == "response.incomplete" || event.event == "response.failed";
    if (final != last) return where + "final event misplaced";
    if (i == 0 && event.event != "response.created") return where + "created not first";
    if (i == 1 && event.event != "response.in_progress") return where + "in_progress not second";
    if (event.event == "response.output_item.added") {
      if (!open_item.empty()) return where + "an item is still open";
      if (integer(data, "/output_index") != items++) return where + "output_index out of order";
      open_item = str(data, "/item/id");
    } else if (event.event == "response.output_item.done") {
      if (str(data, "/item/id") != open_item) return where + "done of an item not open";
      open_item.clear();
    } else if (event.event.ends_with(".delta") || event.event.ends_with("part.added")) {
      if (str(data, "/item_id") != open_item) return where + "names an item not open";
    } else if (final && !open_item.empty()) {
      if (event.event != "response.failed") return where + "item left open";
    }
  }
  return "";
}

class MockProtocolsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(mock_.start()) << mock_.lastError(); }

  struct Stream {
    HttpResponse head;
    std::vector<SseEvent> events;
    bool complete = false;
  };

  Stream stream(std::string_view path, const Headers& headers, const std::string& body) {
    HttpClient http("127.0.0.1", mock_.port());
    Stream out;
    out.head = http.startStream("POST", path, headers, body);
    EXPECT_TRUE(out.head.ok) << out.head.error;
    while (auto event = http.readSseEvent(5s)) out.events.push_back(*event);
    out.complete = http.bodyComplete();
    return out;
  }

  simdjson::dom::element parse(const std::string& text) {
    simdjson::dom::element doc;
    EXPECT_EQ(json_.parse(text).get(doc), simdjson::SUCCESS) << text;
    return doc;
  }

  // The events of one type, parsed one at a time by the caller.
  static std::vector<std::string> eventsOf(const Stream& s, std::string_view type) {
    std::vector<std::string> out;
    for (const SseEvent& event : s.events) {
      if (event.event == type) out.push_back(event.data);
    }
    return out;
  }

  MockProvider mock_;
  simdjson::dom::parser json_;
};

// --- Anthropic Messages -----------------------------------------------------------------------

TEST_F(MockProtocolsTest, MessagesAnswersAnthropicShape) {
  HttpResponse response = httpPost(mock_.port(), "/v1/messages", kMessages, anthropicHeaders());
  ASSERT_TRUE(response.ok) << response.error;
  EXPECT_EQ(response.status, 200);
  auto doc = parse(response.body);
  EXPECT_TRUE(str(doc, "/id").starts_with("msg_mock_"));
  EXPECT_EQ(str(doc, "/type"), "message");
  EXPECT_EQ(str(doc, "/role"), "assistant");
  EXPECT_EQ(str(doc, "/model"), "claude-test");
  EXPECT_EQ(arraySize(doc, "/content"), 1u);
  EXPECT_EQ(str(doc, "/content/0/type"), "text");
  EXPECT_EQ(str(doc, "/content/0/text"), "Hello from the mock provider");
  EXPECT_EQ(str(doc, "/stop_reason"), "end_turn");
  EXPECT_TRUE(isNull(doc, "/stop_sequence"));
  EXPECT_EQ(integer(doc, "/usage/input_tokens"), 2);  // "hello": ceil(5 / 4)
  EXPECT_EQ(integer(doc, "/usage/output_tokens"), 5);
  EXPECT_EQ(integer(doc, "/usage/cache_read_input_tokens"), 0);
  EXPECT_EQ(integer(doc, "/usage/cache_creation_input_tokens"), 0);
}

TEST_F(MockProtocolsTest, MessagesCheckKeyVersionAndBody) {
  auto expectError = [&](const HttpResponse& response, int status, const std::string& type,
                         const std::string& message) {
    ASSERT_TRUE(response.ok) << response.error;
    EXPECT_EQ(response.status, status) << response.body;
    auto doc = parse(response.body);
    EXPECT_EQ(str(doc, "/type"), "error");
    EXPECT_EQ(str(doc, "/error/type"), type);
    EXPECT_EQ(str(doc, "/error/message"), message);
  };
  expectError(httpPost(mock_.port(), "/v1/messages", kMessages, {{"anthropic-version", "1"}}), 401,
              "authentication_error", "x-api-key header is required");
  expectError(httpPost(mock_.port(), "/v1/messages", kMessages,
                       anthropicHeaders({{"x-mock-api-key", "sk-other"}})),
              401, "authentication_error", "invalid x-api-key");
  expectError(httpPost(mock_.port(), "/v1/messages", kMessages, {{"x-api-key", "k"}}), 400,
              "invalid_request_error", "anthropic-version: header is required");
  const Headers ok = anthropicHeaders();
  expectError(httpPost(mock_.port(), "/v1/messages", "not json", ok), 400, "invalid_request_error",
              "mock provider: the request body is not a JSON object");
  expectError(httpPost(mock_.port(), "/v1/messages", R"({"max_tokens":1,"messages":[]})", ok), 400,
              "invalid_request_error", "model: Field required");
  expectError(httpPost(mock_.port(), "/v1/messages", R"({"model":"m","messages":[{}]})", ok), 400,
              "invalid_request_error", "max_tokens: Field required");
  expectError(
      httpPost(mock_.port(), "/v1/messages", R"({"model":"m","max_tokens":0,"messages":[{}]})", ok),
      400, "invalid_request_error", "max_tokens: Input should be a valid integer, at least 1");
  expectError(httpPost(mock_.port(), "/v1/messages", R"({"model":"m","max_tokens":9})", ok), 400,
              "invalid_request_error", "messages: Field required");
  expectError(
      httpPost(mock_.port(), "/v1/messages", R"({"model":"m","max_tokens":9,"messages":[]})", ok),
      400, "invalid_request_error", "messages: at least one message is required");
  // The key knob accepts the right key.
  EXPECT_EQ(httpPost(mock_.port(), "/v1/messages", kMessages,
                     anthropicHeaders({{"x-mock-api-key", "sk-ant-test"}}))
                .status,
            200);
}

TEST_F(MockProtocolsTest, MessagesScriptedStatusesUseAnthropicErrorTypes) {
  const std::vector<std::pair<int, std::string>> cases = {{400, "invalid_request_error"},
                                                          {401, "authentication_error"},
                                                          {403, "permission_error"},
                                                          {404, "not_found_error"},
                                                          {413, "request_too_large"},
                                                          {429, "rate_limit_error"},
                                                          {500, "api_error"},
                                                          {529, "overloaded_error"}};
  for (const auto& [status, type] : cases) {
    HttpResponse response = httpPost(
        mock_.port(), "/v1/messages", kMessagesStream,
        anthropicHeaders({{"x-mock-status", std::to_string(status)}, {"x-mock-retry-after", "3"}}));
    ASSERT_TRUE(response.ok) << response.error;
    EXPECT_EQ(response.status, status);
    EXPECT_EQ(response.header("content-type"), "application/json");
    EXPECT_EQ(response.header("retry-after"), "3");
    auto doc = parse(response.body);
    EXPECT_EQ(str(doc, "/type"), "error");
    EXPECT_EQ(str(doc, "/error/type"), type) << status;
  }
  HttpResponse overloaded = httpPost(
      mock_.port(), "/v1/messages",
      R"({"model":"mock-status-529","max_tokens":5,"messages":[{"role":"user","content":"x"}]})",
      anthropicHeaders());
  EXPECT_EQ(overloaded.status, 529);
  EXPECT_EQ(overloaded.reason, "Overloaded");
}

TEST_F(MockProtocolsTest, MessagesStreamFollowsTheEventGrammar) {
  Stream s = stream("/v1/messages", anthropicHeaders({{"x-mock-chunks", "3"}}), kMessagesStream);
  EXPECT_EQ(s.head.status, 200);
  EXPECT_EQ(s.head.header("content-type"), "text/event-stream");
  EXPECT_TRUE(s.complete);
  EXPECT_EQ(anthropicGrammar(s.events), "");
  std::vector<std::string> types;
  for (const SseEvent& event : s.events) types.push_back(event.event);
  EXPECT_EQ(types, (std::vector<std::string>{"message_start", "ping", "content_block_start",
                                             "content_block_delta", "content_block_delta",
                                             "content_block_delta", "content_block_stop",
                                             "message_delta", "message_stop"}));
  auto start = parse(s.events[0].data);
  EXPECT_EQ(str(start, "/message/model"), "claude-test");
  EXPECT_EQ(integer(start, "/message/usage/input_tokens"), 2);
  EXPECT_TRUE(isNull(start, "/message/stop_reason"));
  auto end = parse(s.events[7].data);
  EXPECT_EQ(str(end, "/delta/stop_reason"), "end_turn");
  EXPECT_EQ(integer(end, "/usage/output_tokens"), 3);
}

TEST_F(MockProtocolsTest, MessagesThinkingAndToolsInStreamAndBody) {
  const std::string body = R"({"model":"c","max_tokens":64,"stream":true,)"
                           R"("thinking":{"type":"enabled","budget_tokens":1024},)" +
                           kTools + R"(,"messages":[{"role":"user","content":"weather?"}]})";
  Stream s = stream("/v1/messages", anthropicHeaders({{"x-mock-tool-calls", "2"}}), body);
  ASSERT_EQ(anthropicGrammar(s.events), "");
  std::vector<std::string> blocks;
  for (const std::string& data : eventsOf(s, "content_block_start")) {
    auto doc = parse(data);
    blocks.push_back(str(doc, "/content_block/type") + ":" + str(doc, "/content_block/name"));
  }
  EXPECT_EQ(blocks, (std::vector<std::string>{"thinking:<absent>", "text:<absent>",
                                              "tool_use:get_weather", "tool_use:get_time"}));
  std::string thinking;
  std::string signature;
  std::vector<std::string> inputs(4);
  int input_pieces = 0;
  for (const std::string& data : eventsOf(s, "content_block_delta")) {
    auto doc = parse(data);
    const std::string type = str(doc, "/delta/type");
    if (type == "thinking_delta") thinking += str(doc, "/delta/thinking");
    if (type == "signature_delta") signature = str(doc, "/delta/signature");
    if (type == "input_json_delta") {
      inputs[static_cast<size_t>(integer(doc, "/index"))] += str(doc, "/delta/partial_json");
      ++input_pieces;
    }
  }
  EXPECT_EQ(thinking, "Let me think about the request.");
  EXPECT_TRUE(signature.starts_with("sig_mock_")) << signature;
  EXPECT_EQ(input_pieces, 6);  // each input in three pieces
  EXPECT_EQ(inputs[2], R"({"call":1,"query":"mock"})");
  EXPECT_EQ(inputs[3], R"({"call":2,"query":"mock"})");
  auto end = parse(eventsOf(s, "message_delta").at(0));
  EXPECT_EQ(str(end, "/delta/stop_reason"), "tool_use");

  // The same request, not streamed, and a custom input.
  std::string whole = body;
  whole.replace(whole.find(R"("stream":true,)"), 14, "");
  HttpResponse response = httpPost(
      mock_.port(), "/v1/messages", whole,
      anthropicHeaders({{"x-mock-tool-calls", "1"}, {"x-mock-tool-input", R"({"city":"Paris"})"}}));
  auto doc = parse(response.body);
  ASSERT_EQ(arraySize(doc, "/content"), 3u);
  EXPECT_EQ(str(doc, "/content/0/type"), "thinking");
  EXPECT_EQ(str(doc, "/content/0/thinking"), "Let me think about the request.");
  EXPECT_TRUE(str(doc, "/content/0/signature").starts_with("sig_mock_"));
  EXPECT_EQ(str(doc, "/content/1/type"), "text");
  EXPECT_EQ(str(doc, "/content/2/type"), "tool_use");
  EXPECT_TRUE(str(doc, "/content/2/id").starts_with("toolu_mock_"));
  EXPECT_EQ(str(doc, "/content/2/name"), "get_weather");
  EXPECT_EQ(str(doc, "/content/2/input/city"), "Paris");
  EXPECT_EQ(str(doc, "/stop_reason"), "tool_use");
}

TEST_F(MockProtocolsTest, ToolChoiceForcesOrForbidsTools) {
  auto request = [&](const std::string& choice, Headers headers) {
    return parse(httpPost(mock_.port(), "/v1/messages",
                          R"({"model":"c","max_tokens":9,)" + kTools + R"(,"tool_choice":)" +
                              choice + R"(,"messages":[{"role":"user","content":"x"}]})",
                          anthropicHeaders(std::move(headers)))
                     .body);
  };
  auto named = request(R"({"type":"tool","name":"get_time"})", {{"x-mock-chunks", "0"}});
  ASSERT_EQ(arraySize(named, "/content"), 1u);  // no empty text block next to a tool call
  EXPECT_EQ(str(named, "/content/0/name"), "get_time");
  EXPECT_EQ(str(named, "/stop_reason"), "tool_use");
  auto any = request(R"({"type":"any"})", {});
  EXPECT_EQ(arraySize(any, "/content"), 2u);
  EXPECT_EQ(str(any, "/content/1/name"), "get_weather");
  auto none = request(R"({"type":"none"})", {{"x-mock-tool-calls", "2"}});
  EXPECT_EQ(arraySize(none, "/content"), 1u);
  EXPECT_EQ(str(none, "/stop_reason"), "end_turn");
  auto auto_choice = request(R"({"type":"auto"})", {});
  EXPECT_EQ(arraySize(auto_choice, "/content"), 1u);
  // Without tools in the request the knob has nothing to call.
  auto plain = parse(httpPost(mock_.port(), "/v1/messages", kMessages,
                              anthropicHeaders({{"x-mock-tool-calls", "1"}}))
                         .body);
  EXPECT_EQ(arraySize(plain, "/content"), 1u);
}

TEST_F(MockProtocolsTest, StopReasonAndCacheKnobs) {
  const std::string with_stops = R"({"model":"c","max_tokens":9,"stop_sequences":["END","###"],)"
                                 R"("messages":[{"role":"user","content":"x"}]})";
  auto stop = parse(httpPost(mock_.port(), "/v1/messages", with_stops,
                             anthropicHeaders({{"x-mock-stop-reason", "stop_sequence"}}))
                        .body);
  EXPECT_EQ(str(stop, "/stop_reason"), "stop_sequence");
  EXPECT_EQ(str(stop, "/stop_sequence"), "END");
  auto chosen = parse(httpPost(mock_.port(), "/v1/messages", with_stops,
                               anthropicHeaders({{"x-mock-stop-reason", "stop_sequence"},
                                                 {"x-mock-stop-sequence", "###"}}))
                          .body);
  EXPECT_EQ(str(chosen, "/stop_sequence"), "###");
  auto length = parse(httpPost(mock_.port(), "/v1/messages", kMessages,
                               anthropicHeaders({{"x-mock-stop-reason", "length"}}))
                          .body);
  EXPECT_EQ(str(length, "/stop_reason"), "max_tokens");  // OpenAI's word, Anthropic's answer
  EXPECT_TRUE(isNull(length, "/stop_sequence"));

  const Headers usage = anthropicHeaders({{"x-mock-stop-reason", "max_tokens"},
                                          {"x-mock-prompt-tokens", "100"},
                                          {"x-mock-completion-tokens", "42"},
                                          {"x-mock-cache-read-tokens", "30"},
                                          {"x-mock-cache-creation-tokens", "20"}});
  auto whole = parse(httpPost(mock_.port(), "/v1/messages", kMessages, usage).body);
  EXPECT_EQ(integer(whole, "/usage/input_tokens"), 100);
  EXPECT_EQ(integer(whole, "/usage/output_tokens"), 42);
  EXPECT_EQ(integer(whole, "/usage/cache_read_input_tokens"), 30);
  EXPECT_EQ(integer(whole, "/usage/cache_creation_input_tokens"), 20);
  Stream s = stream("/v1/messages", usage, kMessagesStream);
  ASSERT_EQ(anthropicGrammar(s.events), "");
  auto start = parse(s.events.front().data);
  EXPECT_EQ(integer(start, "/message/usage/input_tokens"), 100);
  EXPECT_EQ(integer(start, "/message/usage/cache_read_input_tokens"), 30);
  EXPECT_EQ(integer(start, "/message/usage/cache_creation_input_tokens"), 20);
  auto end = parse(eventsOf(s, "message_delta").at(0));
  EXPECT_EQ(str(end, "/delta/stop_reason"), "max_tokens");
  EXPECT_EQ(integer(end, "/usage/output_tokens"), 42);
}

TEST_F(MockProtocolsTest, MessagesErrorEventMidStream) {
  Stream s =
      stream("/v1/messages", anthropicHeaders({{"x-mock-error-after", "2"}}), kMessagesStream);
  EXPECT_EQ(s.head.status, 200);
  EXPECT_TRUE(s.complete);  // the error event ends the body cleanly
  EXPECT_EQ(anthropicGrammar(s.events), "");
  ASSERT_EQ(s.events.back().event, "error");
  EXPECT_EQ(eventsOf(s, "content_block_delta").size(), 2u);
  auto error = parse(s.events.back().data);
  EXPECT_EQ(str(error, "/type"), "error");
  EXPECT_EQ(str(error, "/error/type"), "overloaded_error");

  Stream first =
      stream("/v1/messages",
             anthropicHeaders({{"x-mock-error-after", "0"}, {"x-mock-error-status", "500"}}),
             kMessagesStream);
  ASSERT_EQ(first.events.size(), 1u);  // overloaded before message_start, as Anthropic does
  EXPECT_EQ(str(parse(first.events[0].data), "/error/type"), "api_error");
}

TEST_F(MockProtocolsTest, ResetAndStallWorkOnMessagesStreams) {
  Stream reset =
      stream("/v1/messages", anthropicHeaders({{"x-mock-reset-after", "1"}}), kMessagesStream);
  EXPECT_FALSE(reset.complete);
  EXPECT_EQ(eventsOf(reset, "content_block_delta").size(), 1u);
  EXPECT_EQ(mock_.resetsSent(), 1u);

  {
    HttpClient http("127.0.0.1", mock_.port());
    ASSERT_TRUE(http.startStream("POST", "/v1/messages",
                                 anthropicHeaders({{"x-mock-stall-after", "1"}}), kMessagesStream)
                    .ok);
    int deltas = 0;
    while (auto event = http.readSseEvent(300ms)) deltas += event->event == "content_block_delta";
    EXPECT_TRUE(http.timedOut());
    EXPECT_FALSE(http.bodyComplete());
    EXPECT_EQ(deltas, 1);
    EXPECT_EQ(mock_.inFlight(), 1u);
  }
  EXPECT_TRUE(eventually([&] { return mock_.clientAborts() == 1 && mock_.inFlight() == 0; }));
}

TEST_F(MockProtocolsTest, CountTokensMatchesMessagesInputTokens) {
  const std::string body =
      R"({"model":"c","system":"You are terse.","messages":[{"role":"user","content":)"
      R"([{"type":"text","text":"count these words please"}]}]})";
  HttpResponse count =
      httpPost(mock_.port(), "/v1/messages/count_tokens", body, anthropicHeaders());
  ASSERT_TRUE(count.ok) << count.error;
  EXPECT_EQ(count.status, 200);
  auto doc = parse(count.body);
  EXPECT_EQ(integer(doc, "/input_tokens"), 10);  // (14 + 24) bytes of text / 4, rounded up

  std::string messages = body;
  messages.insert(1, R"("max_tokens":5,)");
  auto answer = parse(httpPost(mock_.port(), "/v1/messages", messages, anthropicHeaders()).body);
  EXPECT_EQ(integer(answer, "/usage/input_tokens"), 10);

  auto knob = parse(httpPost(mock_.port(), "/v1/messages/count_tokens", body,
                             anthropicHeaders({{"x-mock-prompt-tokens", "77"}}))
                        .body);
  EXPECT_EQ(integer(knob, "/input_tokens"), 77);
  EXPECT_EQ(httpPost(mock_.port(), "/v1/messages/count_tokens", body, {{"x-api-key", "k"}}).status,
            400);
  HttpResponse overloaded = httpPost(mock_.port(), "/v1/messages/count_tokens", body,
                                     anthropicHeaders({{"x-mock-status", "529"}}));
  EXPECT_EQ(str(parse(overloaded.body), "/error/type"), "overloaded_error");
}

TEST_F(MockProtocolsTest, RecordsAnthropicRequestsForAssertions) {
  ASSERT_EQ(httpPost(mock_.port(), "/v1/messages?beta=true", kMessages,
                     anthropicHeaders({{"anthropic-beta", "tools-2024-05-16"}}))
                .status,
            200);
  ASSERT_EQ(
      httpPost(mock_.port(), "/v1/messages/count_tokens", kMessages, anthropicHeaders()).status,
      200);
  EXPECT_EQ(mock_.requestCount(), 2u);
  std::vector<RecordedRequest> seen = mock_.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/v1/messages?beta=true");
  EXPECT_EQ(seen[0].header("x-api-key"), "sk-ant-test");
  EXPECT_EQ(seen[0].header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(seen[0].header("anthropic-beta"), "tools-2024-05-16");
  EXPECT_EQ(seen[0].body, kMessages);
  EXPECT_EQ(mock_.lastRequest()->path, "/v1/messages/count_tokens");
  auto recorded = parse(httpGet(mock_.port(), "/__mock/requests").body);
  EXPECT_EQ(str(recorded, "/0/headers/anthropic-version"), "2023-06-01");
}

TEST_F(MockProtocolsTest, ModelsInAnthropicShapeWithAVersionHeader) {
  auto doc = parse(httpGet(mock_.port(), "/v1/models", anthropicHeaders()).body);
  EXPECT_EQ(str(doc, "/data/0/type"), "model");
  EXPECT_EQ(str(doc, "/data/0/id"), "mock-model");
  EXPECT_EQ(str(doc, "/first_id"), "mock-model");
  EXPECT_EQ(str(doc, "/last_id"), "gpt-4o-mini");
  bool more = true;
  ASSERT_EQ(doc.at_pointer("/has_more").get_bool().get(more), simdjson::SUCCESS);
  EXPECT_FALSE(more);
  EXPECT_EQ(str(parse(httpGet(mock_.port(), "/v1/models").body), "/object"), "list");
}

// --- OpenAI Responses ------------------------------------------------------------------------

TEST_F(MockProtocolsTest, ResponsesAnswersResponseObject) {
  HttpResponse response = httpPost(mock_.port(), "/v1/responses", kResponses);
  ASSERT_TRUE(response.ok) << response.error;
  EXPECT_EQ(response.status, 200);
  auto doc = parse(response.body);
  EXPECT_TRUE(str(doc, "/id").starts_with("resp_mock_"));
  EXPECT_EQ(str(doc, "/object"), "response");
  EXPECT_EQ(str(doc, "/status"), "completed");
  EXPECT_EQ(str(doc, "/model"), "gpt-test");
  ASSERT_EQ(arraySize(doc, "/output"), 1u);
  EXPECT_EQ(str(doc, "/output/0/type"), "message");
  EXPECT_EQ(str(doc, "/output/0/role"), "assistant");
  EXPECT_EQ(str(doc, "/output/0/content/0/type"), "output_text");
  EXPECT_EQ(str(doc, "/output/0/content/0/text"), "Hello from the mock provider");
  EXPECT_EQ(integer(doc, "/usage/input_tokens"), 3);  // "hello there"
  EXPECT_EQ(integer(doc, "/usage/output_tokens"), 5);
  EXPECT_EQ(integer(doc, "/usage/total_tokens"), 8);
  EXPECT_EQ(integer(doc, "/usage/input_tokens_details/cached_tokens"), 0);
  EXPECT_EQ(integer(doc, "/usage/output_tokens_details/reasoning_tokens"), 0);
}

TEST_F(MockProtocolsTest, ResponsesReasoningFunctionCallsAndIncomplete) {
  const std::string body =
      R"({"model":"gpt-test","input":[{"role":"user","content":"hi"}],)"
      R"("reasoning":{"effort":"low"},"tool_choice":"required",)"
      R"("tools":[{"type":"function","name":"lookup","parameters":{"type":"object"}}]})";
  auto doc = parse(httpPost(mock_.port(), "/v1/responses", body,
                            {{"x-mock-cache-read-tokens", "4"}, {"x-mock-prompt-tokens", "10"}})
                       .body);
  ASSERT_EQ(arraySize(doc, "/output"), 3u);
  EXPECT_EQ(str(doc, "/output/0/type"), "reasoning");
  EXPECT_EQ(str(doc, "/output/0/summary/0/text"), "Let me think about the request.");
  EXPECT_EQ(str(doc, "/output/1/type"), "message");
  EXPECT_EQ(str(doc, "/output/2/type"), "function_call");
  EXPECT_EQ(str(doc, "/output/2/name"), "lookup");
  EXPECT_TRUE(str(doc, "/output/2/call_id").starts_with("call_mock_"));
  EXPECT_EQ(str(doc, "/output/2/arguments"), R"({"call":1,"query":"mock"})");
  EXPECT_EQ(str(doc, "/status"), "completed");
  EXPECT_EQ(integer(doc, "/usage/input_tokens"), 10);
  EXPECT_EQ(integer(doc, "/usage/input_tokens_details/cached_tokens"), 4);
  EXPECT_EQ(integer(doc, "/usage/output_tokens_details/reasoning_tokens"), 2);

  auto cut = parse(
      httpPost(mock_.port(), "/v1/responses", kResponses, {{"x-mock-stop-reason", "max_tokens"}})
          .body);
  EXPECT_EQ(str(cut, "/status"), "incomplete");
  EXPECT_EQ(str(cut, "/incomplete_details/reason"), "max_output_tokens");
  EXPECT_EQ(str(cut, "/output/0/status"), "incomplete");
}

TEST_F(MockProtocolsTest, ResponsesStreamFollowsTheEventGrammar) {
  const std::string body =
      R"({"model":"gpt-test","stream":true,"input":"hi","reasoning":{"effort":"high"},)"
      R"("tools":[{"type":"function","name":"lookup"}]})";
  Stream s = stream("/v1/responses", {{"x-mock-tool-calls", "1"}, {"x-mock-chunks", "3"}}, body);
  EXPECT_TRUE(s.complete);
  ASSERT_EQ(responsesGrammar(s.events), "");
  std::vector<std::string> types;
  for (const SseEvent& event : s.events) types.push_back(event.event);
  EXPECT_EQ(types, (std::vector<std::string>{
                       "response.created",
                       "response.in_progress",
                       "response.output_item.added",
                       "response.reasoning_summary_part.added",
                       "response.reasoning_summary_text.delta",
                       "response.reasoning_summary_text.delta",
                       "response.reasoning_summary_text.done",
                       "response.reasoning_summary_part.done",
                       "response.output_item.done",
                       "response.output_item.added",
                       "response.content_part.added",
                       "response.output_text.delta",
                       "response.output_text.delta",
                       "response.output_text.delta",
                       "response.output_text.done",
                       "response.content_part.done",
                       "response.output_item.done",
                       "response.output_item.added",
                       "response.function_call_arguments.delta",
                       "response.function_call_arguments.delta",
                       "response.function_call_arguments.delta",
                       "response.function_call_arguments.done",
                       "response.output_item.done",
                       "response.completed",
                   }));
  std::string text;
  for (const std::string& data : eventsOf(s, "response.output_text.delta")) {
    text += str(parse(data), "/delta");
  }
  EXPECT_EQ(text, "Hello from the");
  EXPECT_EQ(str(parse(eventsOf(s, "response.output_text.done").at(0)), "/text"), text);
  auto created = parse(s.events.front().data);
  EXPECT_EQ(str(created, "/response/status"), "in_progress");
  auto done = parse(s.events.back().data);
  EXPECT_EQ(str(done, "/response/status"), "completed");
  EXPECT_EQ(arraySize(done, "/response/output"), 3u);
  EXPECT_EQ(integer(done, "/response/usage/output_tokens"), 8);  // 2 + 3 + 3 content events

  Stream cut = stream("/v1/responses", {{"x-mock-stop-reason", "max_tokens"}},
                      R"({"model":"m","stream":true,"input":"x"})");
  ASSERT_EQ(responsesGrammar(cut.events), "");
  EXPECT_EQ(cut.events.back().event, "response.incomplete");
}

TEST_F(MockProtocolsTest, ResponsesErrorsInOpenAiShape) {
  HttpResponse missing = httpPost(mock_.port(), "/v1/responses", R"({"input":"x"})");
  EXPECT_EQ(missing.status, 400);
  auto doc = parse(missing.body);
  EXPECT_EQ(str(doc, "/error/type"), "invalid_request_error");
  EXPECT_EQ(str(doc, "/error/message"), "Missing required parameter: 'model'.");

  HttpResponse limited =
      httpPost(mock_.port(), "/v1/responses", kResponses, {{"x-mock-status", "429"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(str(parse(limited.body), "/error/code"), "rate_limit_exceeded");

  HttpResponse keyed = httpPost(mock_.port(), "/v1/responses", kResponses,
                                {{"x-mock-api-key", "sk-up"}, {"Authorization", "Bearer nope"}});
  EXPECT_EQ(keyed.status, 401);
  EXPECT_EQ(str(parse(keyed.body), "/error/code"), "invalid_api_key");
  EXPECT_EQ(httpPost(mock_.port(), "/v1/responses", kResponses,
                     {{"x-mock-api-key", "sk-up"}, {"Authorization", "Bearer sk-up"}})
                .status,
            200);

  Stream failed = stream("/v1/responses", {{"x-mock-error-after", "1"}},
                         R"({"model":"m","stream":true,"input":"x"})");
  EXPECT_TRUE(failed.complete);
  ASSERT_EQ(responsesGrammar(failed.events), "");
  auto last = parse(failed.events.back().data);
  EXPECT_EQ(failed.events.back().event, "response.failed");
  EXPECT_EQ(str(last, "/response/status"), "failed");
  EXPECT_EQ(str(last, "/response/error/code"), "server_error");
}

// --- the same knobs on chat completions ---------------------------------------------------

TEST_F(MockProtocolsTest, ChatToolCallsReasoningAndFinishReason) {
  const std::string tools =
      R"("tools":[{"type":"function","function":{"name":"lookup","parameters":{}}}])";
  auto doc = parse(httpPost(mock_.port(), "/v1/chat/completions",
                            R"({"model":"g","reasoning_effort":"low",)" + tools +
                                R"(,"messages":[{"role":"user","content":"x"}]})",
                            {{"x-mock-tool-calls", "1"}, {"x-mock-cache-read-tokens", "2"}})
                       .body);
  EXPECT_EQ(str(doc, "/choices/0/finish_reason"), "tool_calls");
  EXPECT_EQ(str(doc, "/choices/0/message/reasoning_content"), "Let me think about the request.");
  EXPECT_EQ(str(doc, "/choices/0/message/tool_calls/0/function/name"), "lookup");
  EXPECT_EQ(str(doc, "/choices/0/message/tool_calls/0/function/arguments"),
            R"({"call":1,"query":"mock"})");
  EXPECT_TRUE(str(doc, "/choices/0/message/tool_calls/0/id").starts_with("call_mock_"));
  EXPECT_EQ(integer(doc, "/usage/prompt_tokens_details/cached_tokens"), 2);

  Stream s = stream("/v1/chat/completions", {{"x-mock-tool-calls", "2"}, {"x-mock-chunks", "0"}},
                    R"({"model":"g","stream":true,"tool_choice":"required",)" + tools +
                        R"(,"messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(s.events.size(), 8u);  // 2 calls x 3 pieces, the finish chunk, [DONE]
  std::vector<std::string> arguments(2);
  for (size_t i = 0; i < 6; ++i) {
    auto chunk = parse(s.events[i].data);
    EXPECT_TRUE(isNull(chunk, "/choices/0/finish_reason"));
    arguments[static_cast<size_t>(integer(chunk, "/choices/0/delta/tool_calls/0/index"))] +=
        str(chunk, "/choices/0/delta/tool_calls/0/function/arguments");
  }
  EXPECT_EQ(str(parse(s.events[0].data), "/choices/0/delta/role"), "assistant");
  EXPECT_EQ(str(parse(s.events[3].data), "/choices/0/delta/tool_calls/0/function/name"), "lookup");
  EXPECT_EQ(arguments[1], R"({"call":2,"query":"mock"})");
  EXPECT_EQ(str(parse(s.events[6].data), "/choices/0/finish_reason"), "tool_calls");
  EXPECT_EQ(s.events[7].data, "[DONE]");

  auto length = parse(httpPost(mock_.port(), "/v1/chat/completions", R"({"model":"g"})",
                               {{"x-mock-stop-reason", "max_tokens"}})
                          .body);
  EXPECT_EQ(str(length, "/choices/0/finish_reason"), "length");
}

TEST_F(MockProtocolsTest, ChatErrorChunkAndStall) {
  Stream s = stream("/v1/chat/completions", {{"x-mock-error-after", "1"}},
                    R"({"model":"g","stream":true,"messages":[]})");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_TRUE(s.complete);
  EXPECT_EQ(str(parse(s.events[1].data), "/error/type"), "server_error");

  HttpClient http("127.0.0.1", mock_.port());
  HttpResponse head =
      http.startStream("POST", "/v1/chat/completions", {{"x-mock-stall-after", "0"}},
                       R"({"model":"g","messages":[]})");
  ASSERT_TRUE(head.ok);
  EXPECT_EQ(head.status, 200);  // non-streaming: the head, then nothing
  EXPECT_FALSE(http.readChunk(200ms).has_value());
  EXPECT_TRUE(http.timedOut());
}

TEST_F(MockProtocolsTest, BehaviourEndpointTakesTheNewKnobs) {
  ASSERT_EQ(httpPost(mock_.port(), "/__mock/behaviour",
                     R"({"thinking":true,"stop_reason":"refusal","cache_read_tokens":5})")
                .status,
            200);
  auto doc = parse(httpPost(mock_.port(), "/v1/messages", kMessages, anthropicHeaders()).body);
  EXPECT_EQ(str(doc, "/content/0/type"), "thinking");
  EXPECT_EQ(str(doc, "/stop_reason"), "refusal");
  EXPECT_EQ(integer(doc, "/usage/cache_read_input_tokens"), 5);
  auto responses = parse(httpPost(mock_.port(), "/v1/responses", kResponses).body);
  EXPECT_EQ(str(responses, "/incomplete_details/reason"), "content_filter");
  mock_.reset();
  auto plain = parse(httpPost(mock_.port(), "/v1/messages", kMessages, anthropicHeaders()).body);
  EXPECT_EQ(str(plain, "/content/0/type"), "text");
}

TEST(MockProtocolsTls, AnthropicStreamOverTls) {
  TempDir dir;
  TestCerts certs = TestCerts::make(dir.path());
  ASSERT_TRUE(certs.ok) << certs.error;
  MockProvider::Options options;
  options.tls = true;
  options.cert_file = certs.cert_file;
  options.key_file = certs.key_file;
  MockProvider mock(options);
  ASSERT_TRUE(mock.start()) << mock.lastError();
  HttpClientOptions client;
  client.tls = true;
  client.ca_file = certs.ca_file;
  client.server_name = "localhost";
  HttpClient http("127.0.0.1", mock.port(), client);
  ASSERT_TRUE(http.startStream("POST", "/v1/messages", anthropicHeaders(), kMessagesStream).ok);
  std::vector<SseEvent> events;
  while (auto event = http.readSseEvent(5s)) events.push_back(*event);
  EXPECT_TRUE(http.bodyComplete());
  EXPECT_EQ(anthropicGrammar(events), "");
  EXPECT_EQ(mock.lastRequest()->sni, "localhost");
}

// The binary's --help lists the protocol endpoints and the knobs.
TEST(MockProtocolsCli, HelpDocumentsEndpointsAndKnobs) {
#ifdef LLMPROXY_MOCK_BINARY
  const std::string binary = LLMPROXY_MOCK_BINARY;
#else
  const std::string binary;
#endif
  if (binary.empty() || !std::filesystem::exists(binary)) GTEST_SKIP() << "llmproxy-mock not built";
  FILE* pipe = popen((binary + " --help").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string help;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) help.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0);
  for (const char* word :
       {"/v1/messages", "count_tokens", "/v1/responses", "anthropic-version", "x-mock-tool-calls",
        "x-mock-thinking", "x-mock-stop-reason", "x-mock-error-after", "x-mock-stall-after",
        "x-mock-cache-read-tokens", "529"}) {
    EXPECT_NE(help.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace llmproxy::testing
