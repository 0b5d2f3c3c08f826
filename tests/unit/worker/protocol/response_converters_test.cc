// Non-streaming converters (PROTOCOLS.md §3): provider bodies (tests/data/protocol/bodies/)
// read into the internal form and written for each other client protocol; the output matches
// its golden file (LLMPROXY_UPDATE_GOLDEN=1 rewrites them) and every mapping rule is asserted
// on the parsed output.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <fstream>

#include "stream_test_util.h"
#include "worker/protocol/anthropic_response.h"
#include "worker/protocol/chat_response.h"
#include "worker/protocol/item_ids.h"
#include "worker/protocol/responses_response.h"
#include "worker/protocol/stop_reason.h"

namespace llmproxy::worker::protocol::test {
namespace {

namespace dom = simdjson::dom;

enum class Format { Chat, Anthropic, Responses };

const char* formatName(Format f) {
  switch (f) {
    case Format::Chat:
      return "chat";
    case Format::Anthropic:
      return "anthropic";
    case Format::Responses:
      return "responses";
  }
  return "?";
}

common::Result<InternalResponse> parseBody(const std::string& name, const std::string& body) {
  return name.starts_with("chat_") ? parseChatCompletion(body) : parseAnthropicMessage(body);
}

std::string write(const InternalResponse& ir, Format format) {
  std::string out;
  switch (format) {
    case Format::Chat:
      writeChatCompletion(ir, testClient(), out);
      break;
    case Format::Anthropic:
      writeAnthropicMessage(ir, testClient(), out);
      break;
    case Format::Responses:
      writeResponsesResponse(ir, testClient(), out);
      break;
  }
  return out;
}

// Parsed JSON that outlives the parser call (one parser per document).
struct Json {
  explicit Json(const std::string& text) {
    EXPECT_EQ(parser.parse(text).get(root), simdjson::SUCCESS) << text;
  }
  dom::parser parser;
  dom::element root;
};

std::string str(simdjson::simdjson_result<dom::element> e) {
  std::string_view s;
  if (e.get_string().get(s)) return "<not a string>";
  return std::string(s);
}

uint64_t num(simdjson::simdjson_result<dom::element> e) {
  uint64_t n = 0;
  if (e.get_uint64().get(n)) return 999999;
  return n;
}

std::string minified(simdjson::simdjson_result<dom::element> e) {
  dom::element element;
  if (e.get(element)) return "<missing>";
  return simdjson::minify(element);
}

// --- Golden files ---------------------------------------------------------------------------

struct BodyCase {
  std::string name;
  Format to;
};

std::vector<BodyCase> bodyCases() {
  std::vector<BodyCase> cases;
  for (std::string name : {"chat_text", "chat_tools", "chat_reasoning", "chat_content_filter"}) {
    cases.push_back({name, Format::Anthropic});
    cases.push_back({name, Format::Responses});
  }
  for (std::string name : {"anthropic_text", "anthropic_tools", "anthropic_stop_sequence",
                           "anthropic_max_tokens", "anthropic_refusal"}) {
    cases.push_back({name, Format::Chat});
    cases.push_back({name, Format::Responses});
  }
  return cases;
}

class BodyGoldenTest : public ::testing::TestWithParam<BodyCase> {};

TEST_P(BodyGoldenTest, MatchesGoldenAndIsValidJsonWithTheClientsModel) {
  const BodyCase& c = GetParam();
  setItemIdKeyMaterial("golden");  // the Responses item ids carry their item under this key
  auto ir = parseBody(c.name, readData("bodies/" + c.name + ".json"));
  ASSERT_TRUE(ir.has_value()) << ir.error().detail;
  const std::string out = write(*ir, c.to);
  const std::string golden = "golden/" + c.name + "." + formatName(c.to) + ".json";
  if (std::getenv("LLMPROXY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(dataPath(golden), std::ios::binary) << out;
  }
  EXPECT_EQ(out, readData(golden));
  Json json(out);
  EXPECT_EQ(str(json.root["model"]), "client-model");
}

std::string bodyCaseName(const ::testing::TestParamInfo<BodyCase>& param) {
  return param.param.name + "_to_" + formatName(param.param.to);
}

INSTANTIATE_TEST_SUITE_P(Bodies, BodyGoldenTest, ::testing::ValuesIn(bodyCases()), bodyCaseName);

// --- OpenAI → Anthropic ---------------------------------------------------------------------

TEST(ChatBodyToAnthropic, IdTextAndUsageWithCachedTokens) {
  auto ir = parseChatCompletion(readData("bodies/chat_text.json"));
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Anthropic));
  EXPECT_EQ(str(json.root["id"]), "msg_B9MBs8CjcvOU2jLn4n570S5qMJKcT");
  EXPECT_EQ(str(json.root["type"]), "message");
  EXPECT_EQ(str(json.root["role"]), "assistant");
  EXPECT_EQ(str(json.root["content"].at(0)["type"]), "text");
  EXPECT_EQ(str(json.root["content"].at(0)["text"]),
            "Hello! \"Quotes\", \\ back\nslash and ünïcødé ✓");
  EXPECT_EQ(str(json.root["stop_reason"]), "end_turn");
  EXPECT_TRUE(json.root["stop_sequence"].is_null());
  EXPECT_EQ(num(json.root["usage"]["input_tokens"]), 176u) << "prompt minus the cached part";
  EXPECT_EQ(num(json.root["usage"]["cache_read_input_tokens"]), 1024u);
  EXPECT_EQ(num(json.root["usage"]["output_tokens"]), 9u);
}

TEST(ChatBodyToAnthropic, ToolCallsBecomeToolUseBlocksWithParsedInput) {
  auto ir = parseChatCompletion(readData("bodies/chat_tools.json"));
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->repaired_tool_inputs, 2u) << "unparseable and non-object arguments";
  Json json(write(*ir, Format::Anthropic));
  dom::array content;
  ASSERT_EQ(json.root["content"].get_array().get(content), simdjson::SUCCESS);
  ASSERT_EQ(content.size(), 3u) << "content null: tool calls only";
  EXPECT_EQ(str(content.at(0)["type"]), "tool_use");
  EXPECT_EQ(str(content.at(0)["id"]), "call_sf");
  EXPECT_EQ(str(content.at(0)["name"]), "get_weather");
  EXPECT_EQ(minified(content.at(0)["input"]), R"({"location":"San Francisco, CA","days":[1,2]})");
  EXPECT_EQ(minified(content.at(1)["input"]), "{}");
  EXPECT_EQ(minified(content.at(2)["input"]), "{}");
  EXPECT_EQ(str(json.root["stop_reason"]), "tool_use");
}

