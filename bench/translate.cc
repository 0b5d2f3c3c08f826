// bench-translate: the cost of translating one request body between protocols, in-process:
//   chat_to_anthropic: a typical 2 KB Chat Completions request (system prompt, a few turns, a
//     tool definition and a tool round trip) read, repaired and written as Anthropic Messages;
//   anthropic_to_chat: that Anthropic body read, repaired and written back as Chat Completions.
// Bodies carry simdjson's padding, as the worker's body buffer does. Prints "key value" lines:
// nanoseconds per translation (the median and the best of seven rounds) and the body sizes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/json/json_facts.h"
#include "worker/protocol/anthropic_request_writer.h"
#include "worker/protocol/chat_request_writer.h"
#include "worker/protocol/request_reader.h"
#include "worker/protocol/request_repairs.h"

using namespace llmproxy;
using namespace llmproxy::worker::protocol;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kChatRequest = R"({
  "model": "gpt-4o",
  "messages": [
    {"role": "system", "content": "You are a coding assistant working in the user's repository. Answer concisely, cite file paths, and prefer small, reviewable changes. When you need facts about the code, call the tools instead of guessing. Never invent APIs: if something is unclear, say so and ask.\nRules:\n- keep the existing style\n- write tests for new behaviour\n- explain why, not what"},
    {"role": "user", "content": "The request reader rejects bodies with a trailing comma. Where is that decided, and is it the JSON parser or our own check?"},
    {"role": "assistant", "content": "Let me look at the parser setup first.", "tool_calls": [
      {"id": "call_8f2a", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\": \"src/common/json/json_facts.cc\", \"start_line\": 1, \"end_line\": 80}"}}]},
    {"role": "tool", "tool_call_id": "call_8f2a", "content": "// One validating simdjson pass over a request body, collecting the model/stream facts.\n#include \"common/json/json_facts.h\"\n...\nerror_code validateValue(od::value v, int depth) {\n  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;\n  ..."},
    {"role": "assistant", "content": "The whole document is validated by simdjson in `validateValue`; a trailing comma fails there with TAPE_ERROR, before any of our checks run."},
    {"role": "user", "content": "Good. Can you show me the test that covers it, and add one for a trailing comma inside a nested array?"}
  ],
  "tools": [
    {"type": "function", "function": {"name": "read_file", "description": "Read a range of lines of a file in the repository.", "parameters": {"type": "object", "properties": {"path": {"type": "string", "description": "Path from the repository root"}, "start_line": {"type": "integer"}, "end_line": {"type": "integer"}}, "required": ["path"]}}},
    {"type": "function", "function": {"name": "search", "description": "Search the repository for a regular expression.", "parameters": {"type": "object", "properties": {"pattern": {"type": "string"}, "glob": {"type": "string"}}, "required": ["pattern"]}}}
  ],
  "tool_choice": "auto",
  "temperature": 0.2,
  "max_tokens": 2048,
  "stream": true,
  "user": "dev-42"
})";

std::string padded(std::string body) {
  body.reserve(body.size() + common::JsonFactsParser::kPadding);
  return body;
}

struct Timing {
  double median_ns;
  double best_ns;  // the fastest round: the least disturbed by other load on the machine
};

template <typename F>
Timing nsPerCall(F&& f, int iterations) {
  std::vector<double> rounds;
  for (int round = 0; round < 7; ++round) {
    const auto start = Clock::now();
    for (int i = 0; i < iterations; ++i) f();
    const std::chrono::duration<double, std::nano> took = Clock::now() - start;
    rounds.push_back(took.count() / iterations);
  }
  std::sort(rounds.begin(), rounds.end());
  return {rounds[rounds.size() / 2], rounds.front()};
}

}  // namespace

int main() {
  RequestReader reader;
  const std::string chat = padded(kChatRequest);
  size_t sink = 0;

  auto toAnthropic = [&](const std::string& body) {
    auto ir = reader.read(InternalRequest::Source::ChatCompletions, body.data(), body.size(),
                          body.capacity());
    if (!ir) {
      std::fprintf(stderr, "bench-translate: %s\n", ir.error().detail.c_str());
      std::exit(1);
    }
    repairRequest(*ir, common::ProviderType::Anthropic);
    return writeAnthropicRequest(*ir, {"claude-sonnet-4-5", 0}).body;
  };
  const std::string anthropic = padded(toAnthropic(chat));
  auto toChat = [&](const std::string& body) {
    auto ir =
        reader.read(InternalRequest::Source::Messages, body.data(), body.size(), body.capacity());
    if (!ir) {
      std::fprintf(stderr, "bench-translate: %s\n", ir.error().detail.c_str());
      std::exit(1);
    }
    repairRequest(*ir, common::ProviderType::OpenAI);
    return writeChatRequest(*ir, {"gpt-4o", true}).body;
  };

  constexpr int kIterations = 20000;
  const Timing a = nsPerCall([&] { sink += toAnthropic(chat).size(); }, kIterations);
  const Timing b = nsPerCall([&] { sink += toChat(anthropic).size(); }, kIterations);
  std::printf("chat_request_bytes %zu\n", chat.size());
  std::printf("anthropic_request_bytes %zu\n", anthropic.size());
  std::printf("chat_to_anthropic_ns %.0f\n", a.median_ns);
  std::printf("chat_to_anthropic_best_ns %.0f\n", a.best_ns);
  std::printf("anthropic_to_chat_ns %.0f\n", b.median_ns);
  std::printf("anthropic_to_chat_best_ns %.0f\n", b.best_ns);
  return sink == 0;  // keeps the work observable
}
