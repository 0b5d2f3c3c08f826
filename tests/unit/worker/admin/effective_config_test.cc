// maskUrlPassword: passwords in database and Redis URLs never reach /admin/v1/config.
#include <gtest/gtest.h>

#include "worker/admin/effective_config_api.h"

namespace llmproxy::worker::admin {
namespace {

TEST(MaskUrlPassword, HidesUrlAndConninfoPasswords) {
  EXPECT_EQ(maskUrlPassword("postgresql://llmproxy:s3cret@127.0.0.1:5432/llmproxy"),
            "postgresql://llmproxy:****@127.0.0.1:5432/llmproxy");
  EXPECT_EQ(maskUrlPassword("redis://:pw@127.0.0.1:6379/0"), "redis://:****@127.0.0.1:6379/0");
  EXPECT_EQ(maskUrlPassword("host=db user=u password=secret dbname=x"),
            "host=db user=u password=**** dbname=x");
  EXPECT_EQ(maskUrlPassword("postgresql://db/x?sslmode=require&password=secret"),
            "postgresql://db/x?sslmode=require&password=****");
}

TEST(MaskUrlPassword, LeavesUrlsWithoutPasswordAlone) {
  EXPECT_EQ(maskUrlPassword(""), "");
  EXPECT_EQ(maskUrlPassword("postgresql://llmproxy@127.0.0.1/llmproxy"),
            "postgresql://llmproxy@127.0.0.1/llmproxy");
  EXPECT_EQ(maskUrlPassword("redis://127.0.0.1:6379/0"), "redis://127.0.0.1:6379/0");
  EXPECT_EQ(maskUrlPassword("postgresql://db:5432/x@y"), "postgresql://db:5432/x@y");
}

}  // namespace
}  // namespace llmproxy::worker::admin