TEST(ChatBodyToAnthropic, ReasoningBecomesAThinkingBlockFirst) {
  auto ir = parseChatCompletion(readData("bodies/chat_reasoning.json"));
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Anthropic));
  EXPECT_EQ(str(json.root["content"].at(0)["type"]), "thinking");
  EXPECT_EQ(str(json.root["content"].at(0)["thinking"]), "2+2 is 4; be brief.");
  EXPECT_EQ(str(json.root["content"].at(1)["type"]), "text");
  EXPECT_EQ(str(json.root["stop_reason"]), "max_tokens");
  EXPECT_EQ(ir->usage.reasoning, 14u);
}

TEST(ChatBodyToAnthropic, FinishReasonsMapToStopReasons) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"\"stop\"", "end_turn"},          {"\"length\"", "max_tokens"},
      {"\"tool_calls\"", "tool_use"},    {"\"function_call\"", "tool_use"},
      {"\"content_filter\"", "refusal"}, {"null", "end_turn"},
  };
  for (const auto& [finish, stop] : table) {
    const std::string body =
        R"({"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":)" +
        finish + "}]}";
    auto ir = parseChatCompletion(body);
    ASSERT_TRUE(ir.has_value()) << finish;
    Json json(write(*ir, Format::Anthropic));
    EXPECT_EQ(str(json.root["stop_reason"]), stop) << finish;
  }
}

TEST(ChatBodyToAnthropic, ContentAsAnArrayOfPartsIsJoined) {
  auto ir = parseChatCompletion(
      R"({"id":"c","choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"stop"}]})");
  ASSERT_TRUE(ir.has_value());
  ASSERT_EQ(ir->content.size(), 1u);
  EXPECT_EQ(ir->content[0].text, "ab");
}

