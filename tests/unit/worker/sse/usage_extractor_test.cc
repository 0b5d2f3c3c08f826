// UsageExtractor: usage from chunks and bodies, the usage-only chunk, cheap rejects.
#include "worker/sse/usage_extractor.h"

#include <gtest/gtest.h>

#include <string>

#include "worker/sse/sse_scanner.h"

namespace llmproxy::worker {
namespace {

TEST(MayHaveUsage, CheapReject) {
  EXPECT_FALSE(mayHaveUsage(R"({"choices":[{"delta":{"content":"hi"}}]})"));
  EXPECT_FALSE(mayHaveUsage(R"({"choices":[],"usage":null})"));
  EXPECT_TRUE(mayHaveUsage(R"({"usage":{"prompt_tokens":1}})"));
  EXPECT_FALSE(mayHaveUsage("[DONE]"));
}

TEST(UsageExtractor, FinalUsageChunkIsUsageOnly) {
  UsageExtractor extractor;
  UsageFacts f =
      extractor.extract(R"({"id":"c","object":"chat.completion.chunk","choices":[],)"
                        R"("usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46,)"
                        R"("prompt_tokens_details":{"cached_tokens":0}}})");
  ASSERT_TRUE(f.usage.has_value());
  EXPECT_EQ(*f.usage, (Usage{12, 34, 46}));
  EXPECT_TRUE(f.usage_only);
}

TEST(UsageExtractor, ContentChunkWithNullUsage) {
  UsageExtractor extractor;
  UsageFacts f =
      extractor.extract(R"({"choices":[{"delta":{"content":"how many _tokens?"}}],"usage":null})");
  EXPECT_FALSE(f.usage.has_value());
  EXPECT_FALSE(f.usage_only);
}

TEST(UsageExtractor, UsageWithChoicesIsNotUsageOnly) {
  UsageExtractor extractor;
  // Some providers put usage on the last content chunk: count it, keep the chunk.
  UsageFacts f =
      extractor.extract(R"({"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},)"
                        R"("choices":[{"delta":{},"finish_reason":"stop"}]})");
  ASSERT_TRUE(f.usage.has_value());
  EXPECT_EQ(f.usage->total_tokens, 3u);
  EXPECT_FALSE(f.usage_only);
}

TEST(UsageExtractor, NonStreamingBodyAndEmbeddings) {
  UsageExtractor extractor;
  UsageFacts chat = extractor.extract(
      R"({"id":"x","choices":[{"message":{"role":"assistant","content":"usage"}}],)"
      R"("usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})");
  ASSERT_TRUE(chat.usage.has_value());
  EXPECT_EQ(*chat.usage, (Usage{5, 7, 12}));
  EXPECT_FALSE(chat.usage_only);

  UsageFacts embed = extractor.extract(R"({"object":"list","data":[{"embedding":[0.1,-0.2]}],)"
                                       R"("usage":{"prompt_tokens":8,"total_tokens":8}})");
  ASSERT_TRUE(embed.usage.has_value());
  EXPECT_EQ(*embed.usage, (Usage{8, 0, 8}));
  EXPECT_FALSE(embed.usage_only);  // no "choices": not a stream's usage chunk
}

TEST(UsageExtractor, MissingTotalAndOtherSpellings) {
  UsageExtractor extractor;
  UsageFacts f =
      extractor.extract(R"({"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3}})");
  EXPECT_EQ(*f.usage, (Usage{2, 3, 5}));
  UsageFacts g = extractor.extract(R"({"usage":{"input_tokens":4,"output_tokens":6}})");
  EXPECT_EQ(*g.usage, (Usage{4, 6, 10}));
}

// The cached part of the prompt, in each protocol's spelling, for pricing.
TEST(UsageExtractor, CachedAndCacheWriteTokens) {
  UsageExtractor extractor;
  UsageFacts chat = extractor.extract(
      R"({"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,)"
      R"("prompt_tokens_details":{"cached_tokens":60,"audio_tokens":0}}})");
  EXPECT_EQ(*chat.usage, (Usage{100, 5, 105, 60, 0}));
  UsageFacts responses = extractor.extract(
      R"({"response":{"usage":{"input_tokens":50,"input_tokens_details":{"cached_tokens":20},)"
      R"("output_tokens":7}}})");
  EXPECT_EQ(*responses.usage, (Usage{50, 7, 57, 20, 0}));
  // Anthropic: input_tokens excludes both cache counts; the prompt is all three.
  UsageFacts anthropic = extractor.extract(
      R"({"usage":{"input_tokens":10,"cache_read_input_tokens":30,)"
      R"("cache_creation_input_tokens":40,"output_tokens":3}})");
  EXPECT_EQ(*anthropic.usage, (Usage{80, 3, 83, 30, 40}));
}

TEST(UsageExtractor, NestedUsageDoesNotCount) {
  UsageExtractor extractor;
  UsageFacts f =
      extractor.extract(R"({"choices":[{"delta":{"content":"x"},"usage":{"prompt_tokens":9}}]})");
  EXPECT_FALSE(f.usage.has_value());
}

TEST(UsageExtractor, BadValuesCountAsZero) {
  UsageExtractor extractor;
  UsageFacts f = extractor.extract(
      R"({"choices":[],"usage":{"prompt_tokens":-1,"completion_tokens":"3","total_tokens":1.5}})");
  ASSERT_TRUE(f.usage.has_value());
  EXPECT_EQ(*f.usage, (Usage{0, 0, 0}));
}

TEST(UsageExtractor, InvalidJsonGivesNothing) {
  UsageExtractor extractor;
  for (std::string_view bad :
       {R"({"usage":{"prompt_tokens":1})", R"({"usage":{"prompt_tokens":1}}})", "usage _tokens",
        R"(["usage","_tokens"])"}) {
    UsageFacts f = extractor.extract(bad);
    EXPECT_FALSE(f.usage.has_value()) << bad;
    EXPECT_FALSE(f.usage_only) << bad;
  }
}

TEST(UsageExtractor, WithTheScannerOverASplitStream) {
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\r\n\r\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1,"
      "\"total_tokens\":11}}\r\n\r\n"
      "data: [DONE]\r\n\r\n";
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    UsageExtractor extractor;
    std::optional<Usage> usage;
    int usage_only = 0;
    SseScanner scanner([&](const SseEvent& e) {
      UsageFacts f = extractor.extract(e.data);
      if (f.usage) usage = f.usage;
      usage_only += f.usage_only;
    });
    ASSERT_TRUE(scanner.feed(std::string(stream.substr(0, cut))).has_value());
    ASSERT_TRUE(scanner.feed(std::string(stream.substr(cut))).has_value());
    ASSERT_TRUE(usage.has_value()) << cut;
    EXPECT_EQ(*usage, (Usage{10, 1, 11}));
    EXPECT_EQ(usage_only, 1);
    EXPECT_TRUE(scanner.sawDone());
  }
}

TEST(UsageExtractor, LargeBody) {
  UsageExtractor extractor;
  std::string body = R"({"data":[)";
  for (int i = 0; i < 200000; ++i) body += i ? ",0.125" : "0.125";
  body += R"(],"usage":{"prompt_tokens":3,"total_tokens":3}})";
  ASSERT_GT(body.size(), UsageExtractor::kRetainedCapacity);
  UsageFacts f = extractor.extract(body);
  ASSERT_TRUE(f.usage.has_value());
  EXPECT_EQ(f.usage->prompt_tokens, 3u);
}

}  // namespace
}  // namespace llmproxy::worker
