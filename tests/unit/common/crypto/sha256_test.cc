// SHA-256 against the FIPS 180-2 vectors, hex round trips, and constant-time compare.
#include "common/crypto/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "common/crypto/ct_equal.h"

namespace llmproxy::common {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(toHex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(toHex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(toHex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(toHex(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, HexRoundTripAcceptsEitherCase) {
  Sha256 digest = sha256("test");
  auto lower = sha256FromHex(toHex(digest));
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, digest);
  auto upper = sha256FromHex("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08");
  ASSERT_TRUE(upper);
  EXPECT_EQ(*upper, digest);
}

TEST(Sha256, HexRejectsBadInput) {
  EXPECT_FALSE(sha256FromHex(""));
  EXPECT_FALSE(sha256FromHex(std::string(63, 'a')));
  EXPECT_FALSE(sha256FromHex(std::string(65, 'a')));
  EXPECT_FALSE(sha256FromHex(std::string(63, 'a') + "g"));
  EXPECT_FALSE(sha256FromHex(std::string(62, 'a') + " a"));
}

TEST(Sha256CtEqual, ComparesContentAndLength) {
  EXPECT_TRUE(ctEqual(sha256("a"), sha256("a")));
  EXPECT_FALSE(ctEqual(sha256("a"), sha256("b")));
  EXPECT_TRUE(ctEqual(std::string_view("secret"), std::string_view("secret")));
  EXPECT_FALSE(ctEqual(std::string_view("secret"), std::string_view("secreT")));
  EXPECT_FALSE(ctEqual(std::string_view("secret"), std::string_view("secret2")));
  EXPECT_TRUE(ctEqual(std::string_view(), std::string_view()));
}

}  // namespace
}  // namespace llmproxy::common