TEST(ChatBodyToAnthropic, DeepSeekCacheHitTokensCountAsCached) {
  auto ir = parseChatCompletion(
      R"({"id":"c","choices":[{"message":{"content":"x"},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":100,"completion_tokens":5,"prompt_cache_hit_tokens":60}})");
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->usage, (TokenUsage{40, 5, 60, 0, 0}));
}

// --- Anthropic → OpenAI ---------------------------------------------------------------------

TEST(AnthropicBodyToChat, OneChoiceTextsJoinedAndUsageWithCache) {
  auto ir = parseAnthropicMessage(readData("bodies/anthropic_text.json"));
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Chat));
  EXPECT_EQ(str(json.root["id"]), "chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL");
  EXPECT_EQ(str(json.root["object"]), "chat.completion");
  EXPECT_EQ(num(json.root["created"]), 1700000000u);
  dom::array choices;
  ASSERT_EQ(json.root["choices"].get_array().get(choices), simdjson::SUCCESS);
  ASSERT_EQ(choices.size(), 1u);
  EXPECT_EQ(str(choices.at(0)["message"]["role"]), "assistant");
  EXPECT_EQ(str(choices.at(0)["message"]["content"]),
            "Hello! \"Quotes\", \\ back\nslash and ünïcødé ✓");
  EXPECT_EQ(str(choices.at(0)["finish_reason"]), "stop");
  EXPECT_EQ(num(json.root["usage"]["prompt_tokens"]), 2083u) << "input + cache read + write";
  EXPECT_EQ(num(json.root["usage"]["prompt_tokens_details"]["cached_tokens"]), 2048u);
  EXPECT_EQ(num(json.root["usage"]["completion_tokens"]), 15u);
  EXPECT_EQ(num(json.root["usage"]["total_tokens"]), 2098u);
}

TEST(AnthropicBodyToChat, ToolUseBecomesToolCallsWithCompactArgumentsAndThinkingReasoning) {
  auto ir = parseAnthropicMessage(readData("bodies/anthropic_tools.json"));
  ASSERT_TRUE(ir.has_value());
  ASSERT_EQ(ir->content.size(), 4u) << "redacted_thinking left out";
  EXPECT_EQ(ir->content[0].signature, "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds");
  Json json(write(*ir, Format::Chat));
  auto message = json.root["choices"].at(0)["message"];
  EXPECT_EQ(str(message["content"]), "I'll check both.");
  EXPECT_EQ(str(message["reasoning_content"]), "Two cities, two calls.");
  dom::array calls;
  ASSERT_EQ(message["tool_calls"].get_array().get(calls), simdjson::SUCCESS);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(str(calls.at(0)["id"]), "toolu_01A");
  EXPECT_EQ(str(calls.at(0)["type"]), "function");
  EXPECT_EQ(str(calls.at(0)["function"]["name"]), "get_weather");
  EXPECT_EQ(str(calls.at(0)["function"]["arguments"]),
            R"({"location":"San Francisco, CA","unit":"celsius","nested":{"a":[1,2,{"b":null}]}})");
  EXPECT_EQ(str(calls.at(1)["function"]["arguments"]), "{}");
  EXPECT_EQ(str(json.root["choices"].at(0)["finish_reason"]), "tool_calls");
}

TEST(AnthropicBodyToChat, ContentIsNullWhenThereAreOnlyToolCalls) {
  auto ir = parseAnthropicMessage(
      R"({"id":"msg_1","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}],"stop_reason":"tool_use"})");
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Chat));
  EXPECT_TRUE(json.root["choices"].at(0)["message"]["content"].is_null());
}

TEST(AnthropicBodyToChat, StopReasonsMapToFinishReasons) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"end_turn", "stop"},       {"stop_sequence", "stop"},        {"max_tokens", "length"},
      {"tool_use", "tool_calls"}, {"refusal", "content_filter"},    {"pause_turn", "stop"},
  };
  for (const auto& [reason, finish] : table) {
    auto ir = parseAnthropicMessage(R"({"id":"msg_1","content":[{"type":"text","text":"x"}],)"
                                    R"("stop_reason":")" + reason + "\"}");
    ASSERT_TRUE(ir.has_value());
    Json json(write(*ir, Format::Chat));
    EXPECT_EQ(str(json.root["choices"].at(0)["finish_reason"]), finish) << reason;
  }
}

