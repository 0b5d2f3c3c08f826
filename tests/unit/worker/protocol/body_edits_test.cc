// The body edits: the model splice and include_usage in every shape stream_options can take,
// checked byte for byte.
#include "worker/protocol/body_edits.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::worker::protocol {
namespace {

struct Edited {
  std::string body;
  bool drop_usage_chunk = false;
  size_t pieces = 0;
};

Edited edit(const std::string& body, std::string_view target,
            Operation op = Operation::ChatCompletions) {
  common::JsonFactsParser parser;
  auto facts = parser.parse(body);
  EXPECT_TRUE(facts) << body;
  if (!facts) return {};
  OutgoingRequest out;
  const BodyPlan plan = planBody(out, body, *facts, op, target);
  appendBodyPieces(out, body, plan);
  Edited e;
  for (const uv_buf_t& b : out.bufs) e.body.append(b.base, b.len);
  EXPECT_EQ(e.body.size(), plan.size);
  e.drop_usage_chunk = out.drop_usage_chunk;
  e.pieces = out.bufs.size();
  return e;
}

TEST(BodyEdits, ModelOnlyWithoutStream) {
  const auto e = edit(R"({"model":"gpt-4","messages":[{"role":"user","content":"hi"}]})", "gpt-4-turbo");
  EXPECT_EQ(e.body, R"({"model":"gpt-4-turbo","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_FALSE(e.drop_usage_chunk);
  EXPECT_EQ(e.pieces, 3u);
}

TEST(BodyEdits, TargetIsWrittenAsAJsonString) {
  EXPECT_EQ(edit(R"({"model":"a"})", "b\"c\\d\n").body, R"({"model":"b\"c\\d\n"})");
}

TEST(BodyEdits, StreamWithoutStreamOptions) {
  const auto e = edit(R"({"model":"a","stream":true})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_TRUE(e.drop_usage_chunk);
}

TEST(BodyEdits, StreamOptionsNull) {
  const auto e = edit(R"({"model":"a","stream":true,"stream_options":null})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_TRUE(e.drop_usage_chunk);
}

TEST(BodyEdits, IncludeUsageFalseOrNullBecomesTrue) {
  // The usage edit comes before the model in the body: the edits are applied in body order.
  auto e = edit(R"({"stream":true,"stream_options":{"include_usage":false},"model":"a"})", "b");
  EXPECT_EQ(e.body, R"({"stream":true,"stream_options":{"include_usage":true},"model":"b"})");
  EXPECT_TRUE(e.drop_usage_chunk);
  e = edit(R"({"model":"a","stream":true,"stream_options":{"x":1,"include_usage":null}})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"x":1,"include_usage":true}})");
  EXPECT_TRUE(e.drop_usage_chunk);
}

TEST(BodyEdits, StreamOptionsObjectWithoutIncludeUsage) {
  const auto e = edit(R"({"model":"a","stream":true,"stream_options":{"x":1}})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"include_usage":true,"x":1}})");
  EXPECT_TRUE(e.drop_usage_chunk);
}

TEST(BodyEdits, EmptyStreamOptionsObject) {
  auto e = edit(R"({"model":"a","stream":true,"stream_options":{}})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_TRUE(e.drop_usage_chunk);
  e = edit(R"({"model":"a","stream":true,"stream_options":{ }})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"include_usage":true }})");
}

TEST(BodyEdits, NothingAddedWhenUsageIsAskedOrNotApplicable) {
  auto e = edit(R"({"model":"a","stream":true,"stream_options":{"include_usage":true}})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_FALSE(e.drop_usage_chunk);
  e = edit(R"({"model":"a","stream":false,"stream_options":null})", "b");
  EXPECT_EQ(e.body, R"({"model":"b","stream":false,"stream_options":null})");
  EXPECT_FALSE(e.drop_usage_chunk);
  e = edit(R"({"model":"a","stream":true,"input":"x"})", "b", Operation::Embeddings);
  EXPECT_EQ(e.body, R"({"model":"b","stream":true,"input":"x"})");
  EXPECT_FALSE(e.drop_usage_chunk);
}

TEST(BodyEdits, CompletionsStreamAsksForUsageToo) {
  const auto e = edit(R"({"model":"a","prompt":"x","stream":true})", "b", Operation::Completions);
  EXPECT_EQ(e.body, R"({"model":"b","prompt":"x","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_TRUE(e.drop_usage_chunk);
}

TEST(BodyEdits, PiecesViewTheClientBody) {
  const std::string body = R"({"model":"a","messages":[]})";
  common::JsonFactsParser parser;
  auto facts = parser.parse(body);
  ASSERT_TRUE(facts);
  OutgoingRequest out;
  appendBodyPieces(out, body, planBody(out, body, *facts, Operation::ChatCompletions, "b"));
  ASSERT_EQ(out.bufs.size(), 3u);
  EXPECT_EQ(out.bufs[0].base, body.data());  // no copy of the client's bytes
  EXPECT_EQ(out.bufs[1].base, out.model_value.data());
  EXPECT_EQ(out.bufs[2].base, body.data() + facts->model_token.end);
}

}  // namespace
}  // namespace llmproxy::worker::protocol
