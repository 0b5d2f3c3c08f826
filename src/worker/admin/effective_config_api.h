// GET /admin/v1/config: the configuration this worker serves, as JSON, with every secret
// masked (admin key, provider keys, passwords in database and Redis URLs; client keys appear
// only as the first 8 hex digits of their SHA-256) and each provider and key marked with
// where it came from ("file" or "database"). For the web UI's Config page and for curl.
#pragma once

#include <string>
#include <string_view>

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome effectiveConfig(LocalCall& call);

// "postgres://u:secret@h/db" -> "postgres://u:****@h/db"; conninfo "password=x" -> "password=****".
std::string maskUrlPassword(std::string_view url);

}  // namespace llmproxy::worker::admin