TEST(AnthropicBody, StopSequenceIsKeptForAnthropicClients) {
  auto ir = parseAnthropicMessage(readData("bodies/anthropic_stop_sequence.json"));
  ASSERT_TRUE(ir.has_value());
  EXPECT_EQ(ir->stop, StopReason::StopSequence);
  Json json(write(*ir, Format::Anthropic));
  EXPECT_EQ(str(json.root["stop_reason"]), "stop_sequence");
  EXPECT_EQ(str(json.root["stop_sequence"]), "\n\nHuman:");
}

// --- → Responses ----------------------------------------------------------------------------

TEST(BodyToResponses, OutputIsReasoningThenMessageThenFunctionCalls) {
  auto ir = parseAnthropicMessage(readData("bodies/anthropic_tools.json"));
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Responses));
  EXPECT_EQ(str(json.root["id"]), "resp_014p7gG3wDgGV9EUtLvnow3U");
  EXPECT_EQ(str(json.root["object"]), "response");
  EXPECT_EQ(str(json.root["status"]), "completed");
  EXPECT_TRUE(json.root["incomplete_details"].is_null());
  dom::array output;
  ASSERT_EQ(json.root["output"].get_array().get(output), simdjson::SUCCESS);
  ASSERT_EQ(output.size(), 4u);
  EXPECT_EQ(str(output.at(0)["type"]), "reasoning");
  EXPECT_EQ(str(output.at(0)["summary"].at(0)["text"]), "Two cities, two calls.");
  EXPECT_EQ(str(output.at(1)["type"]), "message");
  EXPECT_EQ(str(output.at(1)["content"].at(0)["type"]), "output_text");
  EXPECT_EQ(str(output.at(1)["content"].at(0)["text"]), "I'll check both.");
  EXPECT_EQ(str(output.at(2)["type"]), "function_call");
  EXPECT_EQ(str(output.at(2)["call_id"]), "toolu_01A");
  EXPECT_EQ(str(output.at(2)["name"]), "get_weather");
  EXPECT_EQ(str(output.at(3)["arguments"]), "{}");
  EXPECT_EQ(num(json.root["usage"]["input_tokens"]), 472u);
  EXPECT_EQ(num(json.root["usage"]["output_tokens"]), 89u);
  EXPECT_EQ(num(json.root["usage"]["total_tokens"]), 561u);
}

TEST(BodyToResponses, UsageCountsCachedInputWithDetails) {
  auto ir = parseChatCompletion(readData("bodies/chat_text.json"));
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Responses));
  EXPECT_EQ(str(json.root["id"]), "resp_B9MBs8CjcvOU2jLn4n570S5qMJKcT");
  EXPECT_EQ(num(json.root["usage"]["input_tokens"]), 1200u);
  EXPECT_EQ(num(json.root["usage"]["input_tokens_details"]["cached_tokens"]), 1024u);
  EXPECT_EQ(num(json.root["usage"]["output_tokens_details"]["reasoning_tokens"]), 0u);
  EXPECT_EQ(num(json.root["usage"]["total_tokens"]), 1209u);
}

TEST(BodyToResponses, StopReasonsMapToStatuses) {
  struct Row {
    std::string finish;
    std::string status;
    std::string reason;  // incomplete_details.reason; empty: null
  };
  const std::vector<Row> table = {
      {"stop", "completed", ""},
      {"tool_calls", "completed", ""},
      {"length", "incomplete", "max_output_tokens"},
      {"content_filter", "incomplete", "content_filter"},
  };
  for (const Row& row : table) {
    auto ir = parseChatCompletion(
        R"({"id":"chatcmpl-1","choices":[{"message":{"content":"x"},"finish_reason":")" +
        row.finish + "\"}]}");
    ASSERT_TRUE(ir.has_value());
    Json json(write(*ir, Format::Responses));
    EXPECT_EQ(str(json.root["status"]), row.status) << row.finish;
    if (row.reason.empty()) {
      EXPECT_TRUE(json.root["incomplete_details"].is_null()) << row.finish;
    } else {
      EXPECT_EQ(str(json.root["incomplete_details"]["reason"]), row.reason) << row.finish;
    }
  }
  auto paused = parseAnthropicMessage(R"({"id":"msg_1","content":[],"stop_reason":"pause_turn"})");
  ASSERT_TRUE(paused.has_value());
  Json json(write(*paused, Format::Responses));
  EXPECT_EQ(str(json.root["status"]), "completed");
}

