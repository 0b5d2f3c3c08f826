// The candidate list of one model name (stage 50, and stage 70 for fallback models).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/pipeline/exchange.h"

namespace llmproxy::worker {

struct UpstreamCandidate;

struct Resolved {
  bool known = false;                // some provider serves the name
  int64_t rate_limited_until = 0;    // unix ms: the earliest Retry-After of a skipped provider
  std::string rate_limited_provider;
};

// Appends the providers that may answer `model` to `out`, in failover order, at most
// server.max_attempts of them (see 50_resolve.cc for the order and the health rules). `model`
// must outlive the candidates (their targets may view it).
Resolved resolveCandidates(Exchange& ex, std::string_view model,
                           std::vector<UpstreamCandidate>& out);

}  // namespace llmproxy::worker
