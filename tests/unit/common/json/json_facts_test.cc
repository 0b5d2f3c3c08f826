// json_facts: the model/stream facts, their byte offsets, full validation, and the splice.
#include "common/json/json_facts.h"

#include <gtest/gtest.h>

#include <string>

namespace llmproxy::common {
namespace {

class JsonFactsTest : public ::testing::Test {
 protected:
  Result<JsonFacts> parse(std::string_view body) { return parser_.parse(body); }

  // Parses in place: the body is followed by the padding simdjson wants.
  Result<JsonFacts> parsePadded(std::string_view body) {
    std::string buffer(body);
    buffer.append(JsonFactsParser::kPadding, 'x');  // garbage past len is fine
    return parser_.parse(buffer.data(), body.size(), buffer.size());
  }

  JsonFacts ok(std::string_view body) {
    auto facts = parse(body);
    EXPECT_TRUE(facts.has_value()) << body << " -> " << (facts ? "" : facts.error().detail);
    return facts ? *facts : JsonFacts{};
  }

  std::string error(std::string_view body) {
    auto facts = parse(body);
    EXPECT_FALSE(facts.has_value()) << body;
    if (facts) return {};
    EXPECT_EQ(facts.error().kind, ErrorKind::BadRequest);
    return facts.error().detail;
  }

  JsonFactsParser parser_;
};

TEST_F(JsonFactsTest, ModelAndItsToken) {
  const std::string body = R"({"model":"gpt-4o","messages":[]})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.model, "gpt-4o");
  EXPECT_EQ(f.model_token.in(body), R"("gpt-4o")");
  EXPECT_FALSE(f.stream);
  EXPECT_EQ(f.stream_options, JsonFacts::StreamOptions::Absent);
  EXPECT_FALSE(f.include_usage.has_value());
  EXPECT_EQ(f.object_close, body.size() - 1);
}

TEST_F(JsonFactsTest, WhitespaceEverywhere) {
  const std::string body =
      " \r\n\t{ \"messages\" : [ ] ,\n  \"model\"  :\t \"m-1\"  \n , \"stream\" : "
      "true }\n\t ";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.model, "m-1");
  EXPECT_EQ(f.model_token.in(body), R"("m-1")");
  EXPECT_TRUE(f.stream);
  EXPECT_EQ(body[f.object_close], '}');
  EXPECT_EQ(f.object_close, body.rfind('}'));
}

TEST_F(JsonFactsTest, EscapedModelIsUnescapedButTheTokenIsRaw) {
  const std::string body = R"({"model":"a\"b\\c\/d\u00e9\ud83d\ude00\n"})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.model, "a\"b\\c/d\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_EQ(f.model_token.in(body), R"("a\"b\\c\/d\u00e9\ud83d\ude00\n")");
}

TEST_F(JsonFactsTest, RawUnicodeModel) {
  const std::string body = "{\"model\":\"\xE6\xA8\xA1\xE5\x9E\x8B-\xF0\x9F\xA4\x96\"}";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.model, "\xE6\xA8\xA1\xE5\x9E\x8B-\xF0\x9F\xA4\x96");
  EXPECT_EQ(f.model_token.in(body), "\"\xE6\xA8\xA1\xE5\x9E\x8B-\xF0\x9F\xA4\x96\"");
}

TEST_F(JsonFactsTest, EscapedKeyCounts) {
  JsonFacts f = ok(R"({"mod\u0065l":"x"})");
  EXPECT_EQ(f.model, "x");
  EXPECT_NE(error(R"({"model":"a","mod\u0065l":"b"})").find("Duplicate key 'model'"),
            std::string::npos);
}

TEST_F(JsonFactsTest, OnlyTheTopLevelModelCounts) {
  const std::string body =
      R"({"messages":[{"role":"user","content":"hi","model":"nested"}],)"
      R"("tools":{"model":"also-nested"},"model":"top","metadata":{"x":{"model":1}}})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.model, "top");
  EXPECT_EQ(f.model_token.begin, body.find(R"("top")"));

  EXPECT_NE(error(R"({"messages":[{"model":"nested"}]})").find("model parameter"),
            std::string::npos);
}

