// Admin: POST /admin/v1/auth/validate {"key": "sk-..."} -> what the proxy would do with that
// client key right now, decided against this worker's current configuration snapshot with the
// authenticate stage's lookup (SHA-256, constant-time compare):
//   {"valid":true,"id":..,"name":..,"allowed_models":[..],"expires_at":..,"source":"file"|"database"}
//   {"valid":false,"reason":"unknown"|"disabled"|"expired"} (+ id, name, source unless unknown)
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome authValidate(LocalCall& call);

}  // namespace llmproxy::worker::admin
