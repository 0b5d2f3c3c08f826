// Responses the admin resource handlers share.
#include "worker/admin/admin_common.h"

namespace llmproxy::worker::admin {

Outcome respondNotFound(LocalCall& call, std::string_view what) {
  return call.respondError(
      {common::ErrorKind::NotFound, "no " + std::string(what) + " with this id", 0});
}

Outcome respondJson(LocalCall& call, int status, std::string body) {
  body += '\n';  // curl prints the next prompt on its own line
  return call.respond(Response::json(status, std::move(body)));
}

}  // namespace llmproxy::worker::admin
