// Stream converters fed recorded provider streams (tests/data/protocol/upstream/): the client
// stream matches its golden file, passes its protocol's grammar checker and says what the
// provider said; the same holds for the raw bytes cut at every offset, and for a stream that
// fails or ends at any event. LLMPROXY_UPDATE_GOLDEN=1 rewrites the golden files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "stream_test_util.h"
#include "worker/protocol/stop_reason.h"

// The tables below name only the fields a row needs (designated initializers).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace llmproxy::worker::protocol::test {
namespace {

struct Expected {
  std::string text;
  std::string reasoning;
  std::string signature;  // seen only by Anthropic clients of Anthropic providers (none here)
  std::vector<testing::StreamToolCall> tools;
  std::vector<std::string> blocks;  // Anthropic and Responses clients
  StopReason stop = StopReason::EndTurn;
  std::string stop_sequence;
  TokenUsage usage;
  bool failed = false;
  std::string error_message;
  // The error type each client sees: Anthropic error.type, OpenAI error.type, Responses code.
  std::string anthropic_error;
  std::string openai_error;
};

struct Recording {
  std::string name;
  Upstream upstream;
  Expected expected;
};

TokenUsage usageOf(uint64_t input, uint64_t output, uint64_t cache_read = 0,
                   uint64_t cache_write = 0, uint64_t reasoning = 0) {
  return TokenUsage{input, output, cache_read, cache_write, reasoning};
}

const std::vector<Recording>& recordings() {
  static const std::vector<Recording> all = {
      {"chat_text",
       Upstream::Chat,
       {.text = "Hello! \"Quotes\", \\ back\nslash and ünïcødé ✓",
        .blocks = {"text"},
        .usage = usageOf(176, 9, 1024)}},
      {"chat_reasoning",
       Upstream::Chat,
       {.text = "2 + 2 = 4.",
        .reasoning = "The user asks for 2+2, which is 4.",
        .blocks = {"thinking", "text"},
        .usage = usageOf(12, 20, 0, 0, 14)}},
      {"chat_tools",
       Upstream::Chat,
       {.text = "Let me check both cities.",
        .tools = {{"call_sf_9a8b", "get_weather", R"({"location": "San Francisco, CA"})"},
                  {"call_ny_7c6d", "get_weather", R"({"location": "New York, NY"})"}},
        .blocks = {"text", "tool_use", "tool_use"},
        .stop = StopReason::ToolUse,
        .usage = usageOf(21, 40, 64)}},
      {"chat_length",
       Upstream::Chat,
       {.text = "Once upon a time",
        .blocks = {"text"},
        .stop = StopReason::MaxTokens,
        .usage = usageOf(10, 4)}},
      {"chat_early_end",
       Upstream::Chat,
       {.text = "Partial",
        .tools = {{"call_cut", "lookup", R"({"q":)"}},
        .blocks = {"text", "tool_use"}}},
      {"chat_error",
       Upstream::Chat,
       {.text = "Working on it",
        .reasoning = "Thinking...",
        .blocks = {"thinking", "text"},
        .failed = true,
        .error_message = "The server had an error while processing your request. Sorry about that!",
        .anthropic_error = "api_error",
        .openai_error = "server_error"}},
      {"anthropic_text",
       Upstream::Anthropic,
       {.text = "Hello! \"Quotes\", \\ back\nslash and ünïcødé ✓",
        .blocks = {"text"},
        .usage = usageOf(25, 15, 2048)}},
      {"anthropic_thinking",
       Upstream::Anthropic,
       {.text = "27 * 453 = **12,231**",
        .reasoning = "Let me solve 27 * 453.\n27 * 453 = 12231.",
        .blocks = {"thinking", "text"},
        .usage = usageOf(40, 120, 0, 100)}},
      {"anthropic_tools",
       Upstream::Anthropic,
       {.text = "I'll check both.",
        .tools = {{"toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather",
                   R"({"location": "San Francisco, CA", "unit": "celsius"})"},
                  {"toolu_02Q8dJbGk1nmQDTwAGqYzzvw", "get_time", "{}"}},
        .blocks = {"text", "tool_use", "tool_use"},
        .stop = StopReason::ToolUse,
        .usage = usageOf(472, 89)}},
      {"anthropic_max_tokens",
       Upstream::Anthropic,
       {.text = "Once upon a time",
        .blocks = {"text"},
        .stop = StopReason::MaxTokens,
        .usage = usageOf(9, 4)}},
      {"anthropic_stop_sequence",
       Upstream::Anthropic,
       {.text = "1, 2, 3",
        .blocks = {"text"},
        .stop = StopReason::StopSequence,
        .stop_sequence = "\n\nHuman:",
        .usage = usageOf(14, 6)}},
      {"anthropic_early_end",
       Upstream::Anthropic,
       {.text = "Partial",
        .tools = {{"toolu_cut", "lookup", R"({"q":)"}},
        .blocks = {"text", "tool_use"},
        .usage = usageOf(30, 1)}},
      {"anthropic_error",
       Upstream::Anthropic,
       {.text = "Working on it",
        .blocks = {"text"},
        .failed = true,
        .error_message = "Overloaded",
        .anthropic_error = "overloaded_error",
        .openai_error = "api_error"}},
  };
  return all;
}

std::vector<Client> clientsOf(Upstream upstream) {
  if (upstream == Upstream::Chat) return {Client::Anthropic, Client::Responses};
  return {Client::Chat, Client::ChatWithUsage, Client::Responses};
}

struct Case {
  const Recording* recording;
  Client client;
};

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (const Recording& r : recordings()) {
    for (Client c : clientsOf(r.upstream)) cases.push_back({&r, c});
  }
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.recording->name + "_to_" + clientName(info.param.client);
}

