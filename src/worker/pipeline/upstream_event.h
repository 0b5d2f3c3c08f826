// What happened to the upstream attempt in flight, as the pipeline driver hands it to stage 70
// (before the answer is chosen) or stage 80 (while it is relayed). The driver sets it on the
// exchange's UpstreamState for the length of one dispatch; stages read it, never keep it.
#pragma once

#include <cstdint>

#include "common/base/result.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

struct UpstreamEvent {
  enum class Kind : uint8_t {
    Head,     // the provider's response head
    Body,     // a slice of its body
    End,      // the body is complete
    Error,    // the attempt failed (connect, TLS, read, a malformed answer)
    Timeout,  // the exchange's deadline: TTFT before the first byte, idle or total after
    Drained,  // the client took the queued bytes (the relay may read again)
  };
  Kind kind;
  UpstreamResponseHead* head = nullptr;  // Head (a stage may move from it)
  BodySlice* slice = nullptr;            // Body (a stage may move from it)
  const common::Error* error = nullptr;  // Error
  bool reused = false;                   // Error: on a pooled keep-alive connection
  bool response_started = false;         // Error: after the provider's head arrived
};

}  // namespace llmproxy::worker
