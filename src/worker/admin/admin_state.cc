// AdminState construction and teardown (the probe's type is complete here).
#include "worker/admin/admin_state.h"

#include "worker/admin/provider_probe.h"

namespace llmproxy::worker::admin {

AdminState::AdminState() = default;

AdminState::~AdminState() = default;

AdminState& adminState(LocalCall& call) {
  if (!call.admin) call.admin = std::make_unique<AdminState>();
  return *call.admin;
}

}  // namespace llmproxy::worker::admin
