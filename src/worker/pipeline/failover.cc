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

common::Error forClient(const common::Error& error, std::string_view provider_id) {
  if (common::errorInfo(error.kind).side != common::ErrorSide::Upstream) return error;
  std::string what;
  switch (error.kind) {
    case common::ErrorKind::UpstreamConnect: what = "could not be reached"; break;
    case common::ErrorKind::UpstreamTimeout: what = "timed out"; break;
    default:
      what = error.upstream_status != 0 ? "answered " + std::to_string(error.upstream_status)
                                        : "sent an invalid response";
      break;
  }
  common::Error out = error;
  out.detail = "Provider \"" + std::string(provider_id) + "\" " + what;
  out.log_detail = error.log_detail.empty() ? error.detail : error.detail + ": " + error.log_detail;
  return out;
}

}  // namespace llmproxy::worker