class StreamConverterTest : public ::testing::TestWithParam<Case> {
 protected:
  const Recording& recording() const { return *GetParam().recording; }
  Client client() const { return GetParam().client; }
  std::string upstream() const { return readData("upstream/" + recording().name + ".sse"); }
  std::string goldenPath() const {
    return dataPath("golden/" + recording().name + "." + clientName(client()) + ".sse");
  }
};

// What the client must have understood, in its own protocol's words.
void expectSays(Client client, const testing::StreamTranscript& t, const Expected& e) {
  EXPECT_EQ(t.text, e.text);
  EXPECT_EQ(t.reasoning, e.reasoning);
  EXPECT_EQ(t.tool_calls, e.tools);
  EXPECT_EQ(t.failed, e.failed);
  if (client != Client::Chat && client != Client::ChatWithUsage) {
    EXPECT_EQ(t.blocks, e.blocks);
  }
  if (e.failed) {
    EXPECT_EQ(t.error_message, e.error_message);
    switch (client) {
      case Client::Anthropic:
        EXPECT_EQ(t.error_type, e.anthropic_error);
        break;
      case Client::Chat:
      case Client::ChatWithUsage:
        EXPECT_EQ(t.error_type, e.openai_error);
        break;
      case Client::Responses:
        EXPECT_EQ(t.error_type, "server_error");
        break;
    }
    return;
  }
  const TokenUsage& u = e.usage;
  switch (client) {
    case Client::Anthropic:
      EXPECT_EQ(t.stop, anthropicStopReason(e.stop));
      EXPECT_EQ(t.stop_sequence, e.stop_sequence);
      EXPECT_EQ(t.input_tokens, u.input);
      EXPECT_EQ(t.cached_tokens, u.cache_read);
      EXPECT_EQ(t.cache_write_tokens, u.cache_write);
      EXPECT_EQ(t.output_tokens, u.output);
      break;
    case Client::Chat:
      EXPECT_EQ(t.stop, openAIFinishReason(e.stop));
      EXPECT_FALSE(t.has_usage);
      break;
    case Client::ChatWithUsage:
    case Client::Responses: {
      if (client == Client::Responses) {
        const ResponsesStatus status = responsesStatus(e.stop);
        std::string want(status.status);
        if (!status.incomplete_reason.empty()) want += ":" + std::string(status.incomplete_reason);
        EXPECT_EQ(t.stop, want);
      } else {
        EXPECT_EQ(t.stop, openAIFinishReason(e.stop));
      }
      EXPECT_TRUE(t.has_usage);
      EXPECT_EQ(t.input_tokens, u.prompt());
      EXPECT_EQ(t.cached_tokens, u.cache_read);
      EXPECT_EQ(t.output_tokens, u.output);
      EXPECT_EQ(t.reasoning_tokens, u.reasoning);
      EXPECT_EQ(t.total_tokens, u.total());
      break;
    }
  }
}

