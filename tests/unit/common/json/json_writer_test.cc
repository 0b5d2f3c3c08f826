// JsonWriter: separators, escaping, and the already-escaped strings the translators write.
#include "common/json/json_writer.h"

#include <gtest/gtest.h>

namespace llmproxy::common {
namespace {

TEST(JsonWriter, ObjectsArraysAndSeparators) {
  JsonWriter w;
  w.beginObject().field("a", 1).key("b").beginArray().value(true).null().value("x").endArray();
  w.key("c").beginObject().endObject().endObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,"x"],"c":{}})");
}

TEST(JsonWriter, ValuesAreEscaped) {
  JsonWriter w;
  w.beginArray().value("q\"\\\n\x01").endArray();
  EXPECT_EQ(w.str(), R"(["q\"\\\n\u0001"])");
}

TEST(JsonWriter, EscapedStringsAreWrittenAsTheyAre) {
  JsonWriter w;
  w.reserve(64).beginObject().escapedKey(R"(k\u0065y)").escapedValue(R"(a\nb \"c\")");
  w.escapedKey("n").value(int64_t{2}).endObject();
  EXPECT_EQ(w.str(), R"({"k\u0065y":"a\nb \"c\"","n":2})");
}

TEST(JsonWriter, EscapedValuesInAnArray) {
  JsonWriter w;
  w.beginArray().escapedValue("a").escapedValue("").raw("{}").endArray();
  EXPECT_EQ(w.str(), R"(["a","",{}])");
}

}  // namespace
}  // namespace llmproxy::common
