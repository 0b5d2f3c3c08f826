// ${VAR}, ${VAR:-default} and $$.
#include "common/config/expand_env.h"

#include <gtest/gtest.h>

#include "support/env_of.h"

#include <map>

namespace llmproxy::common {
namespace {

using testing::envOf;

TEST(ConfigExpandEnv, Variables) {
  auto env = envOf({{"A", "alpha"}, {"EMPTY", ""}, {"B_2", "beta"}});
  EXPECT_EQ(expandEnv("${A}", env).value(), "alpha");
  EXPECT_EQ(expandEnv("x-${A}-${B_2}-y", env).value(), "x-alpha-beta-y");
  EXPECT_EQ(expandEnv("${EMPTY}", env).value(), "");  // set but empty is a value
  EXPECT_EQ(expandEnv("no variables", env).value(), "no variables");
}

TEST(ConfigExpandEnv, Defaults) {
  auto env = envOf({{"A", "alpha"}, {"EMPTY", ""}});
  EXPECT_EQ(expandEnv("${A:-d}", env).value(), "alpha");
  EXPECT_EQ(expandEnv("${UNSET:-d}", env).value(), "d");
  EXPECT_EQ(expandEnv("${EMPTY:-d}", env).value(), "d");
  EXPECT_EQ(expandEnv("${UNSET:-}", env).value(), "");
  EXPECT_EQ(expandEnv("${UNSET:-http://h:1/x}", env).value(), "http://h:1/x");
}

TEST(ConfigExpandEnv, Dollars) {
  auto env = envOf({{"A", "alpha"}});
  EXPECT_EQ(expandEnv("$$", env).value(), "$");
  EXPECT_EQ(expandEnv("$${A}", env).value(), "${A}");
  EXPECT_EQ(expandEnv("pa$word$", env).value(), "pa$word$");
  EXPECT_EQ(expandEnv("$$$${A}", env).value(), "$${A}");
  EXPECT_EQ(expandEnv("$$${A}", env).value(), "$alpha");
}

TEST(ConfigExpandEnv, Errors) {
  auto env = envOf({});
  EXPECT_EQ(expandEnv("${ADMIN_KEY}", env).error(),
            "environment variable ADMIN_KEY is not set (write ${ADMIN_KEY:-} to allow an empty "
            "value)");
  EXPECT_EQ(expandEnv("${A", env).error(), "unterminated \"${\" (write $$ for a literal $)");
  EXPECT_EQ(expandEnv("${}", env).error(), "invalid environment variable name \"\" in ${...}");
  EXPECT_EQ(expandEnv("${1A}", env).error(), "invalid environment variable name \"1A\" in ${...}");
  EXPECT_EQ(expandEnv("${A-B}", env).error(),
            "invalid environment variable name \"A-B\" in ${...}");
}

}  // namespace
}  // namespace llmproxy::common
