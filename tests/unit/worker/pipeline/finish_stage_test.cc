// Stage 90 finish: the exchange's one error-log line, from the error it answered: none for the
// client's mistakes, a warning for a provider's failure, an error for the proxy's own, with
// the log-only detail that never reaches the client.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "common/log/log.h"

#include "stage_harness.h"

namespace llmproxy::worker::testing {
namespace {

// Collects the error log's lines while it lives.
class ErrorLogCapture {
 public:
  ErrorLogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(out_)) {
    sink_->set_pattern("[%l] %v");
    common::log::error().sinks().push_back(sink_);
  }
  ~ErrorLogCapture() {
    auto& sinks = common::log::error().sinks();
    std::erase(sinks, sink_);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
};

common::Error withLogDetail(common::Error error, std::string log_detail) {
  error.log_detail = std::move(log_detail);
  return error;
}

struct FinishCase {
  const char* what;
  common::Error error;
  const char* line;  // nullptr: no line
};

TEST(FinishStage, OneErrorLinePerFailureAtTheLevelOfItsSide) {
  StageWorld world(serverSection("allow_unauthenticated = true\n"));
  ASSERT_TRUE(world.ok());
  const FinishCase cases[] = {
      {"the client's mistake", {common::ErrorKind::BadRequest, "bad body", 0}, nullptr},
      {"a provider's failure", {common::ErrorKind::UpstreamConnect, "connect refused", 0},
       "[warning] [req-@] key \"-\": connect refused (upstream_connect)"},
      {"the proxy's own", {common::ErrorKind::Unavailable, "the database is unavailable: x", 0},
       "[error] [req-@] key \"-\": the database is unavailable: x (unavailable)"},
      {"with a log-only detail",
       withLogDetail({common::ErrorKind::Internal, "database error 42P01", 0},
                     "relation \"providers\" does not exist"),
       "[error] [req-@] key \"-\": database error 42P01: relation \"providers\" does not exist "
       "(internal)"},
  };
  for (const FinishCase& c : cases) {
    SCOPED_TRACE(c.what);
    FakeClient client(true);
    auto ex = world.exchange(client, makeRequest("GET", "/admin/v1/providers"));
    ErrorLogCapture log;
    pipeline::respondError(*ex, c.error);
    stage::finish(*ex);
    const std::string body = client.response().body;
    EXPECT_EQ(jsonString(body, "/error/message"), c.error.detail);
    if (!c.error.log_detail.empty()) {
      EXPECT_EQ(body.find(c.error.log_detail), std::string::npos) << body;
    }
    if (!c.line) {
      EXPECT_TRUE(log.lines().empty());
      continue;
    }
    std::string line = c.line;
    line.replace(line.find('@'), 1, ex->request_id.substr(4));
    EXPECT_EQ(log.lines(), std::vector<std::string>{line});
  }
}

TEST(FinishStage, NoErrorNoLine) {
  StageWorld world(serverSection("allow_unauthenticated = true\n"));
  ASSERT_TRUE(world.ok());
  FakeClient client;
  auto ex = world.exchange(client, makeRequest("GET", "/health"));
  ErrorLogCapture log;
  EXPECT_EQ(runThrough(*ex, Stage::Local), Outcome::Respond);
  stage::finish(*ex);
  EXPECT_EQ(ex->stage, Stage::Done);
  EXPECT_EQ(ex->status, 200);
  EXPECT_TRUE(log.lines().empty());
}

}  // namespace
}  // namespace llmproxy::worker::testing