// --- Both directions ------------------------------------------------------------------------

TEST(BodyRoundTrip, ChatThroughAnthropicKeepsTheContent) {
  for (std::string name : {"chat_text", "chat_tools", "chat_reasoning", "chat_content_filter"}) {
    auto ir = parseChatCompletion(readData("bodies/" + name + ".json"));
    ASSERT_TRUE(ir.has_value()) << name;
    auto back = parseAnthropicMessage(write(*ir, Format::Anthropic));
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(back->content.size(), ir->content.size()) << name;
    for (size_t i = 0; i < ir->content.size() && i < back->content.size(); ++i) {
      EXPECT_EQ(back->content[i].kind, ir->content[i].kind) << name;
      EXPECT_EQ(back->content[i].text, ir->content[i].text) << name;
      EXPECT_EQ(back->content[i].id, ir->content[i].id) << name;
    }
    EXPECT_EQ(back->stop, ir->stop) << name;
    EXPECT_EQ(back->usage, (TokenUsage{ir->usage.input, ir->usage.output, ir->usage.cache_read,
                                       ir->usage.cache_write, 0}))
        << name;
  }
}

TEST(BodyRoundTrip, AnthropicThroughChatKeepsTheContent) {
  for (std::string name : {"anthropic_text", "anthropic_tools", "anthropic_max_tokens"}) {
    auto ir = parseAnthropicMessage(readData("bodies/" + name + ".json"));
    ASSERT_TRUE(ir.has_value()) << name;
    auto back = parseChatCompletion(write(*ir, Format::Chat));
    ASSERT_TRUE(back.has_value()) << name;
    std::string text;
    std::string back_text;
    for (const ResponsePart& p : ir->content) {
      if (p.kind == ResponsePartKind::Text) text += p.text;
    }
    for (const ResponsePart& p : back->content) {
      if (p.kind == ResponsePartKind::Text) back_text += p.text;
    }
    EXPECT_EQ(back_text, text) << name;
    EXPECT_EQ(back->usage.prompt(), ir->usage.prompt()) << name;
    EXPECT_EQ(back->usage.output, ir->usage.output) << name;
  }
}

TEST(BodyParse, BadBodiesAreUpstreamProtocolErrors) {
  for (std::string body : {"", "not json", "[1]", R"({"error":{"message":"x"}})",
                           R"({"id":"c","choices":[]})"}) {
    auto ir = parseChatCompletion(body);
    ASSERT_FALSE(ir.has_value()) << body;
    EXPECT_EQ(ir.error().kind, common::ErrorKind::UpstreamProtocol) << body;
  }
  for (std::string body : {"", "nope", R"({"type":"error","error":{"type":"api_error"}})",
                           R"({"id":"m","content":"text"})"}) {
    auto ir = parseAnthropicMessage(body);
    ASSERT_FALSE(ir.has_value()) << body;
    EXPECT_EQ(ir.error().kind, common::ErrorKind::UpstreamProtocol) << body;
  }
}

TEST(BodyWrite, EveryOutputCarriesTheClientsModelAndIds) {
  InternalResponse ir;  // no id from the provider: the fallback id
  ir.model = "provider-model";
  Json chat(write(ir, Format::Chat));
  EXPECT_EQ(str(chat.root["id"]), "chatcmpl-req-1");
  Json anthropic(write(ir, Format::Anthropic));
  EXPECT_EQ(str(anthropic.root["id"]), "msg_req-1");
  EXPECT_EQ(str(anthropic.root["model"]), "client-model");
  Json responses(write(ir, Format::Responses));
  EXPECT_EQ(str(responses.root["id"]), "resp_req-1");
}

TEST(BodyWrite, ToolCallWithoutIdGetsOneForAnthropic) {
  auto ir = parseChatCompletion(
      R"({"id":"chatcmpl-x","choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]})");
  ASSERT_TRUE(ir.has_value());
  Json json(write(*ir, Format::Anthropic));
  EXPECT_EQ(str(json.root["content"].at(0)["id"]), "toolu_x_0");
}

}  // namespace
}  // namespace llmproxy::worker::protocol::test