TEST_F(JsonFactsTest, ModelErrors) {
  EXPECT_EQ(error(R"({"messages":[]})"), "You must provide a model parameter");
  EXPECT_EQ(error(R"({"model":""})"), "You must provide a model parameter");
  EXPECT_EQ(error(R"({"model":4})"), "Invalid type for 'model': expected a string");
  EXPECT_EQ(error(R"({"model":null})"), "Invalid type for 'model': expected a string");
  EXPECT_EQ(error(R"({"model":["a"]})"), "Invalid type for 'model': expected a string");
}

TEST_F(JsonFactsTest, DuplicatesOfKeysWeReadAreRejected) {
  EXPECT_EQ(error(R"({"model":"a","model":"b"})"), "Duplicate key 'model' in request body");
  EXPECT_EQ(error(R"({"model":"a","stream":false,"stream":true})"),
            "Duplicate key 'stream' in request body");
  EXPECT_EQ(error(R"({"model":"a","stream_options":null,"stream_options":{}})"),
            "Duplicate key 'stream_options' in request body");
  EXPECT_EQ(error(R"({"model":"a","stream_options":{"include_usage":false,"include_usage":true}})"),
            "Duplicate key 'stream_options.include_usage' in request body");
  // Other duplicates pass through untouched.
  EXPECT_EQ(ok(R"({"model":"a","user":"x","user":"y"})").model, "a");
}

TEST_F(JsonFactsTest, NotAnObject) {
  EXPECT_EQ(error(R"(["model"])"), "Request body must be a JSON object");
  EXPECT_EQ(error(R"("model")"), "Request body must be a JSON object");
  EXPECT_EQ(error("42"), "Request body must be a JSON object");
  EXPECT_EQ(error("null"), "Request body must be a JSON object");
  EXPECT_EQ(error("true"), "Request body must be a JSON object");
  EXPECT_NE(error("").find("empty"), std::string::npos);
}

TEST_F(JsonFactsTest, InvalidJsonAnywhereIsRejected) {
  const char* bad[] = {
      "{",
      "{\"model\":\"a\"",
      "{\"model\":\"a\",}",
      "{\"model\":\"a\"}}",
      "{\"model\":\"a\"} x",
      "{\"model\":\"a\"}{}",
      "{\"model\" \"a\"}",
      "{model:\"a\"}",
      "{'model':'a'}",
      "{\"model\":\"a\",\"x\":[1,]}",
      "{\"model\":\"a\",\"x\":[1 2]}",
      "{\"model\":\"a\",\"x\":tru}",
      "{\"model\":\"a\",\"x\":nul}",
      "{\"model\":\"a\",\"x\":falsey}",
      "{\"model\":\"a\",\"x\":01}",
      "{\"model\":\"a\",\"x\":1.}",
      "{\"model\":\"a\",\"x\":-}",
      "{\"model\":\"a\",\"x\":1e}",
      "{\"model\":\"a\",\"x\":NaN}",
      "{\"model\":\"a\",\"x\":\"\\q\"}",
      "{\"model\":\"a\",\"x\":\"\\u12\"}",
      "{\"model\":\"a\",\"x\":\"\\ud800\"}",
      "{\"model\":\"a\",\"x\":\"tab\there\"}",
      "{\"model\":\"a\",\"x\":\"\xFF\"}",
      "{\"model\":\"a\",\"x\":{\"k\" 1}}",
      "{\"model\":\"a\",\"x\":[}",
      "{\"model\":\"a\",\"x\":{]}",
      "{\"model\":\"a\",\"stream\":true,}",
      "{\"model\":\"a\",\"stream_options\":{\"include_usage\":true,}}",
      "{\"model\":\"a\",\"stream_options\":{\"x\":[1,]}}",
      "{\"model\":\"a\"\"stream\":true}",
      "{\"mod\\qel\":\"a\"}",
  };
  for (const char* body : bad) {
    auto facts = parse(body);
    ASSERT_FALSE(facts.has_value()) << body;
    EXPECT_EQ(facts.error().kind, ErrorKind::BadRequest);
    EXPECT_TRUE(facts.error().detail.starts_with("Invalid JSON in request body")) << body;
  }
}

