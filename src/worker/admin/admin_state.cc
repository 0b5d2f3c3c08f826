// AdminState construction and teardown (the probe's type is complete here).
#include "worker/admin/admin_state.h"

#include "worker/admin/provider_probe.h"

namespace llmproxy::worker::admin {

AdminState::AdminState(Exchange& ex) : link(std::make_shared<Exchange*>(&ex)) {}

AdminState::~AdminState() = default;

AdminState& adminState(Exchange& ex) {
  if (!ex.admin) ex.admin = std::make_unique<AdminState>(ex);
  return *ex.admin;
}

}  // namespace llmproxy::worker::admin