TEST_P(StreamConverterTest, MatchesGoldenIsGrammaticalAndSaysWhatTheProviderSaid) {
  const std::string out = convertWhole(recording().upstream, client(), upstream());
  if (std::getenv("LLMPROXY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(goldenPath(), std::ios::binary) << out;
  }
  EXPECT_EQ(out, readData("golden/" + recording().name + "." + clientName(client()) + ".sse"));
  const testing::StreamTranscript t = check(client(), out);
  EXPECT_TRUE(t.ok()) << t.violation << "\n" << out;
  expectSays(client(), t, recording().expected);
}

TEST_P(StreamConverterTest, ConverterCountsTheProvidersUsage) {
  AnyConverter converter = makeConverter(recording().upstream, client());
  convertBytes(converter, upstream(), {});
  if (!recording().expected.failed) {
    EXPECT_EQ(converter.usage(), recording().expected.usage);
  }
  EXPECT_EQ(converter.dropped(), 0u);
}

TEST_P(StreamConverterTest, RawBytesCutAtEveryOffsetGiveTheSameStream) {
  const std::string wire = upstream();
  const std::string whole = convertWhole(recording().upstream, client(), wire);
  for (size_t cut = 1; cut < wire.size(); ++cut) {
    AnyConverter converter = makeConverter(recording().upstream, client());
    ASSERT_EQ(convertBytes(converter, wire, {cut}), whole) << "cut at " << cut;
  }
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < wire.size(); ++i) every_byte.push_back(i);
  AnyConverter converter = makeConverter(recording().upstream, client());
  EXPECT_EQ(convertBytes(converter, wire, every_byte), whole);
}

TEST_P(StreamConverterTest, EndingOrFailingAfterAnyEventKeepsTheGrammar) {
  const std::vector<std::string> events = eventsOf(upstream());
  for (size_t n = 0; n <= events.size(); ++n) {
    for (bool fail : {false, true}) {
      AnyConverter converter = makeConverter(recording().upstream, client());
      std::string out;
      for (size_t i = 0; i < n; ++i) converter.event(events[i], out);
      if (fail) {
        converter.fail(common::Error{common::ErrorKind::UpstreamTimeout, "provider timed out", 0},
                       out);
      } else {
        converter.finish(out);
      }
      // Calls after the end add nothing.
      const size_t size = out.size();
      converter.finish(out);
      converter.fail(common::Error{common::ErrorKind::Internal, "late", 0}, out);
      for (const std::string& e : events) converter.event(e, out);
      EXPECT_EQ(out.size(), size);
      const testing::StreamTranscript t = check(client(), out);
      ASSERT_TRUE(t.ok()) << (fail ? "fail" : "finish") << " after " << n << " events: "
                          << t.violation << "\n"
                          << out;
      EXPECT_FALSE(t.open_at_error) << "the converters close every block before the error";
    }
  }
}

TEST_P(StreamConverterTest, FailureMidStreamIsTheClientsErrorEvent) {
  const std::vector<std::string> events = eventsOf(upstream());
  AnyConverter converter = makeConverter(recording().upstream, client());
  std::string out;
  for (size_t i = 0; i < events.size() / 2; ++i) converter.event(events[i], out);
  converter.fail(common::Error{common::ErrorKind::UpstreamTimeout, "provider timed out", 0}, out);
  const testing::StreamTranscript t = check(client(), out);
  ASSERT_TRUE(t.ok()) << t.violation;
  ASSERT_TRUE(t.failed) << out;
  EXPECT_EQ(t.error_message, "provider timed out");
  switch (client()) {
    case Client::Anthropic:
      EXPECT_EQ(t.error_type, "timeout_error");
      break;
    case Client::Chat:
    case Client::ChatWithUsage:
      EXPECT_EQ(t.error_type, "api_error");
      EXPECT_EQ(out.find("[DONE]"), std::string::npos);
      break;
    case Client::Responses:
      EXPECT_EQ(t.error_type, "server_error");
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(Recorded, StreamConverterTest, ::testing::ValuesIn(allCases()), caseName);

}  // namespace
}  // namespace llmproxy::worker::protocol::test
