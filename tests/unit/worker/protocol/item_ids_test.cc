// Responses item ids that carry their item: round trip, integrity, bound, and the
// item_reference a later request sends, read in the item's place (or left out, or refused).
#include "worker/protocol/item_ids.h"

#include <gtest/gtest.h>

#include "request_translation.h"
#include "worker/protocol/responses_request_reader.h"
#include "worker/protocol/responses_response.h"

namespace llmproxy::worker::protocol::testing {
namespace {

constexpr std::string_view kItem =
    R"({"id":"","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Let me look. \u00e9","annotations":[]}]})";

TEST(ItemIds, CarryTheirItemUnderTheKey) {
  setItemIdKeyMaterial("secret-a");
  const std::string id = carryingItemId("msg", kItem, "msg_plain_0");
  EXPECT_TRUE(id.starts_with("msg_c1")) << id;
  EXPECT_EQ(id.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
            std::string::npos)
      << id;
  EXPECT_EQ(carriedItem(id), std::string(kItem));

  // Any change of the item or the tag, another kind, another key: nothing.
  std::string tampered = id;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(carriedItem(tampered), std::nullopt);
  std::string bad_tag = id;
  bad_tag.back() = bad_tag.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(carriedItem(bad_tag), std::nullopt);
  EXPECT_EQ(carriedItem("fc" + id.substr(3)), std::nullopt);
  setItemIdKeyMaterial("secret-b");
  EXPECT_EQ(carriedItem(id), std::nullopt);
  setItemIdKeyMaterial("secret-a");
  EXPECT_EQ(carriedItem(id), std::string(kItem));

  for (std::string_view plain : {"msg_abc_0", "", "msg_", "msg_c1.", "msg_c1%%.x", "rs_c1A.AAAA"})
    EXPECT_EQ(carriedItem(plain), std::nullopt) << plain;
}

TEST(ItemIds, AnItemOverTheBoundGetsTheFallback) {
  const std::string big(kMaxCarriedItem + 1, 'x');
  EXPECT_EQ(carryingItemId("msg", big, "msg_r_0"), "msg_r_0");
  const std::string fits(kMaxCarriedItem, 'x');
  EXPECT_EQ(carriedItem(carryingItemId("msg", fits, "msg_r_0")), fits);
}

// The ids of a whole answer, sent back as references, rebuild the conversation.
TEST(ItemIds, ReferencesToAWholeAnswerAreReadInTheItemsPlace) {
  setItemIdKeyMaterial("secret-a");
  InternalResponse answer;
  answer.id = "chatcmpl-1";
  answer.stop = StopReason::ToolUse;
  ResponsePart text;
  text.kind = ResponsePartKind::Text;
  text.text = "Let me look.";
  ResponsePart call;
  call.kind = ResponsePartKind::ToolUse;
  call.id = "call_1";
  call.name = "weather";
  call.input = R"({"city":"Paris"})";
  answer.content = {text, call};
  ClientOptions client;
  client.model = "m";
  std::string object;
  writeResponsesResponse(answer, client, object);
  auto idAt = [&](std::string_view kind) {
    const size_t at = object.find("\"id\":\"" + std::string(kind) + "_");
    const size_t begin = at + 6;
    return object.substr(begin, object.find('"', begin) - begin);
  };
  const std::string msg = idAt("msg");
  const std::string fc = idAt("fc");
  ASSERT_TRUE(carriedItem(msg)) << object;
  ASSERT_TRUE(carriedItem(fc)) << object;

  const Translated t = translate(
      Source::Responses,
      R"({"model":"m","input":[{"role":"user","content":"weather?"},)"
      R"({"type":"item_reference","id":")" + msg + R"("},{"type":"item_reference","id":")" + fc +
          R"("},{"type":"function_call_output","call_id":"call_1","output":"sunny"}]})",
      Target::Chat);
  ASSERT_TRUE(t.ok) << t.error.detail;
  expectSameJson(t.body, R"({"model":"provider-model","messages":[{"role":"user","content":"weather?"},
      {"role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");
}

// A streamed answer's ids carry nothing: the text before a tool call and reasoning are left
// out; anything else is the 400 naming store: false.
TEST(ItemIds, ReferencesThatCarryNothingAreLeftOutOrRefused) {
  const Translated loop = translate(
      Source::Responses,
      R"({"model":"m","input":[{"role":"user","content":"weather?"},)"
      R"({"type":"item_reference","id":"rs_abc_0"},{"type":"item_reference","id":"msg_abc_1"},)"
      R"({"type":"function_call","call_id":"call_1","name":"weather","arguments":"{}"},)"
      R"({"type":"function_call_output","call_id":"call_1","output":"sunny"}]})",
      Target::Chat);
  ASSERT_TRUE(loop.ok) << loop.error.detail;
  expectSameJson(loop.body, R"({"model":"provider-model","messages":[{"role":"user","content":"weather?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"weather","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");

  RequestReader reader;
  auto chat = reader.read(Source::Responses,
                          R"({"model":"m","input":[{"role":"user","content":"hi"},)"
                          R"({"type":"item_reference","id":"msg_abc_1"},)"
                          R"({"role":"user","content":"and?"}]})");
  ASSERT_FALSE(chat);
  EXPECT_EQ(chat.error().detail, kUnresolvedReference);
  EXPECT_EQ(chat.error().param, "input[1]");
  EXPECT_NE(chat.error().detail.find("store: false"), std::string::npos);
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
