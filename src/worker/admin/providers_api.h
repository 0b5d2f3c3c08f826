// Admin: providers stored in PostgreSQL.
//   GET    /admin/v1/providers          list (database rows, then the file's providers)
//   POST   /admin/v1/providers          create -> 201 with the row
//   GET    /admin/v1/providers/{id}     one; {id} = numeric id or provider_key
//   PUT    /admin/v1/providers/{id}     change the fields given -> 200 with the row
//   DELETE /admin/v1/providers/{id}     -> 200 {"id","provider_key","deleted":true}
// Without [database] url, reads show the configuration file's providers and writes answer 409.
// Writes go to the database only; the running configuration follows through the master's
// reload (LISTEN/NOTIFY), so a change serves traffic shortly after the response.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome providers(LocalCall& call);  // the collection
Outcome provider(LocalCall& call);   // one provider

}  // namespace llmproxy::worker::admin
