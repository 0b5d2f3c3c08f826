// The retry boundary: which failures go to the next provider, which are retried on a fresh
// connection, which are relayed or answered, from the error table's `retryable`.
#include "worker/pipeline/failover.h"

#include <gtest/gtest.h>

namespace llmproxy::worker {
namespace {

using common::Error;
using common::ErrorKind;

FailoverFacts beforeFirstByte(bool candidates_left) {
  FailoverFacts f;
  f.candidates_left = candidates_left;
  return f;
}

TEST(Failover, RetryableKindsGoToTheNextCandidate) {
  for (ErrorKind kind :
       {ErrorKind::UpstreamConnect, ErrorKind::UpstreamTimeout, ErrorKind::UpstreamProtocol}) {
    EXPECT_EQ(decideFailover({kind, "x", 0}, beforeFirstByte(true)), FailoverStep::NextCandidate)
        << common::errorKindName(kind);
    EXPECT_EQ(decideFailover({kind, "x", 0}, beforeFirstByte(false)), FailoverStep::Answer);
  }
}

TEST(Failover, KindsTheTableCallsNotRetryableAreAnswered) {
  for (ErrorKind kind : {ErrorKind::BadRequest, ErrorKind::Internal, ErrorKind::Unavailable,
                         ErrorKind::RateLimited})
    EXPECT_EQ(decideFailover({kind, "x", 0}, beforeFirstByte(true)), FailoverStep::Answer)
        << common::errorKindName(kind);
}

TEST(Failover, ProviderStatus5xxAnd429FailOverElseAreRelayed) {
  for (int status : {500, 502, 503, 504, 429}) {
    const auto failure = failureOfStatus(status);
    ASSERT_TRUE(failure) << status;
    EXPECT_EQ(failure->upstream_status, status);
    EXPECT_EQ(decideFailover(*failure, beforeFirstByte(true)), FailoverStep::NextCandidate);
    // The last provider's own answer reaches the client as it is.
    EXPECT_EQ(decideFailover(*failure, beforeFirstByte(false)), FailoverStep::Relay);
  }
  for (int status : {200, 201, 400, 401, 404, 422})
    EXPECT_FALSE(failureOfStatus(status)) << status;
}

TEST(Failover, AfterTheFirstByteTheStreamIsAborted) {
  FailoverFacts f = beforeFirstByte(true);
  f.head_sent = true;
  EXPECT_EQ(decideFailover({ErrorKind::UpstreamProtocol, "reset", 0}, f),
            FailoverStep::AbortStream);
  EXPECT_EQ(decideFailover({ErrorKind::UpstreamTimeout, "idle", 0}, f), FailoverStep::AbortStream);
}

TEST(Failover, StaleReusedConnectionIsRetriedOnceOnTheSameProvider) {
  FailoverFacts f = beforeFirstByte(false);
  f.reused = true;
  const Error reset{ErrorKind::UpstreamProtocol, "connection reset", 0};
  EXPECT_EQ(decideFailover(reset, f), FailoverStep::RetrySameProvider);
  f.fresh_retry_used = true;  // only once
  EXPECT_EQ(decideFailover(reset, f), FailoverStep::Answer);
  f.fresh_retry_used = false;
  f.response_started = true;  // part of an answer came: not a stale connection
  EXPECT_EQ(decideFailover(reset, f), FailoverStep::Answer);
  f.candidates_left = true;
  EXPECT_EQ(decideFailover(reset, f), FailoverStep::NextCandidate);
}

TEST(Failover, TheClientHearsTheProviderAndTheClassNotTheDetail) {
  struct Case {
    Error error;
    const char* client;
  };
  const Case cases[] = {
      {{ErrorKind::UpstreamConnect, "connect to 10.1.2.3:443: connection refused", 0},
       "Provider \"eu\" could not be reached"},
      {{ErrorKind::UpstreamConnect, "TLS: cannot load ca_file /etc/secret/ca.pem: No such file", 0},
       "Provider \"eu\" could not be reached"},
      {{ErrorKind::UpstreamTimeout, "connect timeout after 5000 ms to 10.1.2.3:443", 0},
       "Provider \"eu\" timed out"},
      {{ErrorKind::UpstreamProtocol, "malformed response: HPE_INVALID_CONSTANT", 0},
       "Provider \"eu\" sent an invalid response"},
      {{ErrorKind::UpstreamProtocol, "provider answered 503", 503}, "Provider \"eu\" answered 503"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.error.detail);
    const Error out = forClient(c.error, "eu");
    EXPECT_EQ(out.detail, c.client);
    EXPECT_EQ(out.kind, c.error.kind);
    EXPECT_EQ(out.upstream_status, c.error.upstream_status);
    EXPECT_EQ(out.log_detail, c.error.detail) << "the detail goes to the error log";
  }
  // Not a provider's failure: unchanged.
  const Error mine{ErrorKind::Unavailable, "shutting down", 0};
  EXPECT_EQ(forClient(mine, "eu").detail, "shutting down");
}

}  // namespace
}  // namespace llmproxy::worker
