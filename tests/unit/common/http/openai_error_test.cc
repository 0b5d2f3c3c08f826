// OpenAI error bodies and the SSE error event: exact bytes, JSON validity, string escaping.
#include "common/http/openai_error.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace llmproxy::common {
namespace {

std::string jsonQuoted(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

// Parses `json` with RapidJSON (an independent parser) and returns the decoded string.
std::string decode(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json;
  if (doc.HasParseError() || !doc.IsString()) return "<invalid>";
  return std::string(doc.GetString(), doc.GetStringLength());
}

TEST(AppendJsonString, PlainAndEscapes) {
  EXPECT_EQ(jsonQuoted(""), R"("")");
  EXPECT_EQ(jsonQuoted("gpt-4o"), R"("gpt-4o")");
  EXPECT_EQ(jsonQuoted("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(jsonQuoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(jsonQuoted(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(jsonQuoted("\x7f"), "\"\x7f\"");  // DEL needs no escape
}

TEST(AppendJsonString, ValidUtf8PassesThrough) {
  EXPECT_EQ(jsonQuoted("caf\xC3\xA9"), "\"caf\xC3\xA9\"");            // 2 bytes
  EXPECT_EQ(jsonQuoted("\xE2\x82\xAC"), "\"\xE2\x82\xAC\"");          // 3 bytes: euro
  EXPECT_EQ(jsonQuoted("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");  // 4 bytes: emoji
  EXPECT_EQ(jsonQuoted("\xE2\x80\xA8\xEF\xBF\xBF"),
            "\"\xE2\x80\xA8\xEF\xBF\xBF\"");                          // U+2028, U+FFFF
  EXPECT_EQ(jsonQuoted("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF
}

TEST(AppendJsonString, InvalidUtf8IsReplaced) {
  EXPECT_EQ(jsonQuoted("a\xFFz"), R"("a\ufffdz")");
  EXPECT_EQ(jsonQuoted("\xC3"), R"("\ufffd")");                                // truncated
  EXPECT_EQ(jsonQuoted("\xC0\xAF"), R"("\ufffd\ufffd")");                      // overlong '/'
  EXPECT_EQ(jsonQuoted("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");            // UTF-16 surrogate
  EXPECT_EQ(jsonQuoted("\xF4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(jsonQuoted("\x80"), R"("\ufffd")");                                // lone continuation
}

TEST(AppendJsonString, EveryByteRoundTripsThroughAJsonParser) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
  EXPECT_EQ(decode(jsonQuoted(all)), all);
  const std::string utf8 = "mod\xC3\xA8le \xE6\xA8\xA1\xE5\x9E\x8B \xF0\x9F\xA4\x96";
  EXPECT_EQ(decode(jsonQuoted(utf8)), utf8);
}

TEST(AppendJsonString, Appends) {
  std::string out = "x=";
  appendJsonString(out, "y");
  EXPECT_EQ(out, R"(x="y")");
}

TEST(OpenAIErrorBody, FromErrorUsesTheTable) {
  Error error{ErrorKind::InvalidApiKey, "Incorrect API key provided", 0};
  EXPECT_EQ(openAIErrorBody(error),
            R"({"error":{"message":"Incorrect API key provided","type":"authentication_error",)"
            R"("param":null,"code":"invalid_api_key"}})");
}

TEST(OpenAIErrorBody, ParamAndEscapedMessage) {
  Error error{ErrorKind::BadRequest, "bad \"model\"\n", 0};
  EXPECT_EQ(openAIErrorBody(error, "model"),
            R"({"error":{"message":"bad \"model\"\n","type":"invalid_request_error",)"
            R"("param":"model","code":"bad_request"}})");
}

TEST(OpenAIErrorBody, EmptyDetailFallsBackToKindName) {
  Error error{ErrorKind::UpstreamTimeout, "", 0};
  EXPECT_NE(openAIErrorBody(error).find(R"("message":"upstream_timeout")"), std::string::npos);
}

TEST(OpenAIErrorBody, ExplicitFields) {
  EXPECT_EQ(
      openAIErrorBody(OpenAIErrorFields{"The model `x` does not exist", "invalid_request_error",
                                        std::nullopt, "model_not_found"}),
      R"({"error":{"message":"The model `x` does not exist","type":"invalid_request_error",)"
      R"("param":null,"code":"model_not_found"}})");
  EXPECT_EQ(openAIErrorBody(OpenAIErrorFields{"m", "t", "p", std::nullopt}),
            R"({"error":{"message":"m","type":"t","param":"p","code":null}})");
}

TEST(OpenAIErrorBody, EveryKindIsValidJsonWithTheTablesFields) {
  for (size_t k = 0; k < static_cast<size_t>(ErrorKind::kCount); ++k) {
    const auto kind = static_cast<ErrorKind>(k);
    const std::string body = openAIErrorBody(Error{kind, "detail \x01 \xFF", 0});
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    ASSERT_FALSE(doc.HasParseError()) << body;
    const auto& e = doc["error"];
    EXPECT_EQ(std::string_view(e["type"].GetString()), errorInfo(kind).openai_type);
    EXPECT_EQ(std::string_view(e["code"].GetString()), errorInfo(kind).openai_code);
    EXPECT_TRUE(e["param"].IsNull());
    EXPECT_EQ(std::string_view(e["message"].GetString()), "detail \x01 \xEF\xBF\xBD");
  }
}

TEST(OpenAIErrorSseEvent, Form) {
  Error error{ErrorKind::UpstreamProtocol, "upstream closed the stream", 0};
  EXPECT_EQ(openAIErrorSseEvent(error),
            "event: error\n"
            R"(data: {"error":{"message":"upstream closed the stream","type":"api_error",)"
            R"("param":null,"code":"upstream_protocol_error"}})"
            "\n\n");
}

TEST(OpenAIErrorSseEvent, NewlinesInTheMessageStayInsideOneDataLine) {
  const std::string event =
      openAIErrorSseEvent(OpenAIErrorFields{"line1\nline2\r\n", "api_error", {}, {}});
  ASSERT_TRUE(event.ends_with("\n\n"));
  const std::string_view body = std::string_view(event).substr(0, event.size() - 2);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n'), 1);  // only after "event: error"
  EXPECT_EQ(body.find('\r'), std::string_view::npos);
}

}  // namespace
}  // namespace llmproxy::common