TEST_F(JsonFactsTest, ValidOddValuesAreAccepted) {
  JsonFacts f =
      ok(R"({"model":"a","n":-0.5e-3,"big":123456789012345678901234567890,"z":0,"e":1E+2,)"
         R"("arr":[[],{},[null,true,false,"s"]],"s":"\u0000\t","u":"\u00e9"})");
  EXPECT_EQ(f.model, "a");
}

TEST_F(JsonFactsTest, DeepNestingIsBounded) {
  std::string ok_body =
      R"({"model":"a","x":)" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_TRUE(parse(ok_body).has_value());
  std::string deep = R"({"model":"a","x":)" + std::string(2000, '[') + std::string(2000, ']') + "}";
  EXPECT_FALSE(parse(deep).has_value());
}

TEST_F(JsonFactsTest, Stream) {
  EXPECT_TRUE(ok(R"({"model":"a","stream":true})").stream);
  EXPECT_FALSE(ok(R"({"model":"a","stream":false})").stream);
  EXPECT_FALSE(ok(R"({"model":"a","stream":null})").stream);
  EXPECT_EQ(error(R"({"model":"a","stream":"true"})"),
            "Invalid type for 'stream': expected a boolean");
  EXPECT_EQ(error(R"({"model":"a","stream":1})"), "Invalid type for 'stream': expected a boolean");
}

TEST_F(JsonFactsTest, StreamOptionsAbsentInsertAtObjectClose) {
  const std::string body = R"({"model":"a","stream":true}  )";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.stream_options, JsonFacts::StreamOptions::Absent);
  std::string injected = body.substr(0, f.object_close) +
                         R"(,"stream_options":{"include_usage":true})" +
                         body.substr(f.object_close);
  JsonFacts g = ok(injected);
  EXPECT_EQ(g.include_usage, true);
}

TEST_F(JsonFactsTest, StreamOptionsObject) {
  const std::string body =
      R"({"model":"a","stream_options": { "include_usage" : false , "x":[1]} ,"stream":true})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.stream_options, JsonFacts::StreamOptions::Object);
  EXPECT_EQ(f.stream_options_token.in(body), R"({ "include_usage" : false , "x":[1]})");
  EXPECT_FALSE(f.stream_options_empty);
  EXPECT_EQ(f.include_usage, false);
  EXPECT_EQ(f.include_usage_token.in(body), "false");
  EXPECT_TRUE(f.stream);
}

TEST_F(JsonFactsTest, StreamOptionsWithoutIncludeUsage) {
  const std::string body = R"({"stream_options":{"x":1},"model":"a"})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.stream_options_token.in(body), R"({"x":1})");
  EXPECT_FALSE(f.include_usage.has_value());
  EXPECT_TRUE(f.include_usage_token.empty());

  const std::string empty = "{\"stream_options\":{ \n },\"model\":\"a\"}";
  JsonFacts e = ok(empty);
  EXPECT_TRUE(e.stream_options_empty);
  EXPECT_EQ(e.stream_options_token.in(empty), "{ \n }");
}

TEST_F(JsonFactsTest, StreamOptionsNullAndIncludeUsageNull) {
  const std::string body = R"({"model":"a","stream_options":null})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.stream_options, JsonFacts::StreamOptions::Null);
  EXPECT_EQ(f.stream_options_token.in(body), "null");

  const std::string inner = R"({"model":"a","stream_options":{"include_usage":null}})";
  JsonFacts g = ok(inner);
  EXPECT_FALSE(g.include_usage.has_value());
  EXPECT_EQ(g.include_usage_token.in(inner), "null");
}

TEST_F(JsonFactsTest, StreamOptionsLast) {
  const std::string body = R"({"model":"a","stream_options":{"include_usage":true}})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.include_usage, true);
  EXPECT_EQ(f.stream_options_token.in(body), R"({"include_usage":true})");
  EXPECT_EQ(f.object_close, body.size() - 1);
}

TEST_F(JsonFactsTest, StreamOptionsErrors) {
  EXPECT_EQ(error(R"({"model":"a","stream_options":true})"),
            "Invalid type for 'stream_options': expected an object");
  EXPECT_EQ(error(R"({"model":"a","stream_options":{"include_usage":"yes"}})"),
            "Invalid type for 'stream_options.include_usage': expected a boolean");
}

