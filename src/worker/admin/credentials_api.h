// Admin: client credentials stored in PostgreSQL.
//   GET    /admin/v1/credentials          list (database rows, then the file's [[key]]s)
//   POST   /admin/v1/credentials          create -> 201; a generated key is shown once ("key")
//   GET    /admin/v1/credentials/{id}     one (numeric id)
//   PUT    /admin/v1/credentials/{id}     change the fields given; "key" or "regenerate_key"
//                                         rotates the key (a generated one is shown once)
//   DELETE /admin/v1/credentials/{id}     -> 200 {"id","name","deleted":true}
// Only the SHA-256 of a key is stored. Without [database] url, reads show the file's keys and
// writes answer 409.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::admin {

Outcome credentials(LocalCall& call);  // the collection
Outcome credential(LocalCall& call);   // one credential
// POST /admin/v1/credentials/{id}/reset_spend: {id} is a database id or a key name (file keys
// have no id). The key's spend in its current period goes back to 0 in this node's shared
// memory and in key_spend (with a database); Redis's count too when [redis] is set.
Outcome resetSpend(LocalCall& call);

}  // namespace llmproxy::worker::admin
