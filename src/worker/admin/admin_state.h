// What an admin resource handler keeps while it waits: the database result it asked for, a
// generated key to show once, the provider probe in flight, the reload poll. Owned by the
// Exchange (LocalCall::admin); destroying it stops the probe and the timer, and a database
// result that arrives later finds no state (its wake token is stale) and is dropped.
// Worker-loop-only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/pg/pg_result.h"
#include "common/uv/uv_timer.h"
#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

class ProviderProbe;

struct AdminState {
  AdminState();
  ~AdminState();
  AdminState(const AdminState&) = delete;
  AdminState& operator=(const AdminState&) = delete;

  int step = 0;                                   // handler-defined progress
  std::optional<common::pg::QueryResult> result;  // the last statement's outcome
  std::string plain_key;                          // a credential key, shown once
  std::unique_ptr<ProviderProbe> probe;
  // The reload's poll: wakes the exchange through `poll_waker` until the master has answered.
  std::unique_ptr<common::UvTimer> poll_timer;
  Waker poll_waker;
  uint64_t poll_baseline = 0;
  uint64_t poll_deadline_us = 0;
};

// The exchange's admin state, created on first use.
AdminState& adminState(LocalCall& call);

}  // namespace llmproxy::worker::admin