TEST_F(JsonFactsTest, InPlaceAndCopiedParsesAgree) {
  const std::string body = R"({"model":"x\u0041","stream":true,"stream_options":{}})";
  auto copied = parse(body);
  auto in_place = parsePadded(body);
  ASSERT_TRUE(copied && in_place);
  EXPECT_EQ(copied->model, in_place->model);
  EXPECT_EQ(copied->model_token, in_place->model_token);
  EXPECT_EQ(copied->stream_options_token, in_place->stream_options_token);
  EXPECT_EQ(copied->object_close, in_place->object_close);
}

TEST_F(JsonFactsTest, ParserIsReusable) {
  for (int i = 0; i < 50; ++i) {
    const std::string model = "m" + std::to_string(i);
    const std::string body =
        R"({"model":")" + model + R"(","pad":")" + std::string(i * 97, 'p') + R"("})";
    EXPECT_EQ(ok(body).model, model);
    if (i % 7 == 0) {
      EXPECT_FALSE(parse("{").has_value());
    }
  }
}

TEST_F(JsonFactsTest, HugeBodies) {
  // 8 MiB of content before and after the model: offsets stay exact, parser memory is not
  // retained (the body is above kRetainedCapacity).
  const std::string content(4u << 20, 'c');
  const std::string body = R"({"messages":[{"role":"user","content":")" + content +
                           R"("}],"model":"big-one","tail":")" + content + R"("})";
  JsonFacts f = ok(body);
  EXPECT_EQ(f.model, "big-one");
  EXPECT_EQ(f.model_token.in(body), R"("big-one")");
  EXPECT_EQ(f.object_close, body.size() - 1);

  std::string padded = body;
  padded.append(JsonFactsParser::kPadding, '\0');
  auto in_place = parser_.parse(padded.data(), body.size(), padded.size());
  ASSERT_TRUE(in_place.has_value());
  EXPECT_EQ(in_place->model_token, f.model_token);

  std::string broken = body;
  broken[body.size() - 3] = '\x01';  // a raw control character inside the last string
  EXPECT_FALSE(parse(broken).has_value());
}

TEST(ModelSplice, ReplacesOnlyTheModelToken) {
  JsonFactsParser parser;
  const std::string body = R"({"model" : "gpt-4" , "messages":[{"model":"gpt-4"}]})";
  auto facts = parser.parse(body);
  ASSERT_TRUE(facts.has_value());
  ModelSplice splice = spliceModel(body, facts->model_token, "gpt-4-turbo");
  EXPECT_EQ(splice.before, R"({"model" : )");
  EXPECT_EQ(splice.value, R"("gpt-4-turbo")");
  EXPECT_EQ(splice.after, R"( , "messages":[{"model":"gpt-4"}]})");
  EXPECT_EQ(splice.joined(), R"({"model" : "gpt-4-turbo" , "messages":[{"model":"gpt-4"}]})");
  EXPECT_EQ(splice.size(), splice.joined().size());
  EXPECT_EQ(splice.before.data(), body.data());  // views, not copies
}

TEST(ModelSplice, EscapesTheNewNameAndReparses) {
  JsonFactsParser parser;
  const std::string body = R"({"messages":[],"model":"a\u0022b"})";
  auto facts = parser.parse(body);
  ASSERT_TRUE(facts.has_value());
  EXPECT_EQ(facts->model, "a\"b");
  const std::string new_name = "org/m\"odel\\\n\xC3\xA9";
  ModelSplice splice = spliceModel(body, facts->model_token, new_name);
  auto again = parser.parse(splice.joined());
  ASSERT_TRUE(again.has_value()) << splice.joined();
  EXPECT_EQ(again->model, new_name);
}

TEST(ModelSplice, ModelFirstAndLast) {
  JsonFactsParser parser;
  for (std::string body :
       {R"({"model":"a"})", R"({"x":1,"model":"a"})", R"({"model":"a","x":1})"}) {
    auto facts = parser.parse(body);
    ASSERT_TRUE(facts.has_value());
    std::string out = spliceModel(body, facts->model_token, "bb").joined();
    auto again = parser.parse(out);
    ASSERT_TRUE(again.has_value()) << out;
    EXPECT_EQ(again->model, "bb");
    EXPECT_EQ(out.size(), body.size() + 1);
  }
}

}  // namespace
}  // namespace llmproxy::common
