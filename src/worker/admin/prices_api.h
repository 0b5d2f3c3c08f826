// Admin: prices stored in PostgreSQL (USD per million tokens).
//   GET    /admin/v1/prices          list (database rows, then the file's [[price]] tables)
//   POST   /admin/v1/prices          create -> 201 with the row
//   GET    /admin/v1/prices/{id}     one (numeric id)
//   PUT    /admin/v1/prices/{id}     change the fields given -> 200 with the row
//   DELETE /admin/v1/prices/{id}     -> 200 {"id","model","provider","deleted":true}
// Without [database] url, reads show the configuration file's prices and writes answer 409.
// The running configuration follows through the master's reload (LISTEN/NOTIFY), as for
// providers.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome prices(LocalCall& call);  // the collection
Outcome price(LocalCall& call);   // one price

}  // namespace llmproxy::worker::admin
