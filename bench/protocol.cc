// bench-protocol: the cost of translating responses (worker/protocol/), one thread, no I/O.
//   stream: nanoseconds per upstream event through each stream converter, for the recorded
//           streams of tests/data/protocol/upstream/ and for a long text stream (200 deltas,
//           the steady state of a real answer); the event's data is given as SseScanner
//           hands it over, the output string is reused as the relay would.
//   body:   nanoseconds per non-streaming response: parse the provider's body + write the
//           client's, for the bodies of tests/data/protocol/bodies/.
// Budget (issue 12): 2 µs per stream event. Prints one "name value" line per measurement.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/stream_grammar.h"
#include "worker/protocol/anthropic_response.h"
#include "worker/protocol/chat_response.h"
#include "worker/protocol/responses_response.h"
#include "worker/protocol/stream_converter.h"

using namespace llmproxy;
using namespace llmproxy::worker::protocol;
using Clock = std::chrono::steady_clock;

namespace {

std::string readData(const std::string& relative) {
  std::ifstream in(std::string(LLMPROXY_TEST_DATA_DIR) + "/protocol/" + relative,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> eventsOf(const std::string& wire) {
  std::vector<std::string> data;
  for (const auto& e : testing::splitSse(wire)) data.push_back(e.data);
  return data;
}

ClientOptions client() { return ClientOptions{"client-model", "req-1", 1700000000, true}; }

// A long answer: `n` text deltas of a few tokens each, in either provider protocol.
std::vector<std::string> longChatStream(int n) {
  std::vector<std::string> events;
  const std::string head =
      R"({"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"gpt-4o",)"
      R"("system_fingerprint":"fp_1","choices":[{"index":0,"delta":)";
  events.push_back(head + R"({"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})");
  for (int i = 0; i < n; ++i) {
    events.push_back(head + R"({"content":" the quick brown"},"logprobs":null,"finish_reason":null}]})");
  }
  events.push_back(head + R"({},"logprobs":null,"finish_reason":"stop"}]})");
  events.push_back(
      R"({"id":"chatcmpl-bench","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":600,"total_tokens":700}})");
  events.push_back("[DONE]");
  return events;
}

std::vector<std::string> longAnthropicStream(int n) {
  std::vector<std::string> events;
  events.push_back(
      R"({"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"output_tokens":1}}})");
  events.push_back(R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})");
  for (int i = 0; i < n; ++i) {
    events.push_back(
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the quick brown"}})");
  }
  events.push_back(R"({"type":"content_block_stop","index":0})");
  events.push_back(
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":600}})");
  events.push_back(R"({"type":"message_stop"})");
  return events;
}

// ns per event: the stream converted `rounds` times (a new converter each time).
template <typename Converter>
double nsPerEvent(const std::vector<std::string>& events, int rounds) {
  std::string out;
  out.reserve(1 << 16);
  size_t sink = 0;
  const auto start = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    Converter converter(client());
    for (const std::string& e : events) {
      out.clear();
      converter.event(e, out);
      sink += out.size();
    }
    out.clear();
    converter.finish(out);
    sink += out.size();
  }
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (sink == 0) std::puts("(nothing written)");
  return ns / (static_cast<double>(rounds) * static_cast<double>(events.size()));
}

template <typename Parse, typename Write>
double nsPerBody(const std::string& body, Parse parse, Write write, int rounds) {
  std::string out;
  size_t sink = 0;
  const auto start = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    auto ir = parse(body);
    out.clear();
    if (ir) write(*ir, client(), out);
    sink += out.size();
  }
  const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (sink == 0) std::puts("(nothing written)");
  return ns / rounds;
}

void line(const std::string& name, double ns) { std::printf("%-48s %8.0f ns\n", name.c_str(), ns); }

}  // namespace

int main() {
  constexpr int kRounds = 20000;
  constexpr int kLongRounds = 500;

  std::puts("# stream: ns per upstream event");
  for (std::string name : {"chat_text", "chat_reasoning", "chat_tools", "chat_length"}) {
    const auto events = eventsOf(readData("upstream/" + name + ".sse"));
    line("chat->anthropic " + name, nsPerEvent<ChatToAnthropicStream>(events, kRounds));
    line("chat->responses " + name, nsPerEvent<ChatToResponsesStream>(events, kRounds));
  }
  for (std::string name : {"anthropic_text", "anthropic_thinking", "anthropic_tools"}) {
    const auto events = eventsOf(readData("upstream/" + name + ".sse"));
    line("anthropic->chat " + name, nsPerEvent<AnthropicToChatStream>(events, kRounds));
    line("anthropic->responses " + name,
         nsPerEvent<AnthropicToResponsesStream>(events, kRounds));
  }
  const auto long_chat = longChatStream(200);
  const auto long_anthropic = longAnthropicStream(200);
  line("chat->anthropic long text (200 deltas)",
       nsPerEvent<ChatToAnthropicStream>(long_chat, kLongRounds));
  line("chat->responses long text (200 deltas)",
       nsPerEvent<ChatToResponsesStream>(long_chat, kLongRounds));
  line("anthropic->chat long text (200 deltas)",
       nsPerEvent<AnthropicToChatStream>(long_anthropic, kLongRounds));
  line("anthropic->responses long text (200 deltas)",
       nsPerEvent<AnthropicToResponsesStream>(long_anthropic, kLongRounds));

  std::puts("# body: ns per response (parse + write)");
  for (std::string name : {"chat_text", "chat_tools", "chat_reasoning"}) {
    const std::string body = readData("bodies/" + name + ".json");
    line("chat->anthropic " + name,
         nsPerBody(body, parseChatCompletion, writeAnthropicMessage, kRounds));
    line("chat->responses " + name,
         nsPerBody(body, parseChatCompletion, writeResponsesResponse, kRounds));
  }
  for (std::string name : {"anthropic_text", "anthropic_tools"}) {
    const std::string body = readData("bodies/" + name + ".json");
    line("anthropic->chat " + name,
         nsPerBody(body, parseAnthropicMessage, writeChatCompletion, kRounds));
    line("anthropic->responses " + name,
         nsPerBody(body, parseAnthropicMessage, writeResponsesResponse, kRounds));
  }
  return 0;
}
