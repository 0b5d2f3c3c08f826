// What an admin resource handler keeps while it waits: the database result it asked for, a
// generated key to show once, the provider probe in flight. Owned by the Exchange
// (`ex.admin`); destroying it cancels every callback that would have resumed the exchange.
// Worker-loop-only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/pg/pg_result.h"
#include "worker/pipeline/exchange.h"

namespace llmproxy::worker::admin {

class ProviderProbe;

struct AdminState {
  explicit AdminState(Exchange& ex);
  ~AdminState();
  AdminState(const AdminState&) = delete;
  AdminState& operator=(const AdminState&) = delete;

  // Callbacks hold a weak_ptr to this; once the exchange (and so this state) is gone they
  // expire and the callback drops its result.
  std::shared_ptr<Exchange*> link;
  int step = 0;                                   // handler-defined progress
  std::optional<common::pg::QueryResult> result;  // the last statement's outcome
  std::string plain_key;                          // a credential key, shown once
  std::unique_ptr<ProviderProbe> probe;
};

// The exchange's admin state, created on first use.
AdminState& adminState(Exchange& ex);

}  // namespace llmproxy::worker::admin
