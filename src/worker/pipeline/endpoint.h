// What a request asks for, decided by the route stage from (listener, method, path).
#pragma once

#include <cstdint>

namespace llmproxy::worker {

enum class Endpoint : uint8_t {
  None,
  Health,
  AdminConfigVersion,
  AdminConfigReload,
  AdminStatus,
};

// Admin endpoints need the admin key; the others are public (issue 3 adds client keys).
bool isAdminEndpoint(Endpoint e);

}  // namespace llmproxy::worker
