// Responses item ids that carry their item: round trip, integrity, bound, and the
// item_reference a later request sends, read in the item's place (or left out, or refused);
// streamed items, kept in the node's store and rebuilt from it.
#include "worker/protocol/item_ids.h"

#include <gtest/gtest.h>

#include "request_translation.h"
#include "worker/protocol/responses_request_reader.h"
#include "worker/protocol/responses_response.h"
#include "worker/protocol/responses_stream_writer.h"

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

// The error of reading a conversation whose answer is a reference to `id` between two user
// turns (an empty detail when it reads).
common::Error errorOfReference(const std::string& id) {
  RequestReader reader;
  auto read = reader.read(Source::Responses,
                          R"({"model":"m","input":[{"role":"user","content":"hi"},)"
                          R"({"type":"item_reference","id":")" + id + R"("},)"
                          R"({"role":"user","content":"and?"}]})");
  if (read) return common::Error{};
  return read.error();
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

  const common::Error refused = errorOfReference("msg_abc_1");
  EXPECT_EQ(refused.detail, kUnresolvedReference);
  EXPECT_EQ(refused.param, "input[1]");
  EXPECT_NE(refused.detail.find("store: false"), std::string::npos);
}

// A streamed answer with text before a tool call, its output_item.done items as the client
// got them, and the message and call ids (found in the events).
struct Streamed {
  std::string events;
  std::string msg;
  std::string fc;
};

Streamed streamAnswer() {
  ClientOptions client;
  client.model = "m";
  ResponsesStreamWriter writer(client);
  Streamed s;
  TokenUsage usage;
  writer.start("chatcmpl-1", usage, s.events);
  writer.blockStart(StreamBlockKind::Text, "", "", s.events);
  writer.delta(StreamDeltaKind::Text, "Let me ", s.events);
  writer.delta(StreamDeltaKind::Text, "look.", s.events);
  writer.blockStop(s.events);
  writer.blockStart(StreamBlockKind::ToolUse, "call_1", "weather", s.events);
  writer.delta(StreamDeltaKind::InputJson, R"({"city":"Paris"})", s.events);
  writer.blockStop(s.events);
  writer.end(StopReason::ToolUse, "", usage, s.events);
  auto idAt = [&](std::string_view kind) {
    const size_t at = s.events.find("\"item_id\":\"" + std::string(kind) + "_");
    if (at == std::string::npos) return std::string();
    const size_t begin = at + 11;
    return s.events.substr(begin, s.events.find('"', begin) - begin);
  };
  s.msg = idAt("msg");
  s.fc = idAt("fc");
  return s;
}

// The store for one test, set as this process's and unset after.
class StreamedItems : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = common::ItemStore::create(64 * common::ItemStore::slotBytes());
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    setStreamedItemStore(&store_);
  }
  void TearDown() override { setStreamedItemStore(nullptr); }
  common::ItemStore store_;
};

// With the store on, a streamed answer's items are kept under their ids (which end in a random
// tail, so no repeated upstream id names another answer's item) and references to them are
// read in their place, the text before the call included.
TEST_F(StreamedItems, ReferencesToAStreamedAnswerAreRebuiltFromTheStore) {
  const Streamed first = streamAnswer();
  ASSERT_TRUE(first.msg.starts_with("msg_1_0_")) << first.events;
  EXPECT_EQ(first.msg.size(), std::string("msg_1_0_").size() + 16) << first.msg;
  ASSERT_TRUE(first.fc.starts_with("fc_1_1_")) << first.events;
  // output_item.added and output_item.done name the same id (the AI SDK matches them).
  EXPECT_NE(first.events.find(R"("item":{"id":")" + first.msg + R"(","type":"message","status":"in_progress")"),
            std::string::npos)
      << first.events;
  EXPECT_NE(first.events.find(R"("item":{"id":")" + first.msg + R"(","type":"message","status":"completed")"),
            std::string::npos)
      << first.events;
  EXPECT_EQ(carriedItem(first.msg), std::nullopt);
  ASSERT_TRUE(referencedItem(first.msg));
  EXPECT_NE(referencedItem(first.msg)->find("Let me look."), std::string::npos);

  const Translated t = translate(
      Source::Responses,
      R"({"model":"m","input":[{"role":"user","content":"weather?"},)"
      R"({"type":"item_reference","id":")" + first.msg + R"("},{"type":"item_reference","id":")" +
          first.fc + R"("},{"type":"function_call_output","call_id":"call_1","output":"sunny"},)"
      R"({"role":"user","content":"thanks"}]})",
      Target::Chat);
  ASSERT_TRUE(t.ok) << t.error.detail;
  expectSameJson(t.body, R"({"model":"provider-model","messages":[{"role":"user","content":"weather?"},
      {"role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_1","type":"function",
       "function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"},
      {"role":"user","content":"thanks"}]})");

  // A whole earlier answer referenced on its own, then a new user turn: rebuilt too.
  const Translated chat = translate(
      Source::Responses,
      R"({"model":"m","input":[{"role":"user","content":"hi"},{"type":"item_reference","id":")" +
          first.msg + R"("},{"role":"user","content":"and?"}]})",
      Target::Anthropic, 100);
  ASSERT_TRUE(chat.ok) << chat.error.detail;
  EXPECT_NE(chat.body.find(R"({"role":"assistant","content":[{"type":"text","text":"Let me look."}]})"),
            std::string::npos)
      << chat.body;

  const Streamed second = streamAnswer();  // the same upstream id, other item ids
  EXPECT_NE(first.msg, second.msg);
  EXPECT_NE(first.fc, second.fc);
}

// With the store off, streamed ids are the plain counter ids and nothing is kept: a later
// reference is the 400 naming store: false, as before the store existed.
TEST_F(StreamedItems, OffKeepsNothing) {
  setStreamedItemStore(nullptr);
  const Streamed s = streamAnswer();
  EXPECT_EQ(s.msg, "msg_1_0") << s.events;
  EXPECT_EQ(s.fc, "fc_1_1");
  EXPECT_EQ(referencedItem(s.msg), std::nullopt);
  setStreamedItemStore(&store_);
  EXPECT_EQ(referencedItem(s.msg), std::nullopt);
  EXPECT_EQ(errorOfReference("msg_1_0").detail, kUnresolvedReference);
}

// An item over the carried bound is not kept either (the store's slots have the same bound).
TEST_F(StreamedItems, AnItemOverTheBoundIsNotKept) {
  ClientOptions client;
  client.model = "m";
  ResponsesStreamWriter writer(client);
  std::string events;
  TokenUsage usage;
  writer.start("chatcmpl-2", usage, events);
  writer.blockStart(StreamBlockKind::Text, "", "", events);
  writer.delta(StreamDeltaKind::Text, std::string(kMaxCarriedItem, 'x'), events);
  writer.blockStop(events);
  const size_t at = events.find("\"item_id\":\"msg_");
  ASSERT_NE(at, std::string::npos);
  const std::string id = events.substr(at + 11, events.find('"', at + 11) - at - 11);
  EXPECT_EQ(referencedItem(id), std::nullopt);
}

}  // namespace
}  // namespace llmproxy::worker::protocol::testing
