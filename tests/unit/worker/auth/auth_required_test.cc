// authRequired: allow_unauthenticated cannot open the API while any key source exists.
#include <gtest/gtest.h>

#include "worker/runtime_config.h"

namespace llmproxy::worker {
namespace {

TEST(AuthRequired, OpenOnlyWithTheSwitchAndNoKeySource) {
  common::Config c;
  EXPECT_TRUE(authRequired(c));
  c.server.allow_unauthenticated = true;
  EXPECT_FALSE(authRequired(c));
  c.keys.emplace_back();
  EXPECT_TRUE(authRequired(c)) << "a [[key]] turns authentication on";
}

TEST(AuthRequired, ADatabaseWithoutUsableKeysStaysClosed) {
  // Every credential row deleted or skipped: the merged config has no key, but the database
  // is the key source, so every call is refused instead of the API opening.
  common::Config c;
  c.server.allow_unauthenticated = true;
  c.database.url = "postgresql://llmproxy@localhost/llmproxy";
  EXPECT_TRUE(authRequired(c));
}

}  // namespace
}  // namespace llmproxy::worker
