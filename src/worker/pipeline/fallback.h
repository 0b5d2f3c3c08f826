// Model-level fallbacks ([fallbacks] in llmproxy.conf): when every candidate provider of the
// requested model has failed before the first byte reached the client, stage 70 goes on with
// the providers of the next fallback model, in the configured order, across protocols (each
// candidate gets its own translator in stage 60). Each fallback model's list is resolved when it
// is reached (health as of then) and cut at server.max_attempts like the first.
#pragma once

#include "worker/pipeline/exchange.h"

namespace llmproxy::worker {

class UpstreamState;

// Whether the requested model has fallback models not tried yet.
bool fallbacksLeft(const UpstreamState& up);

// Appends the candidates of the next fallback model that has any the request can go to, and
// points up.next_candidate at the first of them. False when no fallback is left.
bool takeFallback(Exchange& ex);

}  // namespace llmproxy::worker
