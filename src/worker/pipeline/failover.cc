// The retry boundary (see failover.h).
#include "worker/pipeline/failover.h"

#include <string>

namespace llmproxy::worker {

FailoverStep decideFailover(const common::Error& error, const FailoverFacts& facts) {
  if (facts.head_sent) return FailoverStep::AbortStream;
  const bool provider_answer = error.upstream_status != 0;
  if (!provider_answer && facts.reused && !facts.response_started && !facts.fresh_retry_used)
    return FailoverStep::RetrySameProvider;
  if (common::errorInfo(error.kind).retryable && facts.candidates_left)
    return FailoverStep::NextCandidate;
  return provider_answer ? FailoverStep::Relay : FailoverStep::Answer;
}

std::optional<common::Error> failureOfStatus(int status) {
  if (status < 500 && status != 429) return std::nullopt;
  return common::Error{common::ErrorKind::UpstreamProtocol,
                       "provider answered " + std::to_string(status), status};
}

}  // namespace llmproxy::worker
