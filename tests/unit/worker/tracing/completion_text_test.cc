// The answer's text per protocol, streamed and whole, within its limit.
#include "worker/tracing/completion_text.h"

#include <gtest/gtest.h>

namespace llmproxy::worker::tracing {
namespace {

using common::Api;

TEST(CompletionText, ChatStreamDeltasOfTheFirstChoice) {
  CompletionText t(Api::OpenAIChat, 100);
  t.streamEvent(R"({"choices":[{"index":0,"delta":{"role":"assistant"}}]})");
  t.streamEvent(R"({"choices":[{"index":0,"delta":{"content":"Hel"}}]})");
  t.streamEvent(R"({"choices":[{"index":1,"delta":{"content":"other"}}]})");
  t.streamEvent(R"({"choices":[{"index":0,"delta":{"content":"lo \"x\"\n"}}]})");
  t.streamEvent(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"{}"}}]}}]})");
  t.streamEvent(R"({"choices":[],"usage":{"prompt_tokens":1}})");
  t.streamEvent("[DONE]");
  EXPECT_EQ(t.text(), "Hello \"x\"\n");
}

TEST(CompletionText, ChatAndCompletionsBodies) {
  CompletionText chat(Api::OpenAIChat, 100);
  chat.bodyBytes(R"({"choices":[{"index":0,"message":{"role":"assistant",)");
  chat.bodyBytes(R"("content":"whole answer"}}]})");
  chat.bodyEnd();
  EXPECT_EQ(chat.text(), "whole answer");
  CompletionText completions(Api::OpenAIChat, 100);
  completions.bodyBytes(R"({"choices":[{"text":"done","index":0}]})");
  completions.bodyEnd();
  EXPECT_EQ(completions.text(), "done");
  CompletionText error(Api::OpenAIChat, 100);
  error.bodyBytes(R"({"error":{"message":"no"}})");
  error.bodyEnd();
  EXPECT_EQ(error.text(), "");
}

TEST(CompletionText, AnthropicTextOnly) {
  CompletionText s(Api::AnthropicMessages, 100);
  s.streamEvent(R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}})");
  s.streamEvent(R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}})");
  s.streamEvent(R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{"}})");
  s.streamEvent(R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"!"}})");
  EXPECT_EQ(s.text(), "Hi!");
  CompletionText b(Api::AnthropicMessages, 100);
  b.bodyBytes(R"({"content":[{"type":"thinking","thinking":"x"},{"type":"text","text":"a"},)"
              R"({"type":"tool_use","input":{}},{"type":"text","text":"b"}]})");
  b.bodyEnd();
  EXPECT_EQ(b.text(), "ab");
}

TEST(CompletionText, ResponsesOutputText) {
  CompletionText s(Api::OpenAIResponses, 100);
  s.streamEvent(R"({"type":"response.output_text.delta","delta":"one "})");
  s.streamEvent(R"({"type":"response.output_text.done","text":"one two"})");
  s.streamEvent(R"({"type":"response.output_text.delta","delta":"two"})");
  s.streamEvent(R"({"type":"response.completed","response":{"output":[]}})");
  EXPECT_EQ(s.text(), "one two");
  CompletionText b(Api::OpenAIResponses, 100);
  b.bodyBytes(R"({"output":[{"type":"reasoning","summary":[]},{"type":"message","content":)"
              R"([{"type":"output_text","text":"yes"},{"type":"refusal","refusal":"no"}]}]})");
  b.bodyEnd();
  EXPECT_EQ(b.text(), "yes");
}

TEST(CompletionText, BoundedByItsLimitAndTheBodyLimit) {
  CompletionText s(Api::OpenAIChat, 8);
  for (int i = 0; i < 5; ++i) s.streamEvent(R"({"choices":[{"delta":{"content":"abc"}}]})");
  EXPECT_EQ(s.text(), "abcabcab");
  CompletionText b(Api::OpenAIChat, 8);
  b.bodyBytes(R"({"choices":[{"message":{"content":")");
  b.bodyBytes(std::string(CompletionText::kBodyLimit, 'x'));
  b.bodyBytes(R"("}}]})");
  b.bodyEnd();
  EXPECT_EQ(b.text(), "") << "a body beyond the limit is not read";
}

}  // namespace
}  // namespace llmproxy::worker::tracing
