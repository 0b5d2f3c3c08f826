// ExportSink against the mock provider as a collector: batches by size and by interval, retries
// after a failure, drops a refused batch at once, bounds its queue (drops counted), and sends what
// waits when drained.
#include "worker/tracing/export_sink.h"

#include <gtest/gtest.h>

#include "common/shm/region.h"
#include "support/free_port.h"
#include "support/mock_provider/mock_provider.h"
#include "unit/worker/upstream/upstream_test_util.h"

namespace llmproxy::worker::tracing {
namespace {

using namespace std::chrono_literals;
using test::runUntil;

class ExportSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uv_loop_init(&loop_);
    common::ShmLayout layout;
    layout.max_workers = 2;
    layout.config_capacity = 1u << 16;
    auto region = common::ShmRegion::create(layout);
    ASSERT_TRUE(region) << region.error().detail;
    shm_ = std::make_unique<common::ShmRegion>(std::move(*region));
    metrics_ = std::make_unique<common::MetricsWriter>(shm_->metrics(), 0);
    client_ = std::make_unique<UpstreamClient>(&loop_, UpstreamLimits{});
    ASSERT_TRUE(collector_.start()) << collector_.lastError();
    sink_ = std::make_unique<ExportSink>(
        &loop_, *client_, *metrics_, common::TraceSink::Otlp,
        [](std::span<const std::shared_ptr<const TraceRecord>> records) {
          std::string ids;
          for (const auto& r : records) ids += r->request_id + ",";
          return "{\"ids\":\"" + ids + "\"}";
        });
  }
  void TearDown() override {
    sink_.reset();
    client_.reset();
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
  }

  ExportSink::Target target(uint16_t port) const {
    ExportSink::Target t;
    t.origin.tls = false;
    t.origin.host = "127.0.0.1";
    t.origin.port = port;
    t.head = "POST /v1/traces HTTP/1.1\r\nHost: collector\r\nContent-Type: application/json\r\n";
    return t;
  }
  void configure(uint32_t batch, uint64_t interval_ms, uint32_t queue, uint16_t port = 0) {
    sink_->configure(target(port ? port : collector_.port()), {batch, interval_ms, queue, 2000});
  }
  void push(const std::string& id) {
    auto r = std::make_shared<TraceRecord>();
    r->request_id = id;
    sink_->push(std::move(r));
  }
  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    for (const auto& r : collector_.requests()) out.push_back(r.body);
    return out;
  }
  const common::TraceExportCounters& counters() const { return shm_->metrics().traceExports(0); }
  uint64_t ok() const { return counters().exports_ok[0].load(); }
  uint64_t failed() const { return counters().exports_failed[0].load(); }
  uint64_t dropped() const { return counters().dropped[0].load(); }

  uv_loop_t loop_{};
  std::unique_ptr<common::ShmRegion> shm_;
  std::unique_ptr<common::MetricsWriter> metrics_;
  std::unique_ptr<UpstreamClient> client_;
  testing::MockProvider collector_;
  std::unique_ptr<ExportSink> sink_;
};

TEST_F(ExportSinkTest, AFullBatchGoesAtOnceAPartialOneAfterTheInterval) {
  configure(2, 100, 100);
  push("a");
  push("b");
  ASSERT_TRUE(runUntil(&loop_, [&] { return ok() == 1; }));
  push("c");
  ASSERT_TRUE(runUntil(&loop_, [&] { return ok() == 2; }));
  EXPECT_EQ(bodies(), (std::vector<std::string>{"{\"ids\":\"a,b,\"}", "{\"ids\":\"c,\"}"}));
  const auto req = collector_.lastRequest();
  EXPECT_EQ(req->path, "/v1/traces");
  EXPECT_EQ(req->header("content-length"), "12");
  EXPECT_EQ(sink_->queued(), 0u);
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(ExportSinkTest, AFailedCallIsRetriedAfterABackOff) {
  testing::MockBehaviour down;
  down.status = 503;
  collector_.setDefaults(down);
  configure(1, 10, 100);
  push("a");
  ASSERT_TRUE(runUntil(&loop_, [&] { return failed() == 1; }));
  collector_.setDefaults(testing::MockBehaviour{});
  ASSERT_TRUE(runUntil(&loop_, [&] { return ok() == 1; }, 10000ms));
  EXPECT_EQ(bodies(), (std::vector<std::string>{"{\"ids\":\"a,\"}", "{\"ids\":\"a,\"}"}));
  EXPECT_EQ(dropped(), 0u);
}

TEST_F(ExportSinkTest, ARefusedBatchIsDroppedAtOnce) {
  testing::MockBehaviour refuse;
  refuse.status = 401;
  collector_.setDefaults(refuse);
  configure(1, 10, 100);
  push("a");
  ASSERT_TRUE(runUntil(&loop_, [&] { return dropped() == 1; }));
  EXPECT_EQ(failed(), 1u);
  EXPECT_EQ(collector_.requestCount(), 1u);
  EXPECT_EQ(sink_->queued(), 0u);
}

TEST_F(ExportSinkTest, TheQueueIsBoundedAndDropsAreCounted) {
  const uint16_t dead = testing::freeTcpPort();
  configure(10, 3'600'000, 2, dead);
  for (const char* id : {"a", "b", "c", "d", "e"}) push(id);
  EXPECT_EQ(sink_->queued(), 2u);
  EXPECT_EQ(dropped(), 3u);
}

TEST_F(ExportSinkTest, DrainSendsWhatWaitsThenCallsDone) {
  configure(10, 3'600'000, 100);
  push("a");
  push("b");
  bool done = false;
  sink_->drain(2000, [&] { done = true; });
  ASSERT_TRUE(runUntil(&loop_, [&] { return done; }));
  EXPECT_EQ(bodies(), std::vector<std::string>{"{\"ids\":\"a,b,\"}"});
}

TEST_F(ExportSinkTest, DrainGivesUpAtItsDeadline) {
  configure(10, 3'600'000, 100, testing::freeTcpPort());
  push("a");
  bool done = false;
  sink_->drain(300, [&] { done = true; });
  ASSERT_TRUE(runUntil(&loop_, [&] { return done; }));
  EXPECT_EQ(dropped(), 1u);
}

TEST_F(ExportSinkTest, TurningItOffDropsWhatWaits) {
  configure(10, 3'600'000, 100);
  push("a");
  sink_->configure(std::nullopt, {});
  EXPECT_FALSE(sink_->enabled());
  EXPECT_EQ(dropped(), 1u);
  push("b");
  EXPECT_EQ(sink_->queued(), 0u);
}

}  // namespace
}  // namespace llmproxy::worker::tracing
