// Sha256Memo: always the digest of the input it is given, whatever came before.
#include "common/crypto/sha256_memo.h"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto/sha256.h"

namespace llmproxy::common {
namespace {

TEST(Sha256Memo, GivesTheDigestOfEachInputAsItChanges) {
  Sha256Memo memo;
  for (std::string_view key : {"sk-a", "sk-a", "sk-b", "sk-a", "", "sk-a", "sk-aa", "sk-a"})
    EXPECT_EQ(memo.digest(key), sha256(key)) << key;
}

TEST(Sha256Memo, DoesNotKeepAViewOfTheCallersBytes) {
  Sha256Memo memo;
  std::string key = "sk-first";
  const Sha256 first = memo.digest(key);
  key = "sk-other";  // same length, the old bytes overwritten in place
  EXPECT_EQ(memo.digest(key), sha256("sk-other"));
  EXPECT_NE(memo.digest(key), first);
}

}  // namespace
}  // namespace llmproxy::common
